"""Chart marks have 3:1 contrast on every page scheme, and stacked series differ by pattern, not colour alone.

Reads the inline SVG charts of the built site (WCAG 2.2 SC 1.4.11 non-text contrast, SC 1.4.1 use
of colour). tests/content/test_chart_reflow.py checks the same charts in a real browser at 320 px.
"""

from __future__ import annotations

import colorsys
import re
import xml.etree.ElementTree as ET
from html import unescape
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from search_api.config import ROOT
from sitebuild.chart_style import contrast_ratio
from tests.support import content_site as cs

SVG_NS = "{http://www.w3.org/2000/svg}"
SHAPES = {"rect", "circle", "ellipse", "line", "path", "polygon", "polyline"}
CHART = re.compile(r'<svg class="indigo-chart".*?</svg>', re.S)
MIN_CONTRAST = 3.0


def _hsl(h: float, s: float, lum: float) -> str:
    r, g, b = colorsys.hls_to_rgb(h / 360, lum, s)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


# Material's page background and text colour per scheme (palette CSS, --md-hue 225 by default).
SCHEMES = {
    "default": {"background": "#ffffff", "text": ("#000000", 0.87)},
    "slate": {"background": _hsl(225, 0.15, 0.14), "text": (_hsl(225, 0.15, 0.90), 0.82)},
}


