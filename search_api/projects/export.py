"""INDIGO projects as downloads: CSV and JSON files that carry INDIGO's credit and terms (no Flask here)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from search_api import paths
from search_api.projects.model import INDIGO_HOME, Project
from search_api.projects.query import CREDIT_BODY, Query, matches, summary
from search_api.projects.values import Money

COLUMNS = (
    "id",
    "name",
    "country_codes",
    "countries",
    "policy_sector",
    "stage",
    "launch_year",
    "capital_raised",
    "capital_raised_usd",
    "max_outcome_payment",
    "max_outcome_payment_usd",
    "outcomes_funds",
    "hub_page",
    "indigo_record",
)
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SNAPSHOT = re.compile(r"Snapshot taken on (\d{1,2} [A-Z][a-z]+ \d{4})")


@lru_cache(maxsize=4)
def snapshot(readme: Path = paths.INDIGO_DIR / "README.md") -> tuple[str, str]:
    """INDIGO's snapshot date as GO Lab's README states it: ("20 May 2025", "2025-05-20")."""
    found = _SNAPSHOT.search(readme.read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"{readme} does not say when its snapshot was taken ('Snapshot taken on <date>').")
    text = " ".join(found.group(1).split())
    return text, datetime.strptime(text, "%d %B %Y").date().isoformat()


def credit() -> dict[str, str]:
    """The credit every download carries: INDIGO's credit, terms, home page and snapshot date."""
    text, iso = snapshot()
    return {**CREDIT_BODY, "snapshot": iso, "snapshot_text": text}


def safe_cell(value: object) -> object:
    """A value a spreadsheet shows as text: strings that could start a formula get a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _usd(m: Money) -> object:
    # INDIGO's own US dollar conversion, whole dollars; blank when INDIGO gives none.
    return round(m.value_usd) if m.value_usd is not None else ""


def row(p: Project) -> list[object]:
    """One project as CSV cells, in the order of COLUMNS (its hub page as a path: the host varies)."""
    cells: list[object] = [
        p.id,
        p.name,
        "; ".join(p.countries),
        "; ".join(p.country_names),
        p.policy_sector,
        p.stage,
        p.launch_year if p.launch_year is not None else "",
        p.capital_raised.display(),
        _usd(p.capital_raised),
        p.max_outcome_payment.display(),
        _usd(p.max_outcome_payment),
        "; ".join(f.name for f in p.funds),
        p.page_url,
        p.indigo_url,
    ]
    return [safe_cell(c) for c in cells]


def selected(projects: list[Project], query: Query) -> list[Project]:
    """Every project the filters keep, in the finder's order: the same test as /api/projects."""
    return [p for p in projects if matches(p, query)]


def _filters_text(query: Query) -> str:
    applied = query.applied()
    return "; ".join(f"{k}={v}" for k, v in applied.items()) if applied else "none (every project)"


def to_csv(projects: list[Project], query: Query) -> str:
    """The CSV file: lines starting with # give the credit, terms and filters, then a header and one row a project."""
    chosen = selected(projects, query)
    info = credit()
    out = io.StringIO()
    # Credit first, as comment lines: whoever opens the file sees whose data it is and on what terms.
    for line in (
        f"# {info['text']} ({INDIGO_HOME}). Snapshot of {info['snapshot_text']}.",
        f"# Terms: {info['terms']}",
        f"# Filters: {_filters_text(query)}. Projects: {len(chosen)}.",
    ):
        out.write(line + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row(p) for p in chosen)
    return out.getvalue()


def to_json(projects: list[Project], query: Query) -> dict:
    """The JSON file: the credit, the filters, the total and every matching project as /api/projects lists them."""
    chosen = selected(projects, query)
    return {
        "credit": credit(),
        "filters": query.applied(),
        "total": len(chosen),
        "projects": [summary(p) for p in chosen],
    }


def filename(query: Query, extension: str) -> str:
    """'indigo-projects-2025-05-20.csv', with the filter values after the date when there are any."""
    values = "-".join(str(v) for v in query.applied().values())
    slug = re.sub(r"[^a-z0-9]+", "-", values.lower()).strip("-")[:60].strip("-")
    return f"indigo-projects-{snapshot()[1]}{'-' + slug if slug else ''}.{extension}"
