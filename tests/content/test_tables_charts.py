"""Every table has a caption and a header row; every chart has a name, a description and its data.

Checked on every HTML page of the built site. Charts are inline SVG (the INDIGO charts),
images, and Mermaid diagrams. An SVG chart needs role="img", a name (<title>, aria-label or
aria-labelledby), a description and a data table before the next heading. A Mermaid
diagram needs accTitle and accDescr in its source, a <figure> with a <figcaption>, and a
list or table giving the same information before the next heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.support import content_site as cs

HTML_FILES = cs.html_files()
HEADINGS = {"h1", "h2", "h3"}
TEXT_ALTERNATIVES = {"ol", "ul", "dl", "table"}


@dataclass
class Table:
    """One table: its caption text, whether its first row has a th, and where it is."""

    where: str
    caption: str = ""
    header_row: bool = False
    rows: int = 0


@dataclass
class Chart:
    """One chart (svg, img or Mermaid) and what makes it accessible."""

    kind: str
    where: str
    problems: list[str] = field(default_factory=list)
    followed_by: str | None = None  # the first table/list/heading after it


class _Parser(HTMLParser):
    """Collects tables, charts and the order of headings, tables and lists in the article."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.charts: list[Chart] = []
        self.ids: dict[str, str] = {}
        self._text: dict[str, list[str]] = {}  # element id -> its text (for aria-labelledby)
        self._open_ids: list[tuple[str, str]] = []
        self._stack: list[Table] = []
        self._in_caption = False
        self._svg_depth = 0
        self._svg: tuple[Chart, dict, list[str]] | None = None
        self._heading = "(top of page)"
        self._in_heading = False
        self._pending: list[Chart] = []
        self._figures: list[dict] = []  # open <figure>s: has it a <figcaption>, which diagrams it holds
        self._mermaid: tuple[Chart, list[str]] | None = None
        self._article = 0  # inside <article>: Material's icons outside it are interface, not charts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self._open_ids.append((tag, a["id"]))
            self._text[a["id"]] = []
        if tag == "article":
            self._article += 1
        if tag in HEADINGS:
            self._follow(tag)
            self._in_heading, self._heading = True, ""
        elif tag == "figure":
            self._figures.append({"caption": False, "charts": []})
        elif tag == "figcaption" and self._figures:
            self._figures[-1]["caption"] = True
        elif tag == "table":
            self._follow("table")
            self._stack.append(Table(self._heading))
        elif tag in TEXT_ALTERNATIVES and not self._stack:
            self._follow(tag)
        elif tag == "caption" and self._stack:
            self._in_caption = True
        elif tag == "tr" and self._stack:
            self._stack[-1].rows += 1
        elif tag == "th" and self._stack and self._stack[-1].rows <= 1:
            self._stack[-1].header_row = True
        elif tag == "svg":
            self._svg_depth += 1
            if self._svg_depth == 1 and self._article and a.get("aria-hidden") != "true":
                self._svg = (Chart("svg", self._heading), a, [])
        elif tag in ("title", "desc") and self._svg and self._svg_depth == 1:
            self._svg[2].append(tag)
        elif tag == "img":
            chart = Chart("img", self._heading)
            if not a.get("alt", "").strip() and a.get("role") != "presentation":
                chart.problems.append(f"image {a.get('src', '')!r} has no alt text")
            self.charts.append(chart)
        elif tag in ("pre", "div") and "mermaid" in a.get("class", "").split():
            self._mermaid = (Chart("mermaid", self._heading), [])
            if self._figures:
                self._figures[-1]["charts"].append(self._mermaid[0])
            else:
                self._mermaid[0].problems.append("the diagram is not inside a <figure>")

    def handle_endtag(self, tag: str) -> None:
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()
        if tag == "article":
            self._article -= 1
        if tag in HEADINGS:
            self._in_heading = False
        elif tag == "figure" and self._figures:
            figure = self._figures.pop()
            for chart in figure["charts"] if not figure["caption"] else []:
                chart.problems.append("its <figure> has no <figcaption>")
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "caption":
            self._in_caption = False
        elif tag == "svg":
            self._svg_depth -= 1
            if self._svg_depth == 0 and self._svg:
                self._finish_svg(*self._svg)
                self._svg = None
        elif tag in ("pre", "div") and self._mermaid:
            chart, source = self._mermaid
            text = "".join(source)
            for key in ("accTitle", "accDescr"):
                if key not in text:
                    chart.problems.append(f"the Mermaid source has no {key}")
            self.charts.append(chart)
            self._pending.append(chart)
            self._mermaid = None

    def handle_data(self, data: str) -> None:
        for _, ident in self._open_ids:
            self._text[ident].append(data)
        if self._in_heading:
            self._heading += data.strip().rstrip("¶")
        if self._in_caption and self._stack:
            self._stack[-1].caption += data
        if self._mermaid:
            self._mermaid[1].append(data)

    def _finish_svg(self, chart: Chart, a: dict, children: list[str]) -> None:
        if a.get("role") != "img":
            chart.problems.append('the svg has no role="img"')
        named = a.get("aria-label", "").strip() or "title" in children
        named = named or any("".join(self._text.get(i, [])).strip() for i in a.get("aria-labelledby", "").split())
        if not named:
            chart.problems.append("the svg has no accessible name (title, aria-label or aria-labelledby)")
        if "desc" not in children and not a.get("aria-describedby"):
            chart.problems.append("the svg has no <desc> or aria-describedby")
        self.charts.append(chart)
        self._pending.append(chart)

    def _follow(self, tag: str) -> None:
        """Tell each chart still waiting what came after it."""
        for chart in self._pending:
            chart.followed_by = tag
        self._pending = []