def page_schemes() -> list[str]:
    """The colour schemes mkdocs.yml lets readers see (a list of palettes means a scheme switch)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=cs._IgnoreTagsLoader)
    palette = (config.get("theme") or {}).get("palette") or {}
    palettes = palette if isinstance(palette, list) else [palette]
    return [p.get("scheme", "default") for p in palettes] or ["default"]


def chart_pages(site: Path) -> dict[str, list[str]]:
    """Every built page with an INDIGO chart: {page relative to the site: [its chart SVGs]}."""
    out = {}
    for rel in cs.html_files():
        html = (site / rel).read_text(encoding="utf-8")
        if 'class="indigo-chart"' in html:
            out[rel] = CHART.findall(html)
    return out


def parse(svg: str) -> ET.Element:
    # HTML entities XML lacks (&nbsp; and the like) become characters first; &amp; and &lt; stay escaped.
    text = re.sub(r"&(?!amp;|lt;|gt;|quot;|apos;)(#?\w+);", lambda m: unescape(m.group(0)), svg)
    return ET.fromstring(text)


def _blend(colour: str, alpha: float, background: str) -> str:
    """The colour seen when a colour with this opacity is painted over the background."""
    fg = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    bg = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(f * alpha + b * (1 - alpha)):02x}" for f, b in zip(fg, bg, strict=True))


def _hex(value: str) -> str:
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    assert re.fullmatch(r"#[0-9a-f]{6}", value), f"colour {value!r} is not #rrggbb: the test cannot check it"
    return value


def _local(el: ET.Element) -> str:
    return el.tag.removeprefix(SVG_NS)


def marks(root: ET.Element) -> list[tuple[ET.Element, list[ET.Element]]]:
    """Every drawn shape outside <defs>, with its ancestors (nearest first), for inherited paint."""
    out = []

    def walk(el: ET.Element, ancestors: list[ET.Element]) -> None:
        for child in el:
            if _local(child) in ("defs", "pattern", "title", "desc"):
                continue
            if _local(child) in SHAPES:
                out.append((child, [el, *ancestors]))
            walk(child, [el, *ancestors])

    walk(root, [])
    return out


def paints(el: ET.Element, ancestors: list[ET.Element], root: ET.Element, scheme: str) -> list[tuple[str, str]]:
    """(what, seen colour) for each fill and stroke the shape paints, patterns resolved to their colours."""
    assert "style" not in el.attrib, "chart shapes use presentation attributes only, so this test can read them"
    background = SCHEMES[scheme]["background"]
    chain = [el, *ancestors]
    opacity = 1.0
    for node in chain:
        opacity *= float(node.get("opacity", 1))
    found = []
    for prop, default in (("fill", "#000000"), ("stroke", "none")):
        value = next((n.get(prop) for n in chain if n.get(prop)), default)
        alpha = opacity * float(next((n.get(f"{prop}-opacity") for n in chain if n.get(f"{prop}-opacity")), 1))
        if (
            value == "none"
            or (prop == "fill" and _local(el) == "line")
            or float(el.get("stroke-width", 1)) == 0
            and prop == "stroke"
        ):
            continue
        if value.startswith("url(#"):
            colours = pattern_colours(root, value[5:-1], background)
        elif value == "currentColor":
            colour, text_alpha = SCHEMES[scheme]["text"]
            colours = [_blend(colour, text_alpha, background)]
        else:
            colours = [_hex(value)]
        found += [(f"{prop} {value}", _blend(c, alpha, background)) for c in colours]
    return found


def pattern_colours(root: ET.Element, ident: str, background: str) -> list[str]:
    """The colours a pattern paints: shapes in the page background colour are holes, not marks."""
    pattern = root.find(f".//{SVG_NS}pattern[@id='{ident}']")
    assert pattern is not None, f"url(#{ident}) names no <pattern> in the same SVG"
    colours = {_hex(s.get(p)) for s in pattern.iter() for p in ("fill", "stroke") if s.get(p, "none") != "none"}
    return sorted(colours - {background}) or [background]


@pytest.fixture(scope="module")
def charts() -> dict[str, list[str]]:
    pages = chart_pages(cs.built_site().path)
    assert pages, "no built page has an INDIGO chart"
    return pages


def test_the_site_uses_only_schemes_the_test_knows():
    unknown = set(page_schemes()) - set(SCHEMES)
    assert not unknown, f"add the background and text colour of scheme(s) {unknown} to SCHEMES"


def test_every_chart_mark_has_3_to_1_contrast_on_every_scheme(charts):
    checked, low = 0, []
    for rel, svgs in charts.items():
        for svg in svgs:
            root = parse(svg)
            for scheme in page_schemes():
                background = SCHEMES[scheme]["background"]
                for el, ancestors in marks(root):
                    for what, seen in paints(el, ancestors, root, scheme):
                        checked += 1
                        ratio = contrast_ratio(seen, background)
                        if ratio < MIN_CONTRAST:
                            low.append(f"{rel} {root.get('aria-labelledby')} <{_local(el)}> {what}: {ratio:.2f}")
    assert checked > 100, f"only {checked} paints found: is the chart markup what this test expects?"
    assert not low, "chart marks below 3:1 against the page:\n" + "\n".join(sorted(set(low))[:30])


def stacked_charts(charts: dict[str, list[str]]) -> list[tuple[str, ET.Element, str]]:
    """(page, svg, whole page html) for each chart with a key, that is, more than one series."""
    out = []
    for rel, svgs in charts.items():
        html = (cs.built_site().path / rel).read_text(encoding="utf-8")
        out += [(rel, parse(svg), html) for svg in svgs if 'class="chart-key"' in svg]
    return out


def test_each_series_has_its_own_pattern_shown_in_the_key(charts):
    stacked = stacked_charts(charts)
    assert stacked, "no chart with several series (a key) found"
    for rel, root, _ in stacked:
        keys = {
            k.get("data-series"): k.get("fill") for k in root.iter(f"{SVG_NS}rect") if k.get("class") == "chart-key"
        }
        assert len(keys) >= 2 and len(set(keys.values())) == len(keys), f"{rel}: two series share a fill"
        shapes = []
        for fill in keys.values():
            assert fill.startswith("url(#"), f"{rel}: key fill {fill} is a plain colour, not a pattern"
            pattern = root.find(f".//{SVG_NS}pattern[@id='{fill[5:-1]}']")
            assert pattern is not None, f"{rel}: {fill} is not defined in the chart's own SVG"
            # The shape drawn over the colour, colours taken out: two series must not share it.
            body = "".join(ET.tostring(s, encoding="unicode") for s in list(pattern)[1:])
            shapes.append(re.sub(r'(fill|stroke)="[^"]*"', "", body).replace(SVG_NS[1:-1], ""))
        assert len(set(shapes)) == len(shapes), f"{rel}: two series share a pattern shape"
        bars = [m for m in root.iter(f"{SVG_NS}rect") if m.get("class") == "chart-mark"]
        assert bars and {b.get("data-series") for b in bars} == set(keys), f"{rel}: bars and key list other series"
        wrong = [b.find(f"{SVG_NS}title").text for b in bars if b.get("fill") != keys[b.get("data-series")]]
        assert not wrong, f"{rel}: segments drawn differently from their key: {wrong[:5]}"


def test_stacked_series_match_the_data_table(charts):
    for rel, root, html in stacked_charts(charts):
        key = root.get("aria-labelledby").split()[0].removesuffix("-title")
        after = html.split(f'aria-labelledby="{key}-title', 1)[1]
        header = re.search(r"<thead>(.*?)</thead>", after, re.S).group(1)
        columns = [
            unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", header, re.S)
        ]
        keys = [k.get("data-series") for k in root.iter(f"{SVG_NS}rect") if k.get("class") == "chart-key"]
        assert keys == columns[1:-1], f"{rel}: the key lists {keys}, the table {columns}"


def test_stacked_segments_are_separated_by_a_gap(charts):
    for rel, root, _ in stacked_charts(charts):
        columns: dict[str, list[tuple[float, float, float]]] = {}
        for b in root.iter(f"{SVG_NS}rect"):
            if b.get("class") == "chart-mark":
                half = float(b.get("stroke-width", 1)) / 2 if b.get("stroke", "none") != "none" else 0
                top, height = float(b.get("y")), float(b.get("height"))
                columns.setdefault(b.get("x"), []).append((top - half, top + height + half, half))
        pairs = [(a, b) for segs in columns.values() for a, b in pairwise(sorted(segs))]
        assert pairs, f"{rel}: no stacked segments found"
        # Each painted segment ends at least 1.5 units before the next starts: the page shows between.
        tight = [(round(a[1], 1), round(b[0], 1)) for a, b in pairs if b[0] - a[1] < 1.5]
        assert not tight, f"{rel}: segments touch at {tight[:5]}"
