"""Markdown for one INDIGO project page (rendered by hooks/indigo.py at build time)."""

from __future__ import annotations

import html
import re

from search_api.projects.export import snapshot
from search_api.projects.load import CREDIT, INDIGO_HOME, RECORD_URL, ROLES, Money, Organisation, Project, Result
from search_api.projects.values import place_names
from sitebuild.page import head

LAST_REVIEWED = "2026-11-28"
# As GO Lab's README in kb/indigo/ states it, so a new snapshot dates every page by itself.
SNAPSHOT = snapshot()[0]
NOT_RECORDED = "Not recorded in INDIGO"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def esc(value: str) -> str:
    """Reader-facing INDIGO text made inert: no HTML, no Markdown, one line."""
    value = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))


def paragraphs(value: str) -> list[str]:
    """Multi-line INDIGO text as escaped paragraphs."""
    return [esc(part) for part in re.split(r"\n\s*\n|\r\n\s*\r\n", value) if part.strip()]


def short(value: str, limit: int) -> str:
    """Cut at a word boundary so titles fit the page schema."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"


def money_text(m: Money) -> str:
    """'GBP 5,000,000 (about USD 6,310,000 by INDIGO's conversion)' or NOT_RECORDED."""
    shown = m.display()
    if not shown:
        return NOT_RECORDED
    usd = m.display_usd()
    return esc(shown) + (f" (about {usd} by INDIGO's conversion)" if usd else "")


def org_link(org_id: str, orgs: dict[str, Organisation], prefix: str = "../") -> str:
    """A link to the organisation's row on the organisations page, or its bare id."""
    org = orgs.get(org_id)
    if org is None:
        return f"{esc(org_id)} (not in INDIGO's organisation list)"
    return f"[{esc(org.name or org.id)}]({prefix}organisations/index.md#{org.anchor})"


def sources(project_ids: list[str] | None = None) -> list[str]:
    """The closing Sources section with the INDIGO credit."""
    lines = [
        "## Sources",
        "",
        f"{CREDIT}. Snapshot of {SNAPSHOT}. GO Lab shares these data for research and policy analysis,"
        " not for auditing, investment or legal decisions.",
        "",
    ]
    lines += [f"- [INDIGO record {pid}]({RECORD_URL.format(id=pid)})" for pid in project_ids or []]
    lines += [f"- [The INDIGO impact bond dataset]({INDIGO_HOME})", ""]
    return lines


def render_project(
    p: Project, orgs: dict[str, Organisation], case_study: str | None = None, shared_name: bool = False
) -> str:
    """The whole project page; shared_name adds the id to the title when two projects share a name."""
    place = place_names(p.countries) or "an unrecorded country"
    meta = {
        "title": f"{short(p.name, 100)} ({p.id})" if shared_name else short(p.name, 120),
        "description": short(
            f"Impact bond project in {place} on {p.policy_sector.lower()}, from INDIGO record {p.id}.", 200
        ),
        "type": "project",
        "tags": ["impact bond project", p.policy_sector, *p.country_names],
        "last_reviewed": LAST_REVIEWED,
        "policy_area": p.policy_sector,
        "country": ", ".join(p.country_names),
        "indigo_id": p.id,
    }
    if p.launch_year and 2000 <= p.launch_year <= 2030:
        meta["launch_year"] = p.launch_year
    started = f" Services began in {p.service_start}." if p.service_start else ""
    summary = (
        f"{esc(short(p.name, 90))} is an impact bond project in {esc(place)}."
        f" Its policy sector is {esc(p.policy_sector.lower())}.{started}"
        f" INDIGO records its stage as {esc(p.stage.lower() or 'unknown')}."
    )
    lines = [
        *head(meta, esc(p.name), [summary]),
        *_key_facts(p, case_study),
        *_challenge(p),
        *_organisations(p, orgs),
        *_metrics(p),
        *_results(p),
        "## Related pages",
        "",
        "- [Find other impact bond projects](index.md)",
        "- [Charts of all projects](charts.md)",
        *([f"- [Case study of this project](../{case_study})"] if case_study else []),
        "",
        *sources([p.id]),
        *correction(p),
    ]
    return "\n".join(lines)


def correction(p: Project) -> list[str]:
    """How current the page is and where to report a mistake: INDIGO's record, since the hub copies it unchanged."""
    # GO Lab's README names no correction form, so the reader is sent to the record it does name.
    return [
        f"**How current this is:** this page shows INDIGO's snapshot of {SNAPSHOT}."
        " The hub copies the snapshot and changes nothing in it.",
        "",
        "**Report a mistake:** the hub cannot correct INDIGO's data. Tell the Government Outcomes Lab,"
        f" who keep INDIGO, so the source is corrected. Start from [INDIGO's record of {p.id}]({p.indigo_url}).",
        "",
    ]


