"""Inline SVG charts of the INDIGO projects, drawn in Python at build time (no JavaScript)."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from html import escape

from search_api.projects.load import Dataset, Project
from search_api.projects.values import country_name, fmt_amount
from sitebuild.chart_style import DOT, GRID, MEDIAN, pattern_defs, pattern_id, series_colour
from sitebuild.page import head
from sitebuild.project_lists import amount_label
from sitebuild.project_pages import LAST_REVIEWED, sources

TOP_COUNTRIES = 15
# Chart text in viewBox units. The CSS keeps each chart at least 660 px wide (scrolling sideways
# inside its box on narrow screens), so 14 units never render below 14 * 660 / 760 = 12.2 px.
FONT_SIZE = 14


def _svg(key: str, width: int, height: int, title: str, desc: str, body: list[str], defs: str = "") -> str:
    return (
        f'<svg class="indigo-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="sans-serif" font-size="{FONT_SIZE}" fill="currentColor">'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(desc)}</desc>'
        + defs
        + "".join(body)
        + "</svg>"
    )


def _figure(svg: str, caption: str, label: str) -> str:
    # The box scrolls sideways on narrow screens; tabindex lets keyboard users scroll it (axe:
    # scrollable-region-focusable), and the role and name say what they have reached.
    return (
        f'<figure class="indigo-figure"><div class="indigo-chart-scroll" tabindex="0" role="region" '
        f'aria-label="{escape(label)}">{svg}</div><figcaption>{escape(caption)}</figcaption></figure>'
    )


def _chart_section(heading: str, svg: str, caption: str, table_caption: str, table: list[str]) -> list[str]:
    """A chart's section: heading, the figure with its caption, then the table of its data."""
    # The "Table:" paragraph becomes the table's <caption> (hooks/captions.py).
    return [
        f"## {heading}",
        "",
        _figure(svg, caption, f"Chart: {heading}"),
        "",
        f"Table: {table_caption}",
        "",
        *table,
        "",
    ]


def by_year_and_sector(projects: list[Project]) -> tuple[list[int], list[str], Counter]:
    """Years, sectors and a Counter of (year, sector) for projects with a launch year."""
    counts: Counter = Counter((p.launch_year, p.policy_sector) for p in projects if p.launch_year)
    years = list(range(min(y for y, _ in counts), max(y for y, _ in counts) + 1))
    sectors = sorted({s for _, s in counts}, key=lambda s: -sum(v for (_, t), v in counts.items() if t == s))
    return years, sectors, counts


