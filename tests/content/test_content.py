"""Quality gate for every page of the hub: front matter, summary, sources, sentences, links.

Every check runs once per page (docs/**/*.md plus the pages the build generates: the
glossary and, when they exist, the INDIGO project pages), so a failure names the page.

Sources rule: every page needs a `## Sources` section, as its last h2, with at least one
http(s) link. One exception: a page kept out of search (`search: {exclude: true}`) whose
type is `tool` or `about` (the search tool, the tags index) may have no Sources section at
all, because it states no facts; such a page must then hold no figures (no digits in its
prose). If it does have a Sources section, that section must have a link like any other.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from search_api.config import ROOT
from tests.support import content_site as cs

readability = cs.load_script("readability")

MAX_WORDS = 35
SCHEMA = json.loads((ROOT / "kb" / "schemas" / "page.schema.json").read_text(encoding="utf-8"))
GLOSSARY = ROOT / "kb" / "glossary.yaml"
PAGES = {p.src: p for p in cs.pages()}
PAGE_IDS = cs.page_ids()
HTML_FILES = cs.html_files()
# Page types that are reading content, so they end with links to related hub pages.
RELATED_TYPES = {"guidance", "case-study", "evidence", "fund", "project"}
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.M)
_HTTP_LINK = re.compile(r"\[[^\]]+\]\(\s*https?://[^)\s]+[^)]*\)|<https?://[^>]+>|href=\"https?://")
_INTERNAL_LINK = re.compile(r"\[[^\]]+\]\((?!https?:|mailto:|#)[^)\s]+\)")


def h2_sections(body: str) -> dict[str, str]:
    """Each h2 heading's text mapped to the text under it (### subsections included)."""
    found: dict[str, str] = {}
    matches = list(_H2.finditer(_without_fences(body)))
    text = _without_fences(body)
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        found[m.group(1).strip()] = text[m.end() : end]
    return found


def _without_fences(body: str) -> str:
    """The body with fenced code blocks blanked, so '## x' inside code is no heading."""
    return re.sub(r"^(\s*)(`{3,}|~{3,}).*?^\1\2\s*$", "", body, flags=re.M | re.S)


def exempt_from_sources(page: cs.Page) -> bool:
    """A search-excluded tool or about page with no Sources heading at all (see module docstring)."""
    excluded = (page.meta.get("search") or {}).get("exclude") is True
    return excluded and page.meta.get("type") in {"tool", "about"} and "Sources" not in h2_sections(page.body)


@pytest.fixture(scope="session")
def site() -> cs.BuiltSite:
    """The built site (the lead's current site/, or one strict build in a temp folder)."""
    return cs.built_site()


def test_pages_were_found():
    assert len([p for p in PAGES.values() if not p.generated]) >= 10, "docs/ holds almost no pages"
    assert "glossary.md" in PAGES, "the generated glossary page is missing from the build export"


@pytest.mark.parametrize("src", PAGE_IDS)
def test_front_matter_is_valid(src):
    page = PAGES[src]
    assert page.meta, f"{src}: no YAML front matter"
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(page.meta), key=lambda e: list(e.path))
    assert not errors, f"{src}: " + "; ".join(f"{'/'.join(map(str, e.path)) or '(page)'}: {e.message}" for e in errors)


@pytest.mark.parametrize("src", PAGE_IDS)
def test_h1_then_summary_admonition(src):
    lines = [line for line in PAGES[src].body.splitlines() if line.strip()]
    assert lines and re.match(r"^# \S", lines[0]), f"{src}: the page does not open with an h1 (# Title)"
    assert len(lines) > 2 and lines[1].strip() == '!!! summary "Summary"', (
        f'{src}: the h1 is not followed by a !!! summary "Summary" admonition (found {lines[1:2]})'
    )
    assert lines[2].startswith("    ") and lines[2].strip(), f"{src}: the summary admonition has no indented text"
    assert len(re.findall(r"^# ", _without_fences(PAGES[src].body), re.M)) == 1, f"{src}: more than one h1"


@pytest.mark.parametrize("src", PAGE_IDS)
def test_sources_section_has_a_link(src):
    page = PAGES[src]
    if exempt_from_sources(page):
        digits = [s for s in readability.sentences(page.body) if re.search(r"\d", s)]
        assert not digits, f"{src} has no Sources section, so it may state no figures: {digits}"
        return
    sections = h2_sections(page.body)
    assert "Sources" in sections, f"{src}: no '## Sources' section"
    assert list(sections)[-1] == "Sources", f"{src}: '## Sources' is not the last h2 (last is {list(sections)[-1]!r})"
    assert _HTTP_LINK.search(sections["Sources"]), f"{src}: the Sources section has no http(s) link"


