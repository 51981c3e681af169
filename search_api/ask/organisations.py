"""Organisation names INDIGO lists on project pages: a "who" question favours sentences naming one."""

from __future__ import annotations

import re

from search_api.index.loaded import Loaded

WHO = re.compile(
    r"\b(who|which\s+(organisations?|organizations?|charit\w+|investors?|providers?|councils?|firms?|companies|funders?))\b"
)
_ORG_SECTION = "Organisations >"


def known(loaded: Loaded) -> frozenset[str]:
    """Lower-case names of every organisation INDIGO lists on a project page (for "who" questions)."""

    def build() -> frozenset[str]:
        names: set[str] = set()
        for c in loaded.stored.chunks:
            if c.get("type") == "project" and c["section"].startswith(_ORG_SECTION):
                for line in c["text"].split("\n"):
                    name = line.split(":")[0].strip().lower()
                    if len(name) >= 4 and not name.startswith(("indigo ", "table")):
                        names.add(name)
        return frozenset(names)

    return loaded.derived("ask_organisations", build)


def named_in(text: str, orgs: frozenset[str]) -> bool:
    """True when the text names an organisation INDIGO lists (any run of 1-6 words)."""
    ws = re.findall(r"[\w&'’.-]+", text.lower())
    return any(" ".join(ws[i : i + n]) in orgs for n in range(1, 7) for i in range(len(ws) - n + 1))