def _key_facts(p: Project, case_study: str | None) -> list[str]:
    users = p.users_unit.lower() if p.users_unit else "people"
    rows = [
        ("INDIGO id", f"[{p.id}]({p.indigo_url})"),
        ("Also known as", esc(p.alt_names)),
        ("Stage", esc(p.stage) or NOT_RECORDED),
        ("Country", esc(", ".join(p.country_names)) or NOT_RECORDED),
        ("Where services were delivered", esc("; ".join(p.locations[:8]))),
        ("Policy sector", esc(p.policy_sector)),
        ("Outcomes contract signed", str(p.contract_signed or NOT_RECORDED)),
        ("Services started", str(p.service_start or NOT_RECORDED)),
        ("Services ended", str(p.service_end or "")),
        ("Services planned to end", "" if p.service_end else str(p.service_end_planned or "")),
        (
            "Service users targeted",
            f"{p.users_targeted:,} {esc(users)}" if p.users_targeted is not None else NOT_RECORDED,
        ),
        ("Service users engaged", f"{p.users_engaged:,} {esc(users)}" if p.users_engaged is not None else NOT_RECORDED),
        ("Capital raised", money_text(p.capital_raised)),
        ("Maximum outcome payment", money_text(p.max_outcome_payment)),
        ("Outcomes fund", "; ".join(f"[{esc(f.name)}](../funds/{f.slug}.md)" for f in p.funds)),
        ("Changes due to Covid-19", esc(p.covid_changes)),
        ("Case study", f"[Read the case study](../{case_study})" if case_study else ""),
    ]
    # "Table:" paragraphs become the table's <caption> (hooks/captions.py).
    out = [
        "## Key facts",
        "",
        "Table: Key facts about this project, from INDIGO.",
        "",
        "| Fact | Detail |",
        "| --- | --- |",
    ]
    out += [f"| {label} | {value} |" for label, value in rows if value]
    return out + [""]


def cell(value: str) -> str:
    """INDIGO free text for a table cell: paragraphs kept apart with line breaks."""
    return "<br><br>".join(paragraphs(value))


def _challenge(p: Project) -> list[str]:
    out = ["## Social challenge and intervention", ""]
    parts = [("Social challenge", p.social_challenge), ("Who it was for", p.target_population)]
    rows = [(label, cell(value)) for label, value in [*parts, ("Intervention", p.intervention)] if cell(value)]
    if not rows:
        return out + ["INDIGO does not describe the social challenge or the intervention for this project.", ""]
    # INDIGO's own words, shown as recorded: a table keeps them apart from the hub's prose.
    out += ["INDIGO describes the project in these words.", "", "Table: This project in INDIGO's words.", ""]
    out += ["| Field | As recorded in INDIGO |", "| --- | --- |"]
    return out + [f"| {label} | {text} |" for label, text in rows] + [""]


def _organisations(p: Project, orgs: dict[str, Organisation]) -> list[str]:
    out = ["## Organisations", ""]
    for role, label in ROLES.items():
        holders = p.roles_of(role)
        out += [f"### {label}", ""]
        if not holders:
            out += [f"INDIGO names no {label.lower()} for this project.", ""]
            continue
        for r in holders:
            extra = [esc(r.category)] if r.category else []
            if r.amount and r.amount.display():
                what = "maximum outcome payment" if role == "outcome_payer" else "investment"
                extra.append(f"{what} {esc(r.amount.display())}")
            out.append(f"- {org_link(r.org_id, orgs)}" + (f": {', '.join(extra)}" if extra else ""))
        out.append("")
    return out


def _metrics(p: Project) -> list[str]:
    out = ["## Outcome metrics", ""]
    if not p.metrics:
        return out + ["INDIGO lists no outcome metrics for this project.", ""]
    out += [
        f"INDIGO lists {len(p.metrics)} outcome metrics that outcome payments depended on, in its own words.",
        "",
        "Table: Outcome metrics of this project, as recorded in INDIGO.",
        "",
        "| No. | Outcome metric | Who it counts | Target and how it was checked |",
        "| --- | --- | --- | --- |",
    ]
    for n, m in enumerate(p.metrics, 1):
        head, rest = _headline(m.definition)
        what = " ".join(x for x in (f"**{esc(head)}**" if head else "", cell(rest)) if x) or "Definition not recorded"
        who = esc(m.target_population)
        if m.target_count is not None:
            who = f"{who} ({m.target_count:,} targeted)" if who else f"{m.target_count:,} targeted"
        checks = [
            f"Target: {esc(m.target)}" if m.target else "",
            f"Checked by: {esc(m.validation_method)}" if m.validation_method else "",
        ]
        out.append(f"| {n} | {what} | {who or '—'} | {'<br>'.join(c for c in checks if c) or '—'} |")
    return out + [""]


def _headline(definition: str) -> tuple[str, str]:
    """A short bold name and the rest: INDIGO puts the name on the first line or before the first full stop."""
    head, _, rest = definition.strip().partition("\n")
    if not rest:
        name, dot, more = head.partition(". ")
        if dot and len(name) <= 60:
            return name.strip(), more.strip()
        return "", head.strip()
    return head.strip(), rest.strip()


def _results(p: Project) -> list[str]:
    out = ["## Results", ""]
    if not p.results:
        return out + ["INDIGO reports no results for this project yet.", ""]
    numbers = {m.id: n for n, m in enumerate(p.metrics, 1)}
    out += [
        "Table: Results recorded in INDIGO for this project.",
        "",
        "| Measured against | Type | Period | Engaged | Positive outcomes | Outcomes achieved |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in p.results:
        out.append(
            f"| {_measured(r, numbers)} | {esc(r.result_type) or '—'} | {_period(r)} | {esc(r.engaged) or '—'} "
            f"| {esc(r.positive) or '—'} | {esc(r.achieved or r.description) or '—'} |"
        )
    return out + [""]


def _measured(r: Result, numbers: dict[str, int]) -> str:
    if r.metric_id in numbers:
        return f"Outcome metric {numbers[r.metric_id]}"
    return "Whole project" if not r.metric_id else esc(r.metric_id)


def _period(r: Result) -> str:
    if r.start and r.end:
        return f"{r.start} to {r.end}"
    return str(r.start or r.end or "—")