def inspect(html: str) -> tuple[list[Table], list[Chart]]:
    """The tables and charts of one HTML document."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.tables, parser.charts


def table_problems(tables: list[Table]) -> list[str]:
    """One line per table without a caption or without a header row."""
    out = []
    for i, t in enumerate(tables, 1):
        label = f"table {i} (under {t.where!r})"
        if not " ".join(t.caption.split()):
            out.append(f"{label}: no <caption>")
        if not t.header_row:
            out.append(f"{label}: the first row has no <th> header cell")
    return out


def chart_problems(charts: list[Chart]) -> list[str]:
    """One line per chart problem, including a missing data table or text alternative."""
    out = []
    for i, c in enumerate(charts, 1):
        label = f"{c.kind} {i} (under {c.where!r})"
        out += [f"{label}: {p}" for p in c.problems]
        if c.kind == "svg" and c.followed_by != "table":
            out.append(f"{label}: no data table follows it before the next heading")
        if c.kind == "mermaid" and c.followed_by not in TEXT_ALTERNATIVES:
            out.append(f"{label}: no list or table gives its information before the next heading")
    return out


# --- the checker can fail ----------------------------------------------------------------

GOOD_SVG = '<svg role="img" aria-labelledby="t"><title id="t">Sales</title><desc>Up</desc></svg>'


def test_a_table_without_caption_or_header_fails():
    tables, _ = inspect(
        "<h2>Facts</h2><table><tr><td>a</td></tr></table><table><caption>C</caption><tr><th>h</th></tr></table>"
    )
    assert table_problems(tables) == [
        "table 1 (under 'Facts'): no <caption>",
        "table 1 (under 'Facts'): the first row has no <th> header cell",
    ]


def test_a_chart_needs_a_name_description_and_data_table():
    _, charts = inspect(
        f"<article><h2>A</h2>{GOOD_SVG}<table></table><h2>B</h2><svg><rect/></svg><h2>C</h2><img src=x.png></article>"
        "<svg><path/></svg>"
    )
    assert chart_problems(charts) == [
        "svg 2 (under 'B'): the svg has no role=\"img\"",
        "svg 2 (under 'B'): the svg has no accessible name (title, aria-label or aria-labelledby)",
        "svg 2 (under 'B'): the svg has no <desc> or aria-describedby",
        "svg 2 (under 'B'): no data table follows it before the next heading",
        "img 3 (under 'C'): image 'x.png' has no alt text",
    ]


def test_a_mermaid_diagram_needs_acc_title_figure_and_a_list():
    good = '<figure><pre class="mermaid"><code>flowchart LR\naccTitle: T\naccDescr: D\nA-->B</code></pre><figcaption>F</figcaption></figure><p>x</p><ol><li>A</li></ol>'
    bad = '<h2>B</h2><pre class="mermaid"><code>flowchart LR\nA-->B</code></pre><p>Only prose.</p><h2>C</h2>'
    assert chart_problems(inspect(good)[1]) == []
    assert chart_problems(inspect(bad)[1]) == [
        "mermaid 1 (under 'B'): the diagram is not inside a <figure>",
        "mermaid 1 (under 'B'): the Mermaid source has no accTitle",
        "mermaid 1 (under 'B'): the Mermaid source has no accDescr",
        "mermaid 1 (under 'B'): no list or table gives its information before the next heading",
    ]


# --- every page of the built site --------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Path:
    return cs.built_site().path


@pytest.mark.parametrize("html_rel", HTML_FILES)
def test_tables_have_captions_and_header_rows(site, html_rel):
    tables, _ = inspect((site / html_rel).read_text(encoding="utf-8"))
    problems = table_problems(tables)
    assert not problems, f"{html_rel}:\n" + "\n".join(problems)


@pytest.mark.parametrize("html_rel", HTML_FILES)
def test_charts_have_a_text_alternative_and_their_data(site, html_rel):
    _, charts = inspect((site / html_rel).read_text(encoding="utf-8"))
    problems = chart_problems(charts)
    assert not problems, f"{html_rel}:\n" + "\n".join(problems)


def test_the_site_has_charts_and_tables_to_check(site):
    """Guards the checks above against passing because the parser found nothing."""
    counts = {"svg": 0, "mermaid": 0, "tables": 0}
    for rel in HTML_FILES:
        tables, charts = inspect((site / rel).read_text(encoding="utf-8"))
        counts["tables"] += len(tables)
        for c in charts:
            counts[c.kind] = counts.get(c.kind, 0) + 1
    assert counts["svg"] >= 3 and counts["mermaid"] >= 1 and counts["tables"] >= 300, counts