def chart_years(projects: list[Project]) -> list[str]:
    """Stacked bars: projects launched per year, split by policy sector."""
    years, sectors, counts = by_year_and_sector(projects)
    totals = [sum(counts[(y, s)] for s in sectors) for y in years]
    top = max(totals)
    # One key entry per row: on a narrow screen the whole key fits before the box needs scrolling.
    w, left, top_pad, plot_h, key_row = 760, 40, 20, 320, 26
    bottom = 44 + key_row * len(sectors)
    h = top_pad + plot_h + bottom
    step = (w - left - 10) / len(years)
    gap = 2  # background-coloured gap between stacked segments, so each has its own edge
    body = []
    for tick in range(0, top + 1, 10):
        y = top_pad + plot_h - tick / top * plot_h
        body.append(f'<line x1="{left}" x2="{w - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        body.append(f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end">{tick}</text>')
    for i, year in enumerate(years):
        x, base = left + i * step + 3, top_pad + plot_h
        for j, sector in enumerate(sectors):
            n = counts[(year, sector)]
            if n:
                bar = n / top * plot_h
                base -= bar
                # The stroke (inset by half its width) keeps the edge in the series colour when
                # the pattern's background-coloured shapes reach it.
                body.append(
                    f'<rect class="chart-mark" data-series="{escape(sector)}" x="{x + 0.5:.1f}" y="{base + gap + 0.5:.1f}" '
                    f'width="{step - 7:.1f}" height="{max(bar - gap - 1, 0.5):.1f}" fill="url(#{pattern_id("chart-years", j)})" '
                    f'stroke="{series_colour(j)}"><title>{year}, {escape(sector)}: {n}</title></rect>'
                )
        body.append(
            f'<text x="{x + (step - 6) / 2:.1f}" y="{top_pad + plot_h + 18}" text-anchor="middle">{year}</text>'
        )
        body.append(f'<text x="{x + (step - 6) / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle">{totals[i]}</text>')
    for j, sector in enumerate(sectors):
        # The key shows the same pattern as the bars, large enough to see its shape.
        lx, ly = left, top_pad + plot_h + 52 + j * key_row
        body.append(
            f'<rect class="chart-key" data-series="{escape(sector)}" x="{lx + 0.5}" y="{ly - 15.5}" width="21" height="21" '
            f'fill="url(#{pattern_id("chart-years", j)})" stroke="{series_colour(j)}"/>'
        )
        body.append(f'<text x="{lx + 30}" y="{ly}">{escape(sector)}</text>')
    peak = years[totals.index(top)]
    title = "Impact bond projects launched each year, by policy sector"
    desc = (
        f"Stacked bar chart of {sum(totals)} projects from {years[0]} to {years[-1]}; each sector has its own colour and pattern. "
        f"Launches peaked in {peak} with {top} projects. The table after the chart gives every figure."
    )
    undated = len(projects) - sum(totals)
    caption = f"Figure 1. {title}. {undated} projects with no recorded start or contract date are left out."
    table = ["| Year | " + " | ".join(sectors) + " | Total |", "| --- " * (len(sectors) + 2) + "|"]
    for year, total in zip(years, totals, strict=True):
        table.append(f"| {year} | " + " | ".join(str(counts[(year, s)]) for s in sectors) + f" | {total} |")
    svg = _svg("chart-years", w, h, title, desc, body, pattern_defs("chart-years", len(sectors)))
    data_caption = "The data for Figure 1: projects launched each year, by policy sector."
    return _chart_section("Projects launched per year", svg, caption, data_caption, table)


def country_counts(projects: list[Project]) -> Counter:
    """Projects per country code; a project in two countries counts in each."""
    return Counter(c for p in projects for c in p.countries)


def chart_countries(projects: list[Project]) -> list[str]:
    """Horizontal bars: the countries with most projects, then all others together."""
    counts = country_counts(projects)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], country_name(kv[0])))
    shown = [(country_name(c), n) for c, n in ranked[:TOP_COUNTRIES]]
    rest = ranked[TOP_COUNTRIES:]
    if rest:
        shown.append((f"{len(rest)} other countries", sum(n for _, n in rest)))
    w, left, row = 760, 190, 24
    h = row * len(shown) + 20
    top = max(n for _, n in shown)
    body = []
    for i, (name, n) in enumerate(shown):
        y = 10 + i * row
        bar = n / top * (w - left - 50)
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(name)}</text>')
        body.append(
            f'<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="{row - 8}" class="chart-mark" fill="{series_colour(0)}"/>'
        )
        body.append(f'<text x="{left + bar + 6:.1f}" y="{y + 15}">{n}</text>')
    title = "Impact bond projects by country"
    desc = (
        f"Bar chart of projects in {len(counts)} countries. {shown[0][0]} has the most, with {shown[0][1]}. "
        f"The next are {shown[1][0]} with {shown[1][1]} and {shown[2][0]} with {shown[2][1]}."
    )
    caption = f"Figure 2. {title}: the {TOP_COUNTRIES} with most projects, then the rest together. A project in two countries counts in both."
    table = ["| Country | Projects |", "| --- | --- |"] + [f"| {country_name(c)} | {n} |" for c, n in ranked]
    svg = _svg("chart-countries", w, h, title, desc, body)
    data_caption = "The data for Figure 2: projects in every country INDIGO records."
    return _chart_section("Projects by country", svg, caption, data_caption, table)


def capital_by_sector(projects: list[Project]) -> dict[str, list[float]]:
    """US dollar capital raised per project, grouped by sector (projects without a figure left out)."""
    out: dict[str, list[float]] = {}
    for p in projects:
        value = p.capital_raised.value_usd
        if value is not None and value > 0:
            out.setdefault(p.policy_sector, []).append(value)
    return {s: sorted(v) for s, v in sorted(out.items(), key=lambda kv: -statistics.median(kv[1]))}


