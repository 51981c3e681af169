"""Markdown for the project finder: a full HTML table, the filter form and the downloads (rendered by hooks/indigo.py)."""

from __future__ import annotations

from html import escape

from search_api.projects.export import snapshot
from search_api.projects.load import Dataset, Project
from search_api.projects.query import MAX_Q, YEAR_RANGE
from search_api.projects.values import country_name
from sitebuild.page import head
from sitebuild.project_pages import LAST_REVIEWED, sources


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _options(values: list[tuple[str, str]], everything: str) -> str:
    opts = [f'<option value="">{everything}</option>']
    opts += [f'<option value="{_attr(v)}">{escape(label)}</option>' for v, label in values]
    return "".join(opts)


def _money_cell(p: Project) -> str:
    shown = p.capital_raised.display()
    value = p.capital_raised.value_usd
    sort = f' data-value="{round(value)}"' if value is not None else ' data-value=""'
    return f"<td{sort}>{escape(shown) if shown else '—'}</td>"


def finder_row(p: Project) -> str:
    """One <tr> with the data attributes project-finder.js filters on."""
    year = p.launch_year or ""
    data = {
        "id": p.id,
        "country": " ".join(p.countries),
        "sector": p.policy_sector,
        "stage": p.stage,
        "year": year,
        "funds": " ".join(f.id for f in p.funds),
        "text": p.search_text(),
    }
    attrs = " ".join(f'data-{k}="{_attr(v)}"' for k, v in data.items())
    funds = "; ".join(escape(f.name) for f in p.funds) or "—"
    return (
        f'<tr {attrs}><td><a href="{p.slug}/">{escape(p.name)}</a></td>'
        f"<td>{escape(', '.join(p.country_names))}</td><td>{escape(p.policy_sector)}</td>"
        f"<td>{escape(p.stage)}</td><td>{year or '—'}</td><td>{funds}</td>{_money_cell(p)}</tr>"
    )


