"""What readers told the hub: ratings by page and by answer route, unhelpful answers, declined questions.

Pure functions over the rows a feedback store returns (SQLite or PostgreSQL alike), so the
report and the export read the same whichever store holds the data.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from search_api.ask.guardrails import clean_text

EXPORT_COLUMNS = ("id", "created", "rating", "route", "page", "question", "comment", "answer_urls")
_UNITS = {"d": "days", "w": "weeks", "h": "hours"}
_DURATION = re.compile(r"^\s*(\d{1,5})\s*([dwh])\s*$", re.I)
_NOT_WORD = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)")


def parse_duration(text: str) -> timedelta:
    """'30d', '2w' or '12h' as a timedelta; ValueError naming the accepted forms otherwise."""
    match = _DURATION.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration such as 30d, 2w or 12h")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def normalise_question(text: str) -> str:
    """One form per question for grouping: cleaned, lower case, no punctuation, single spaces."""
    return " ".join(_NOT_WORD.sub(" ", clean_text(text).lower()).split())


@dataclass
class Tally:
    """Thumbs up and down for one page or route."""

    up: int = 0
    down: int = 0

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def helpful(self) -> str:
        """The share rated helpful, as a whole percentage."""
        return f"{round(100 * self.up / self.total)}%" if self.total else "-"


@dataclass
class Report:
    """The figures of one report."""

    since: datetime
    until: datetime
    ratings: int = 0
    by_page: dict[str, Tally] = field(default_factory=dict)
    by_route: dict[str, Tally] = field(default_factory=dict)
    unhelpful: list[dict[str, Any]] = field(default_factory=list)
    declined: list[tuple[str, int, str]] = field(default_factory=list)
    declined_total: int = 0


def _tally(into: dict[str, Tally], key: str, rating: str) -> None:
    t = into.setdefault(key, Tally())
    if rating == "up":
        t.up += 1
    else:
        t.down += 1


def _ordered(tallies: dict[str, Tally]) -> dict[str, Tally]:
    """Most unhelpful first, then the most rated: what needs work comes first."""
    return dict(sorted(tallies.items(), key=lambda kv: (-kv[1].down, -kv[1].total, kv[0])))


def build(
    rows: Iterable[dict[str, Any]], declined: Iterable[dict[str, Any]], since: datetime, until: datetime, top: int = 20
) -> Report:
    """The report over feedback rows and declined questions kept from `since` to `until`."""
    report = Report(since=since, until=until)
    for row in rows:
        report.ratings += 1
        _tally(report.by_page, row.get("page") or "(no page)", row["rating"])
        _tally(report.by_route, row.get("route") or "(not sent)", row["rating"])
        if row["rating"] == "down":
            report.unhelpful.append(row)
    report.by_page, report.by_route = _ordered(report.by_page), _ordered(report.by_route)
    report.unhelpful.sort(key=lambda r: r["created"], reverse=True)
    counts: Counter[str] = Counter()
    last: dict[str, str] = {}
    for item in declined:
        text = normalise_question(item["question"])
        if text:
            counts[text] += 1
            last[text] = max(last.get(text, ""), item["created"])
    report.declined_total = sum(counts.values())
    report.declined = [(q, n, last[q][:10]) for q, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    return report


def _cell(text: Any) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text if text is not None else "").split()).replace("|", "\\|")


def to_markdown(report: Report) -> str:
    """The report as Markdown tables, for the content team."""
    span = f"{report.since:%d %B %Y} to {report.until:%d %B %Y}"
    out = [f"# Feedback report: {span}", ""]
    out.append(f"{report.ratings} ratings; {report.declined_total} declined questions kept.")
    for title, tallies, name in (
        ("Ratings by page", report.by_page, "Page"),
        ("Ratings by answer route", report.by_route, "Route"),
    ):
        out += ["", f"## {title}", ""]
        if not tallies:
            out.append("No ratings in this period.")
            continue
        out += [f"| {name} | Helpful | Not helpful | Total | Share helpful |", "|---|---|---|---|---|"]
        out += [f"| {_cell(k)} | {t.up} | {t.down} | {t.total} | {t.helpful} |" for k, t in tallies.items()]
    out += ["", "## Answers rated unhelpful", ""]
    if report.unhelpful:
        out += ["| Date | Page | Question | Cited | Comment |", "|---|---|---|---|---|"]
        for r in report.unhelpful:
            cited = " ".join(r.get("answer_urls") or [])
            out.append(
                f"| {r['created'][:10]} | {_cell(r.get('page'))} | {_cell(r.get('question'))} | {_cell(cited)} | {_cell(r.get('comment'))} |"
            )
    else:
        out.append("No answer was rated unhelpful in this period.")
    out += ["", "## Questions the chatbot declined most often", ""]
    if report.declined:
        out += ["| Question (normalised) | Times | Last asked |", "|---|---|---|"]
        out += [f"| {_cell(q)} | {n} | {day} |" for q, n, day in report.declined]
    else:
        out.append("None kept in this period (they are kept only with SOP_LOG_DECLINED=1).")
    return "\n".join(out) + "\n"


def to_csv(report: Report) -> str:
    """The report as one CSV table; the first column names the section of each row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["section", "item", "helpful", "not_helpful", "count", "date", "question", "comment", "cited"])
    for section, tallies in (("page", report.by_page), ("route", report.by_route)):
        for key, t in tallies.items():
            writer.writerow([section, key, t.up, t.down, t.total, "", "", "", ""])
    for r in report.unhelpful:
        cited = " ".join(r.get("answer_urls") or [])
        row = [
            "unhelpful",
            r.get("page") or "",
            "",
            "",
            1,
            r["created"][:10],
            r.get("question") or "",
            r.get("comment") or "",
            cited,
        ]
        writer.writerow(row)
    for q, n, day in report.declined:
        writer.writerow(["declined", "", "", "", n, day, q, "", ""])
    return buf.getvalue()


def export(rows: Iterable[dict[str, Any]], fmt: str) -> str:
    """Every feedback row as CSV (URLs space-separated) or as a JSON list."""
    rows = [{k: r.get(k) for k in EXPORT_COLUMNS} for r in rows]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, "answer_urls": " ".join(r["answer_urls"] or [])})
    return buf.getvalue()


def now() -> datetime:
    """The current time in UTC (one place, so tests can move it)."""
    return datetime.now(UTC)
