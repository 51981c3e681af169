"""Markdown for the fund pages and the organisations list (the finder is in project_finder.py)."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from search_api.projects.load import ROLES, Dataset, Fund
from search_api.projects.values import fmt_amount
from sitebuild.page import head
from sitebuild.project_pages import LAST_REVIEWED, NOT_RECORDED, esc, money_text, short, sources


def render_fund(fund: Fund, data: Dataset, related: list[str] | None = None) -> str:
    """One outcomes fund: key facts, purpose and every project INDIGO links to it."""
    projects = [p for p in data.projects if p.id in set(fund.project_ids)]
    n = len(projects)
    meta = {
        "title": short(fund.name, 120),
        "description": short(
            f"The {fund.name} outcomes fund and the {n} impact bond projects INDIGO links to it.", 200
        ),
        "type": "fund",
        "tags": ["outcomes fund", *([fund.country] if fund.country else [])],
        "last_reviewed": LAST_REVIEWED,
    }
    facts = [
        ("INDIGO id", esc(fund.id)),
        ("Country", esc(fund.country) or NOT_RECORDED),
        ("Run by", esc(fund.host) or NOT_RECORDED),
        ("Stage", esc(fund.stage) or NOT_RECORDED),
        ("Launched", str(fund.launch or NOT_RECORDED)),
        ("Outcomes funding planned", money_text(fund.value)),
        ("Projects in INDIGO", str(n)),
    ]
    lines = [
        *head(
            meta,
            f"{esc(fund.name)}",
            [
                f"The {esc(fund.name.split(' - ')[0])} is an outcomes fund{' in ' + esc(fund.country) if fund.country else ''}."
                f" An outcomes fund is a pot of money that pays for results across several projects. INDIGO links {n} impact bond {'project' if n == 1 else 'projects'} to it. All of them are listed below.",
            ],
        ),
        "## Key facts",
        "",
        "Table: Key facts about this fund, from INDIGO.",
        "",
        "| Fact | Detail |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in facts],
        "",
    ]
    if fund.purpose:
        lines += [
            "## Purpose",
            "",
            "Table: The fund's purpose in INDIGO's words.",
            "",
            "| Field | As recorded in INDIGO |",
            "| --- | --- |",
            f"| Purpose | {esc(fund.purpose)} |",
            "",
        ]
    lines += [f"## Projects ({n})", ""]
    if projects:
        lines += [
            "Table: The impact bond projects INDIGO links to this fund.",
            "",
            "| Project | Policy sector | Stage | Services started | Capital raised |",
            "| --- | --- | --- | --- | --- |",
        ]
        for p in projects:
            lines.append(
                f"| [{esc(p.name)}](../projects/{p.slug}.md) | {esc(p.policy_sector)} | {esc(p.stage)} "
                f"| {p.service_start or '—'} | {esc(p.capital_raised.display()) or '—'} |"
            )
    else:
        lines.append("INDIGO links no projects to this fund yet.")
    lines += ["", "## Related pages", "", "- [All outcomes funds](index.md)", "- [Find projects](../projects/index.md)"]
    lines += [*(related or []), "", *sources()]
    return "\n".join(lines)


def render_funds_index(data: Dataset) -> str:
    """The list of outcomes funds with their project counts."""
    fs = sorted(data.funds, key=lambda f: f.name)
    meta = {
        "title": "Outcomes funds",
        "description": f"The {len(fs)} outcomes funds in the INDIGO dataset, with the impact bond projects each one paid into.",
        "type": "fund",
        "tags": ["outcomes fund", "INDIGO"],
        "last_reviewed": LAST_REVIEWED,
    }
    lines = [
        *head(
            meta,
            "Outcomes funds",
            [
                f"An outcomes fund pays for results across many projects at once. INDIGO records {len(fs)} of them.",
                "Each fund page lists the projects INDIGO links to it.",
            ],
        ),
        "## All funds",
        "",
        f"Table: The {len(fs)} outcomes funds in INDIGO, with the number of projects linked to each.",
        "",
        "| Fund | Country | Stage | Projects |",
        "| --- | --- | --- | --- |",
    ]
    for f in fs:
        lines.append(
            f"| [{esc(f.name)}]({f.slug}.md) | {esc(f.country) or '—'} | {esc(f.stage) or '—'} | {len(f.project_ids)} |"
        )
    lines += ["", "## Related pages", "", "- [Find projects](../projects/index.md)", "", *sources()]
    return "\n".join(lines)


def render_organisations(data: Dataset) -> str:
    """Every organisation, grouped by first letter, each row with an id projects link to."""
    meta = {
        "title": "Organisations in impact bond projects",
        "description": "Outcome payers, investors, service providers and intermediaries named in the INDIGO dataset.",
        "type": "tool",
        "tags": ["organisations", "INDIGO", "data"],
        "last_reviewed": LAST_REVIEWED,
    }
    names = {p.id: p for p in data.projects}
    groups: dict[str, list] = defaultdict(list)
    for org in sorted(data.organisations.values(), key=lambda o: (o.name or o.id).lower()):
        first = (org.name or "?")[0].upper()
        groups[first if "A" <= first <= "Z" else "Other"].append(org)
    lines = [
        *head(
            meta,
            "Organisations in impact bond projects",
            [
                f"INDIGO names {len(data.organisations):,} organisations. This page lists each one with the projects it"
                " took part in and its role: outcome payer, investor, service provider or intermediary.",
            ],
        ),
    ]
    role_names = {k: v.rstrip("s").lower() for k, v in ROLES.items()}
    for letter in sorted(groups, key=lambda g: (g == "Other", g)):
        lines += [f"## {letter}", ""]
        rows = []
        for org in groups[letter]:
            parts = []
            for r in org.roles:
                p = names.get(r.project_id)
                where = f'<a href="../projects/{p.slug}/">{escape(p.name)}</a>' if p else escape(r.project_id)
                parts.append(f"{role_names[r.role]} in {where}")
            roles = "; ".join(dict.fromkeys(parts)) or "No project role recorded"
            rows.append(
                f'<tr id="{org.anchor}"><td>{escape(org.name or org.id)}</td><td>{escape(org.org_type) or "—"}</td>'
                f"<td>{roles}</td></tr>"
            )
        lines += [
            f'<table class="org-table"><caption>{_org_caption(letter)}</caption>'
            '<thead><tr><th scope="col">Organisation</th><th scope="col">Type</th>'
            '<th scope="col">Roles</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>",
            "",
        ]
    lines += sources()
    return "\n".join(lines)


def _org_caption(letter: str) -> str:
    """The caption of one letter's table on the organisations page."""
    if letter == "Other":
        return "Organisations whose names do not start with a letter from A to Z"
    return f"Organisations whose names start with {letter}"


def amount_label(value: float) -> str:
    """Short money label for chart axes: 1.5m, 250k."""
    if value >= 1e9:
        return f"{fmt_amount(round(value / 1e9, 1))}bn"
    if value >= 1e6:
        return f"{fmt_amount(round(value / 1e6, 1))}m"
    if value >= 1e3:
        return f"{fmt_amount(round(value / 1e3))}k"
    return fmt_amount(round(value))
