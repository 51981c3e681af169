"""Link check of the built site (scripts/linkcheck.py): internal links, anchors, /api/ routes.

External links are never fetched; the check writes them to kb/build/external-links.json.
The first tests run the checker on a tiny hand-made site, so each kind of fault is shown to fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import content_site as cs

linkcheck = cs.load_script("linkcheck")


def _write(site: Path, files: dict[str, str]) -> Path:
    for rel, html in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(f"<html><body>{html}</body></html>", encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def is_route():
    return linkcheck.api_matcher()


def test_resolves_the_link_styles_the_site_uses(tmp_path):
    site = _write(
        tmp_path,
        {
            "index.html": '<a href="guide/">g</a><a href="guide/index.html#two">g</a><a href="/guide/?q=1#one">g</a>'
            '<a href="http://127.0.0.1:8000/guide/#one">abs</a><a href="#top" id="top">top</a>'
            '<img src="img/a%20b.png" srcset="img/a%20b.png 1x, img/a%20b.png 2x">',
            "guide/index.html": '<h2 id="one">1</h2><a name="two"></a><a href="../">home</a>'
            '<a href="../notes/caf%C3%A9/#%C3%A9t%C3%A9">n</a><script src="../js/x.js"></script>',
            "notes/café/index.html": '<p id="été">x</p><a href="../../guide">no slash</a>',
            "img/a b.png": "",
            "js/x.js": "",
        },
    )
    report = linkcheck.check_site(site, "http://127.0.0.1:8000/")
    assert report.broken == []
    assert report.pages == 3 and report.anchors == 5


def test_reports_missing_files_anchors_and_escapes(tmp_path):
    site = _write(
        tmp_path,
        {
            "index.html": '<a href="gone/">x</a><a href="guide/#nope">y</a><a href="../../etc/passwd">z</a>'
            '<link rel="stylesheet" href="assets/missing.css"><meta http-equiv="refresh" content="0; url=old/">',
            "guide/index.html": '<h2 id="one">1</h2><img src="pic.png" alt="">',
        },
    )
    broken = {(b.page, b.url) for b in linkcheck.check_site(site).broken}
    assert broken == {
        ("index.html", "gone/"),
        ("index.html", "guide/#nope"),
        ("index.html", "../../etc/passwd"),
        ("index.html", "assets/missing.css"),
        ("index.html", "old/"),
        ("guide/index.html", "pic.png"),
    }


def test_lists_external_links_without_fetching_them(tmp_path):
    site = _write(
        tmp_path,
        {
            "index.html": '<a href="https://example.org/a">a</a><a href="mailto:x@example.org">m</a>',
            "b/index.html": '<a href="https://example.org/a">a</a><a href="data:text/plain,hi">d</a>',
        },
    )
    report = linkcheck.check_site(site)
    assert report.external == {
        "https://example.org/a": ["b/index.html", "index.html"],
        "mailto:x@example.org": ["index.html"],
    }
    out = linkcheck.write_external(report, tmp_path / "out" / "external.json")
    assert json.loads(out.read_text())["count"] == 2


def test_api_references_must_be_real_routes(tmp_path, is_route):
    site = _write(
        tmp_path,
        {
            "index.html": '<div data-api="/api/search"></div><div data-api="/api/"></div>'
            '<form action="/api/feasibility"></form><div data-api="/api/nowhere"></div>'
            '<a href="/api/projects/INDIGO-POJ-0001">p</a><a href="/api/gone/">g</a>',
        },
    )
    broken = {b.url for b in linkcheck.check_site(site, is_route=is_route).broken}
    assert broken == {"/api/nowhere", "/api/gone/"}


# --- the real built site -----------------------------------------------------------------


@pytest.fixture(scope="module")
def site_report(is_route):
    site = cs.built_site()
    report = linkcheck.check_site(site.path, cs.site_url(), is_route)
    linkcheck.write_external(report)
    return report


def test_built_site_has_no_broken_link_anchor_or_api_reference(site_report):
    print(site_report.summary())
    assert site_report.pages == len(cs.html_files()) and site_report.pages > 300
    assert site_report.internal > site_report.pages, "almost no internal links were found"
    assert site_report.api >= 3, "the search, chat and questionnaire API references were not found"
    assert not site_report.broken, f"{len(site_report.broken)} broken:\n" + linkcheck.format_broken(site_report.broken)


def test_external_links_are_written_to_the_report(site_report):
    data = json.loads(linkcheck.REPORT.read_text(encoding="utf-8"))
    assert data["count"] == len(site_report.external) > 0
    assert all(link["url"].startswith(("http://", "https://", "mailto:", "tel:", "//")) for link in data["links"])
    assert all(link["pages"] for link in data["links"])