def chart_capital(projects: list[Project]) -> list[str]:
    """Strip plot on a log scale: each ring a project's capital raised, a bar at each sector's median."""
    groups = capital_by_sector(projects)
    values = [v for vs in groups.values() for v in vs]
    lo, hi = 10 ** math.floor(math.log10(min(values))), 10 ** math.ceil(math.log10(max(values)))
    w, left, row, top_pad = 760, 190, 44, 10
    h = top_pad + row * len(groups) + 40

    def x(v: float) -> float:
        return left + (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * (w - left - 45)

    body = []
    tick = lo
    while tick <= hi:
        body.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top_pad}" y2="{h - 30}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        body.append(f'<text x="{x(tick):.1f}" y="{h - 14}" text-anchor="middle">${amount_label(tick)}</text>')
        tick *= 10
    for i, (sector, vs) in enumerate(groups.items()):
        mid = top_pad + i * row + row / 2
        body.append(f'<text x="{left - 8}" y="{mid + 4:.1f}" text-anchor="end">{escape(sector)}</text>')
        for k, v in enumerate(vs):
            # A fixed zig-zag instead of random jitter keeps the drawing the same on every build.
            dy = ((k % 5) - 2) * 4
            body.append(
                f'<circle class="chart-mark" cx="{x(v):.1f}" cy="{mid + dy:.1f}" r="3.5" fill="none" stroke="{DOT}" stroke-width="1.5"/>'
            )
        med = statistics.median(vs)
        body.append(
            f'<line x1="{x(med):.1f}" x2="{x(med):.1f}" y1="{mid - 15:.1f}" y2="{mid + 15:.1f}" class="chart-mark" stroke="{MEDIAN}" stroke-width="3">'
            f"<title>{escape(sector)} median: ${fmt_amount(round(med))}</title></line>"
        )
    title = "Capital raised per project, by policy sector (US dollars, log scale)"
    desc = (
        f"Each ring is one of {len(values)} projects with a recorded investment figure, on a logarithmic scale "
        f"from ${amount_label(lo)} to ${amount_label(hi)}. A dark red bar marks each sector's median. "
        f"The table after the chart gives the figures."
    )
    caption = (
        f"Figure 3. {title}. Amounts are INDIGO's US dollar conversions; where INDIGO gives a range, the middle"
        f" of the range is used. {len(projects) - len(values)} projects with no investment figure are left out."
    )
    table = [
        "| Policy sector | Projects with a figure | Smallest | Median | Largest | Total |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for sector, vs in groups.items():
        cells = [min(vs), statistics.median(vs), max(vs), sum(vs)]
        table.append(f"| {sector} | {len(vs)} | " + " | ".join(f"USD {fmt_amount(round(c))}" for c in cells) + " |")
    svg = _svg("chart-capital", w, h, title, desc, body)
    data_caption = "The data for Figure 3: capital raised per project, by policy sector, in US dollars."
    return _chart_section("Capital raised by policy sector", svg, caption, data_caption, table)


def render_charts(data: Dataset) -> str:
    """The charts page: three figures, each followed by its data table."""
    meta = {
        "title": "Impact bond projects in charts",
        "description": "Charts of the INDIGO impact bond projects: launches per year by policy sector, projects by country and capital raised by sector.",
        "type": "tool",
        "tags": ["impact bond project", "INDIGO", "data"],
        "last_reviewed": LAST_REVIEWED,
    }
    ps = data.projects
    lines = [
        *head(
            meta,
            "Impact bond projects in charts",
            [
                f"These charts show the {len(ps)} impact bond projects in INDIGO: when they launched, where they are and"
                " how much capital they raised. A table after each chart gives the same figures.",
            ],
        ),
        "Launch year is the year services started, or the year the outcomes contract was signed if the start is not"
        " recorded. You can also [browse and filter every project](index.md).",
        "",
        *chart_years(ps),
        *chart_countries(ps),
        *chart_capital(ps),
        *sources(),
    ]
    return "\n".join(lines)
