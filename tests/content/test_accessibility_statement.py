"""The accessibility statement: GOV.UK's sections, the operator's contact details, linked from every page."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from html import unescape

import pytest
import yaml

from search_api.config import ROOT
from tests.support import content_site as cs

STATEMENT = "about/accessibility/index.html"
# The sections of GOV.UK's model statement, in its order.
SECTIONS = [
    "Using this website",
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website's accessibility",
    "Compliance status",
    "Non-accessible content",
    "What we are doing to improve accessibility",
    "Preparation of this statement",
]


def _contact_hook():
    spec = importlib.util.spec_from_file_location("contact_hook", ROOT / "hooks" / "contact.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


contact = _contact_hook()


@pytest.fixture(scope="module")
def site():
    return cs.built_site().path


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_no_contact_details_gives_a_plain_notice_never_an_invented_address():
    for empty in (None, {}, {"email": "", "url": " "}, {"name": "The hub team"}):
        out = contact.contact_markdown(empty)
        assert out == contact.NOT_SET and "@" not in out and "http" not in out


def test_configured_contact_details_are_shown_as_links():
    out = contact.contact_markdown(
        {"name": "Hub team", "email": "hub@example.org", "url": "https://example.org/report", "reply_days": 5}
    )
    assert "- Who runs the hub: Hub team" in out
    assert "[hub@example.org](mailto:hub@example.org)" in out
    assert "[https://example.org/report](https://example.org/report)" in out
    assert out.endswith("We will reply within 5 working days.")


def test_statement_has_the_model_sections_in_order(site):
    html = (site / STATEMENT).read_text(encoding="utf-8")
    headings = [_text(h).replace("¶", "").strip() for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html, re.S)]
    found = [h for h in headings if h in SECTIONS]
    assert found == SECTIONS, f"sections found: {found}"
    assert "partially compliant" in _text(html) and "WCAG 2.2" in _text(html)


def test_statement_shows_what_mkdocs_yml_configures(site):
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=cs._IgnoreTagsLoader)
    expected = contact.contact_markdown((config.get("extra") or {}).get("contact"))
    html = (site / STATEMENT).read_text(encoding="utf-8")
    assert contact.MARKER not in html
    section = _text(html.split('id="feedback-and-contact-information"')[1].split("<h2")[0])
    if expected == contact.NOT_SET:
        assert "Contact details not set" in section and "extra.contact" in section
    else:
        assert "Contact details not set" not in section and ("mailto:" in html or "Report a problem online" in section)


def test_statement_dates_match_its_front_matter():
    text = (ROOT / "docs" / "about" / "accessibility.md").read_text(encoding="utf-8")
    meta, body = cs.split_front_matter(text)
    reviewed = meta["last_reviewed"]
    year, month, day = (int(x) for x in reviewed.split("-"))
    spoken = f"{day} {dt.date(year, month, day):%B} {year}"
    assert f"last reviewed on {spoken}" in body and f"last tested on {spoken}" in body


@pytest.mark.parametrize("html_rel", cs.html_files())
def test_every_page_links_the_statement_in_its_footer(site, html_rel):
    html = (site / html_rel).read_text(encoding="utf-8")
    if 'http-equiv="refresh"' in html:
        return  # a redirect page from kb/redirects.yaml has no footer
    m = re.search(r'hub-footer-links">\s*<a href="([^"]+)">Accessibility statement</a>', html)
    assert m, f"{html_rel}: no link to the accessibility statement in the footer"
    target = cs.internal_target(html_rel, m.group(1), cs.site_url())
    assert target and cs.resolve(site, target[0]) == site / STATEMENT, f"{html_rel}: {m.group(1)} is not the statement"


def test_about_page_links_the_statement(site):
    assert 'href="accessibility/"' in (site / "about/index.html").read_text(encoding="utf-8")