@pytest.mark.parametrize("src", [s for s in PAGE_IDS if PAGES[s].meta.get("type") in RELATED_TYPES])
def test_related_pages_section(src):
    sections = h2_sections(PAGES[src].body)
    assert "Related pages" in sections, f"{src}: no '## Related pages' section"
    assert _INTERNAL_LINK.search(sections["Related pages"]), f"{src}: 'Related pages' links to no hub page"


@pytest.mark.parametrize("src", PAGE_IDS)
def test_no_sentence_over_35_words(src):
    long = [
        f"({readability.word_count(s)} words) {s}"
        for s in readability.sentences(PAGES[src].body)
        if readability.word_count(s) > MAX_WORDS
    ]
    assert not long, f"{src}: {len(long)} sentence(s) over {MAX_WORDS} words:\n" + "\n".join(long)


# --- glossary data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def glossary() -> list[dict]:
    entries = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    assert isinstance(entries, list), "kb/glossary.yaml must be a list of entries"
    return entries


def test_glossary_entries_are_complete(glossary):
    problems = []
    for i, e in enumerate(glossary):
        name = e.get("term", f"entry {i + 1}") if isinstance(e, dict) else f"entry {i + 1}"
        if not isinstance(e, dict):
            problems.append(f"{name}: not a mapping")
            continue
        for key in ("term", "definition", "source"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                problems.append(f"{name}: missing {key}")
        if isinstance(e.get("source"), str) and not e["source"].startswith(("https://", "http://")):
            problems.append(f"{name}: source is not a link")
        if not isinstance(e.get("related", []), list):
            problems.append(f"{name}: related is not a list")
        unknown = set(e) - {"term", "abbreviation", "definition", "related", "source"}
        if unknown:
            problems.append(f"{name}: unknown keys {sorted(unknown)}")
    assert not problems, "\n".join(problems)
    assert len(glossary) >= 60, f"the glossary has {len(glossary)} terms; the content issue asks for at least 60"


def test_every_glossary_term_is_defined_once(glossary):
    seen: dict[str, int] = {}
    for e in glossary:
        key = " ".join(str(e.get("term", "")).lower().split())
        seen[key] = seen.get(key, 0) + 1
    twice = sorted(t for t, n in seen.items() if n > 1)
    assert not twice, f"terms defined more than once: {twice}"


def test_abbreviations_are_unique(glossary):
    seen: dict[str, list[str]] = {}
    for e in glossary:
        if e.get("abbreviation"):
            seen.setdefault(str(e["abbreviation"]).lower(), []).append(e["term"])
    clashes = {a: t for a, t in seen.items() if len(t) > 1}
    assert not clashes, f"abbreviations used by more than one term: {clashes}"


def test_every_related_term_exists(glossary):
    terms = {e.get("term") for e in glossary}
    missing = [(e["term"], r) for e in glossary for r in e.get("related") or [] if r not in terms or r == e["term"]]
    assert not missing, "related terms that are not glossary entries (or point at themselves): " + "; ".join(
        f"{t} -> {r}" for t, r in missing
    )


# --- the built site --------------------------------------------------------------------


def test_strict_build_has_no_warnings(site, tmp_path):
    """`mkdocs build --strict` passes: the log of the build that made the lead's site, or a
    build made here when that log is missing (a site built by mkdocs directly)."""
    if site.reused and not site.log:
        mkdocs = Path(sys.executable).with_name("mkdocs")
        run = subprocess.run(
            [str(mkdocs), "build", "--strict", "-d", str(tmp_path / "site")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        code, log = run.returncode, run.stdout + run.stderr
    else:
        code, log = site.returncode, site.log
    warnings = [line for line in log.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert code == 0 and not warnings, "the strict build failed:\n" + "\n".join(warnings or log.splitlines()[-20:])


@pytest.mark.parametrize("html_rel", HTML_FILES)
def test_internal_links_and_anchors_resolve(site, html_rel):
    base_url = cs.site_url()
    hrefs, _ = cs.parse_html(site.path / html_rel)
    broken = []
    for href in dict.fromkeys(hrefs):  # each distinct href once
        target = cs.internal_target(html_rel, href, base_url)
        if target is None:
            continue
        path, anchor = target
        found = cs.resolve(site.path, path)
        if found is None:
            broken.append(f"{href} (no file {path})")
        elif anchor and found.suffix == ".html" and anchor not in cs.parse_html(found)[1]:
            broken.append(f"{href} (no id {anchor!r} in {found.relative_to(site.path).as_posix()})")
    assert not broken, f"{html_rel}: {len(broken)} broken internal link(s):\n" + "\n".join(broken)
