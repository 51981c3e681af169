"""Reading aids: navigation order, redirects for moved pages, the print stylesheet."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from search_api.config import ROOT
from tests.support import content_site as cs

_spec = importlib.util.spec_from_file_location("redirects_hook", ROOT / "hooks" / "redirects.py")
redirects = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(redirects)

MKDOCS = Path(sys.executable).with_name("mkdocs")
PRINT_CSS = ROOT / "docs" / "assets" / "stylesheets" / "print.css"
# Sections whose every page must be reachable from the navigation.
NAV_SECTIONS = ("guidance/", "life-chances-fund/", "case-studies/", "evidence/", "tools/")


def nav_entries(nav) -> list[tuple[str, object]]:
    """Top-level nav as (title, value) pairs; a bare path gets its path as title."""
    out = []
    for item in nav:
        if isinstance(item, dict):
            out += list(item.items())
        else:
            out.append((item, item))
    return out


def nav_paths(nav) -> list[str]:
    """Every page path in the nav, in order."""
    paths = []
    for item in nav:
        values = item.values() if isinstance(item, dict) else [item]
        for value in values:
            paths += nav_paths(value) if isinstance(value, list) else [value]
    return paths


@pytest.fixture(scope="module")
def nav():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=cs._IgnoreTagsLoader)
    return config["nav"]


# --- navigation ------------------------------------------------------------------------


def test_nav_starts_with_home_and_ends_with_glossary_tags_about(nav):
    titles = [t for t, _ in nav_entries(nav)]
    assert titles[0] == "Home"
    assert titles[-3:] == ["Glossary", "Tags", "About"], titles
    for section in ("Guidance", "Life Chances Fund", "Case studies", "Evidence", "Tools"):
        assert section in titles, f"no {section} section in the nav"


def test_every_section_page_is_in_the_nav(nav):
    listed = set(nav_paths(nav))
    missing = [
        p.relative_to(cs.DOCS).as_posix()
        for p in sorted(cs.DOCS.rglob("*.md"))
        if p.relative_to(cs.DOCS).as_posix().startswith(NAV_SECTIONS)
        and p.relative_to(cs.DOCS).as_posix() not in listed
    ]
    assert not missing, f"pages missing from the mkdocs.yml nav: {missing}"


def test_guidance_nav_follows_the_reading_order_of_its_index(nav):
    section = dict(nav_entries(nav))["Guidance"]
    index = (cs.DOCS / "guidance" / "index.md").read_text(encoding="utf-8")
    order = re.findall(r"^\d+\.\s+\[[^\]]+\]\(([a-z0-9-]+\.md)\)", index, re.M)
    assert len(order) >= 12
    assert nav_paths(section) == ["guidance/index.md"] + [f"guidance/{p}" for p in order]


# --- redirects -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "url"),
    [("index.md", ""), ("guidance/index.md", "guidance/"), ("guidance/benefits.md", "guidance/benefits/")],
)
def test_page_url(src, url):
    assert redirects.page_url(src) == url


@pytest.mark.parametrize(
    ("old", "new", "rel"),
    [
        ("guidance/old/", "guidance/new/", "../new/"),
        ("old/", "", "../"),
        ("a/b/c/", "x/", "../../../x/"),
        ("old/", "old/", "./"),
    ],
)
def test_relative_url(old, new, rel):
    assert redirects.relative_url(old, new) == rel


def test_the_real_redirects_file_is_valid():
    entries = redirects.load_redirects(ROOT / redirects.REDIRECTS_FILE)
    sources = set(cs.page_ids())
    problems = [f"{old} still exists" for old in entries if old in sources]
    problems += [f"{old} -> {new}: no such page" for old, new in entries.items() if new.split("#")[0] not in sources]
    assert not problems, problems


def test_bad_redirects_file_is_refused(tmp_path):
    bad = tmp_path / "redirects.yaml"
    bad.write_text("- a list, not a mapping\n", encoding="utf-8")
    with pytest.raises(ValueError):
        redirects.load_redirects(bad)
    bad.write_text("old/page.md: new/page\n", encoding="utf-8")
    with pytest.raises(ValueError):
        redirects.load_redirects(bad)


def _mini_project(tmp_path: Path, entries: str) -> Path:
    """A tiny MkDocs project that uses the real hook, with its own kb/redirects.yaml."""
    (tmp_path / "docs" / "new").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nWelcome.\n", encoding="utf-8")
    (tmp_path / "docs" / "new" / "page.md").write_text("# New page\n\n## A section\n\nText.\n", encoding="utf-8")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "redirects.yaml").write_text(entries, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: Mini\nsite_url: https://example.org/hub/\nhooks:\n  - {ROOT / 'hooks' / 'redirects.py'}\n",
        encoding="utf-8",
    )
    return tmp_path


def _build(project: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "-d", str(project / "site")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


def test_build_writes_redirect_pages_that_resolve(tmp_path):
    project = _mini_project(tmp_path, "old/page.md: new/page.md#a-section\nold/index.md: index.md\n")
    run = _build(project)
    assert run.returncode == 0, run.stderr
    site = project / "site"
    for old_file, target_url in (("old/page/index.html", "new/page/"), ("old/index.html", "")):
        text = (site / old_file).read_text(encoding="utf-8")
        refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', text).group(1)
        assert f'<link rel="canonical" href="https://example.org/hub/{target_url}' in text
        assert f'<a href="{refresh}">' in text, "the page also has a plain link for readers"
        path, anchor = cs.internal_target(old_file, refresh, "")
        found = cs.resolve(site, path)
        assert found is not None, f"{old_file} redirects to {refresh}, which does not exist"
        if anchor:
            assert anchor in cs.parse_html(found)[1], f"{old_file}: no #{anchor} in {path}"


def test_strict_build_fails_when_a_redirect_leads_nowhere(tmp_path):
    project = _mini_project(tmp_path, "old/page.md: gone/page.md\n")
    run = _build(project)
    assert run.returncode != 0
    assert "gone/page.md" in run.stderr


def test_strict_build_fails_when_the_old_page_still_exists(tmp_path):
    project = _mini_project(tmp_path, "new/page.md: index.md\n")
    run = _build(project)
    assert run.returncode != 0
    assert "still exists" in run.stderr


# --- print layout ----------------------------------------------------------------------


def test_print_stylesheet_hides_site_furniture_and_shows_link_addresses():
    css = PRINT_CSS.read_text(encoding="utf-8")
    assert css.lstrip().startswith("/*") and "@media print" in css
    block = css[css.index("@media print") :]
    hidden = block[: block.index("display: none")]
    for selector in (".md-header", ".md-sidebar", ".md-footer", ".md-search", "#hub-chat", ".hub-tools-bar"):
        assert selector in hidden, f"print.css does not hide {selector}"
    assert re.search(r'a\[href\^="http"\]::after\s*{\s*content:\s*" \(" attr\(href\) "\)"', block)


@pytest.mark.parametrize("html_rel", cs.page_html_files())
def test_every_page_links_the_print_stylesheet(html_rel):
    site = cs.built_site().path
    hrefs, _ = cs.parse_html(site / html_rel)
    base_url = cs.site_url()
    targets = {cs.internal_target(html_rel, h, base_url) for h in hrefs}
    paths = {t[0] for t in targets if t}
    assert "assets/stylesheets/print.css" in paths, f"{html_rel} does not link print.css"
    assert (site / "assets" / "stylesheets" / "print.css").is_file()


@pytest.mark.browser
def test_printed_page_hides_furniture_and_shows_external_link_addresses(page):
    """Chromium, emulating print media on a built page: header gone, link URL shown."""
    site = cs.built_site().path
    page.goto((site / "guidance" / "index.html").as_uri())
    furniture = (".md-header", ".md-sidebar--primary", ".md-footer", ".hub-tools-bar", "#hub-chat-open")
    for selector in furniture:
        assert page.locator(selector).first.is_visible(), f"{selector} does not show on screen"
    page.emulate_media(media="print")
    for selector in furniture:
        assert page.locator(selector).first.is_hidden(), f"{selector} still shows in print"
    after = page.evaluate(
        """() => {
            const a = document.querySelector('.md-typeset a[href^="http"]');
            return [a.getAttribute('href'), getComputedStyle(a, '::after').content];
        }"""
    )
    assert after[1] == f'" ({after[0]})"', after
