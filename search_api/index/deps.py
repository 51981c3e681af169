"""The project modules a set of files imports, followed through every import (the hooks' real dependencies)."""

from __future__ import annotations

import ast
from pathlib import Path

# Packages of this project whose modules can change what the site build writes.
FIRST_PARTY = ("search_api", "sitebuild")


def _module_file(root: Path, dotted: str) -> Path | None:
    """The file that defines a dotted module name, if it is one of the project's."""
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(root: Path, path: Path) -> set[Path]:
    """Project files one file imports, at module level or inside functions (a package's own only at top)."""
    found: set[Path] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    # Importing a package runs only its top level (search_api's create_app imports the server lazily).
    nodes = tree.body if path.name == "__init__.py" else list(ast.walk(tree))
    for node in nodes:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] not in FIRST_PARTY:
                continue
            parts = name.split(".")
            # "a.b.c" also loads the packages a and a.b: their __init__ runs too.
            for i in range(1, len(parts) + 1):
                file = _module_file(root, ".".join(parts[:i]))
                if file is not None:
                    found.add(file)
    return found


def import_closure(root: Path, entries: list[Path]) -> set[Path]:
    """Every project file reachable by imports from the entry files (the entries included)."""
    seen: set[Path] = set()
    todo = list(entries)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(_imported(root, path) - seen)
    return seen