def render_finder(data: Dataset) -> str:
    """The finder: a full HTML table (works without JavaScript) and a filter form JS reveals."""
    ps = data.projects
    years = [p.launch_year for p in ps if p.launch_year]
    countries = sorted({(c, country_name(c)) for p in ps for c in p.countries}, key=lambda x: x[1])
    sectors = sorted({p.policy_sector for p in ps})
    stages = sorted({p.stage for p in ps if p.stage})
    funds = sorted({(f.id, f.name) for p in ps for f in p.funds}, key=lambda x: x[1])
    lo, hi = min(years), max(years)
    meta = {
        "title": "Find impact bond projects",
        "description": f"Browse, sort and filter all {len(ps)} impact bond projects in the INDIGO dataset "
        "by country, policy sector, stage, launch year and outcomes fund.",
        "type": "tool",
        "tags": ["impact bond project", "INDIGO", "data"],
        "last_reviewed": LAST_REVIEWED,
    }
    heads = ["Project", "Country", "Policy sector", "Stage", "Launch year", "Outcomes fund", "Capital raised"]
    kinds = ["text", "text", "text", "text", "number", "text", "number"]
    th = "".join(f'<th scope="col" data-sort="{k}">{h}</th>' for h, k in zip(heads, kinds, strict=True))
    form = (
        '<form id="project-finder" class="project-finder" hidden role="search" aria-label="Filter projects">'
        '<div class="pf-field pf-wide"><label for="pf-q">Words in the name or description</label>'
        f'<input type="search" id="pf-q" name="q" autocomplete="off" maxlength="{MAX_Q}"></div>'
        f'<div class="pf-field"><label for="pf-country">Country</label><select id="pf-country" name="country">'
        f"{_options(countries, 'All countries')}</select></div>"
        f'<div class="pf-field"><label for="pf-sector">Policy sector</label><select id="pf-sector" name="sector">'
        f"{_options([(s, s) for s in sectors], 'All sectors')}</select></div>"
        f'<div class="pf-field"><label for="pf-stage">Stage</label><select id="pf-stage" name="stage">'
        f"{_options([(s, s) for s in stages], 'All stages')}</select></div>"
        f'<div class="pf-field"><label for="pf-fund">Outcomes fund</label><select id="pf-fund" name="fund">'
        f"{_options(funds, 'Any or no fund')}</select></div>"
        f'<div class="pf-field"><label for="pf-from">Launched from (year)</label>'
        f'<input type="number" id="pf-from" name="from" min="{lo}" max="{hi}" placeholder="{lo}"></div>'
        f'<div class="pf-field"><label for="pf-to">Launched up to (year)</label>'
        f'<input type="number" id="pf-to" name="to" min="{lo}" max="{hi}" placeholder="{hi}"></div>'
        '<div class="pf-field"><button type="reset" class="md-button">Clear filters</button></div>'
        "</form>"
    )
    lines = [
        *head(
            meta,
            "Find impact bond projects",
            [
                f"This table lists all {len(ps)} impact bond projects in INDIGO, a dataset kept by the"
                " Government Outcomes Lab. Filter it by country, policy sector, stage, launch year or outcomes fund.",
                "Select a column heading to sort it. Each project name opens a page of key facts.",
            ],
        ),
        "Launch year is the year services started, or the year the outcomes contract was signed if the start"
        " is not recorded. Capital raised is shown in the original currency and sorted by INDIGO's US dollar value.",
        "See also the [charts of all projects](charts.md), the [outcomes funds](../funds/index.md) and the"
        " [organisations involved](../organisations/index.md).",
        "",
        form,
        "",
        f'<p id="pf-status" class="pf-status" role="status" aria-live="polite">All {len(ps)} projects are listed.</p>',
        "",
        # Above the table: below it, 319 rows would hide the links from anyone who does not scroll to the end.
        *_downloads(len(ps)),
        '<div class="pf-table-wrap"><table id="project-table" class="project-table">'
        f"<caption>Impact bond projects in INDIGO ({len(ps)})</caption>"
        f"<thead><tr>{th}</tr></thead><tbody>" + "".join(finder_row(p) for p in ps) + "</tbody></table></div>",
        "",
        '<p id="pf-none" class="pf-none" hidden>No project matches these filters. Clear a filter to see more.</p>',
        "",
        *sources(),
    ]
    return "\n".join(lines)


def static_file(extension: str) -> str:
    """The whole data set's file beside the finder (hooks/indigo.py writes it), named as the API names it."""
    # The name is the download's name too: some servers send their own, overriding <a download>.
    return f"indigo-projects-{snapshot()[1]}.{extension}"


def _downloads(total: int) -> list[str]:
    """The finder's downloads: the filtered list from the API (project-finder.js reveals it) and every project."""
    low, high = YEAR_RANGE
    return [
        '<div id="pf-downloads" class="pf-downloads" role="group" aria-labelledby="pf-downloads-title">'
        '<p id="pf-downloads-title" class="pf-downloads-title">Download these projects</p>'
        '<p id="pf-download-api" hidden><span id="pf-download-what">All the projects listed</span>, as a'
        ' <a id="pf-csv" href="/api/projects.csv" download>CSV file</a> or a'
        ' <a id="pf-json" href="/api/projects.json" download>JSON file</a>. The file holds the rows the table shows.</p>'
        f'<p id="pf-download-check" class="pf-download-check" hidden>To download, give launch years from {low} to'
        f" {high}, with the first year no later than the second.</p>"
        '<p id="pf-download-offline" hidden>This copy of the hub has no API, so it cannot make a file of the'
        " filtered list. Download every project below instead.</p>"
        f'<p>Every project ({total}): <a href="{static_file("csv")}" download>CSV file</a>'
        f' or <a href="{static_file("json")}" download>JSON file</a>.</p>'
        f"<p>Each file holds INDIGO's snapshot of {snapshot()[0]} and names its source and terms: GO Lab shares"
        " the data for research and policy analysis, not for auditing, investment or legal decisions."
        " In the CSV file, the lines before the header start with #.</p>"
        "</div>",
        "",
    ]
