"""The landing page's "Recently reviewed" list, made at build time from each page's front matter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PLACEHOLDER = "<!-- hub:recently-reviewed -->"
HOW_MANY = 6


@dataclass(frozen=True)
class Reviewed:
    """A hand-written page and the date its front matter says it was last reviewed."""

    src: str
    title: str
    reviewed: dt.date
    order: int  # its place in the site menu, to break ties between pages reviewed the same day


def as_date(value: object) -> dt.date | None:
    """A last_reviewed value (YAML gives a date, or a string when quoted) as a date, else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def latest(pages: Iterable[Reviewed], skip: str, count: int = HOW_MANY) -> list[Reviewed]:
    """The most recently reviewed pages, newest first; pages reviewed the same day in menu order."""
    kept = [p for p in pages if p.src != skip]
    return sorted(kept, key=lambda p: (-p.reviewed.toordinal(), p.order, p.src))[:count]


def long_date(day: dt.date) -> str:
    """GOV.UK style: '1 December 2026'."""
    return f"{day.day} {day:%B %Y}"


def render(pages: list[Reviewed]) -> str:
    """A Markdown list: each page links to itself, with the day it was reviewed."""
    lines = [f"- [{_text(p.title)}]({p.src}), reviewed {long_date(p.reviewed)}" for p in pages]
    return "\n".join(lines) if lines else "No page gives a review date yet."


def nav_order(nav: object) -> list[str]:
    """Every Markdown source named in mkdocs.yml's nav, in menu order."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(nav)
    return found


def _text(title: str) -> str:
    # A bracket in a title would end the link text early.
    return title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
