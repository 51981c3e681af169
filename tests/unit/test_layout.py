"""The layout keeps its promises: the server never loads build-time code, one module reads the
environment, no import cycles, and both ways of calling the command line list every command."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from search_api.cli.main import COMMAND_MODULES, COMMANDS
from search_api.index.deps import import_closure

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("search_api", "sitebuild", "devtools")
# Everything that runs in the server: nothing here may import build-time or test tooling.
SERVER = ROOT / "search_api"
BUILD_ONLY = ("sitebuild", "devtools")


def _py_files(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every absolute module name a file imports, at any depth (functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_layout_has_the_expected_rooms():
    for folder in ("web", "index", "search", "ask", "feedback", "feasibility", "projects", "cli"):
        assert (SERVER / folder / "__init__.py").is_file(), folder
    assert (ROOT / "sitebuild" / "__init__.py").is_file() and (ROOT / "devtools" / "__init__.py").is_file()


def test_no_server_module_imports_build_time_code():
    """Only the command line (which also builds the site and index) may reach into sitebuild."""
    offenders = {}
    for path in _py_files("search_api"):
        if path.is_relative_to(SERVER / "cli"):
            continue
        bad = {n for n in _imports(path) if n.split(".")[0] in BUILD_ONLY}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert not offenders, offenders


def test_serving_requests_loads_no_build_time_module():
    """A real check of the running server, not of the source text: import the WSGI app and serve."""
    code = (
        "import sys\n"
        "from search_api.wsgi import app\n"
        "c = app.test_client()\n"
        "for path in ('/api/health', '/api/feasibility/questions', '/api/projects?per_page=2', '/api/openapi.json'):\n"
        "    assert c.get(path).status_code == 200, path\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('sitebuild', 'devtools'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1:] in ([], [""]), out.stdout


def test_only_config_reads_the_environment():
    """Settings come from search_api/config.py; every other module receives them."""
    allowed = {SERVER / "config.py"}
    offenders = []
    for path in _py_files(*PACKAGES, "hooks"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_there_is_no_import_cycle():
    """Depth-first search over the import graph of the three packages (lazy imports count too)."""
    modules = {_module_name(p): p for p in _py_files(*PACKAGES)}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {n for n in _imports(path) if n in modules}
        # "from pkg import mod" imports pkg.mod; keep the module, not the package, as the edge.
        graph[name] = {t for t in targets if not any(o.startswith(t + ".") for o in targets)} - {name}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert not cycles, cycles


def test_no_module_is_much_over_300_lines():
    long = {str(p.relative_to(ROOT)): n for p in _py_files(*PACKAGES) if (n := len(p.read_text().splitlines())) > 320}
    assert not long, long


def _help(*cmd: str) -> str:
    out = subprocess.run(list(cmd), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_both_ways_of_calling_the_command_line_list_every_command():
    """`sophub --help` and `python -m search_api.cli --help` must agree and show every command."""
    script = Path(sys.executable).with_name("sophub")
    via_script = _help(str(script), "--help")
    via_module = _help(sys.executable, "-m", "search_api.cli", "--help")
    assert via_script == via_module
    expected = {"build-site", "build-index", "export-onnx", "serve", "ask", "ask-warm", "assess", "indigo-check"}
    assert expected <= set(COMMANDS)
    for name in COMMANDS:
        assert f"    {name}" in via_script, name


def test_every_command_module_is_in_the_explicit_list():
    """A module under search_api/cli that registers commands but is not listed would be silently lost."""
    listed = {m.__name__ for m in COMMAND_MODULES}
    for path in _py_files("search_api/cli"):
        if "@command(" in path.read_text(encoding="utf-8"):
            assert _module_name(path) in listed, path


@pytest.mark.parametrize(
    "module, expected",
    [("sitebuild/charts.py", True), ("search_api/web/security.py", True), ("search_api/ask/answer.py", False)],
)
def test_the_stale_site_check_follows_the_hooks_real_imports(module, expected):
    files = import_closure(ROOT, sorted((ROOT / "hooks").glob("*.py")))
    assert ((ROOT / module) in files) is expected


def test_import_closure_follows_lazy_imports_and_packages(tmp_path):
    (tmp_path / "hooks").mkdir()
    (tmp_path / "sitebuild" / "deep").mkdir(parents=True)
    (tmp_path / "sitebuild" / "__init__.py").write_text("")
    (tmp_path / "sitebuild" / "deep" / "__init__.py").write_text("")
    (tmp_path / "sitebuild" / "deep" / "leaf.py").write_text("X = 1\n")
    (tmp_path / "sitebuild" / "mid.py").write_text("def f():\n    from sitebuild.deep import leaf\n")
    (tmp_path / "sitebuild" / "unused.py").write_text("")
    hook = tmp_path / "hooks" / "h.py"
    hook.write_text("import os\nfrom sitebuild import mid\n")
    names = {str(p.relative_to(tmp_path)) for p in import_closure(tmp_path, [hook])}
    assert names == {
        "hooks/h.py",
        "sitebuild/__init__.py",
        "sitebuild/mid.py",
        "sitebuild/deep/__init__.py",
        "sitebuild/deep/leaf.py",
    }
