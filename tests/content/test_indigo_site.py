"""The built site has a page per INDIGO project, the fund pages, finder and charts, all crediting INDIGO.

Runs against the built site (SOP_SITE_DIR, default site/): `make site` or
`mkdocs build -d /tmp/x-site` with SOP_SITE_DIR=/tmp/x-site.
"""

import csv
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml

from search_api.config import ROOT, Settings
from search_api.projects.load import CREDIT, DATA_DIR, RECORD_URL

SITE = Settings().site_dir
SCHEMA = json.loads((ROOT / "kb" / "schemas" / "page.schema.json").read_text(encoding="utf-8"))


def read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


PROJECTS = read("original_projects_with_orgs_countries.csv")
IDS = [r["ID"].strip() for r in PROJECTS]


@pytest.fixture(scope="module", autouse=True)
def built_site():
    if not (SITE / "projects" / "index.html").is_file():
        pytest.fail(f"{SITE} has no project pages: build the site first (`make site`, or set SOP_SITE_DIR).")


def page(url_path: str) -> str:
    return (SITE / url_path / "index.html").read_text(encoding="utf-8")


class Article(HTMLParser):
    """The visible text of the page's <article>, without scripts."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.depth, self.parts, self.skip = 0, [], 0

    def handle_starttag(self, tag, attrs):
        # Void elements have no end tag: counting them would run the depth past </article>.
        if tag in self.VOID:
            return
        if tag == "article" or self.depth:
            self.depth += 1
            self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.depth:
            self.depth -= 1
            self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    parser = Article()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def exported() -> dict[str, dict]:
    with open(SITE / "_hub" / "pages.jsonl", encoding="utf-8") as fh:
        return {p["src"]: p for p in map(json.loads, fh)}


def test_one_page_per_project():
    built = sorted(p.name for p in (SITE / "projects").glob("indigo-poj-*") if (p / "index.html").is_file())
    assert built == sorted(i.lower() for i in IDS)
    assert len(built) == 319


def test_every_project_page_credits_indigo_and_links_its_record():
    for pid in IDS:
        html = page(f"projects/{pid.lower()}")
        assert CREDIT in article_text(html), pid
        assert f'href="{RECORD_URL.format(id=pid)}"' in html, pid


def test_every_project_page_dates_its_data_and_says_where_to_report_a_mistake():
    # The date is GO Lab's own, from the README that came with the data, never typed into the code.
    stated = re.search(r"Snapshot taken on (\d{1,2} \w+ \d{4})", (DATA_DIR / "README.md").read_text(encoding="utf-8"))
    assert stated, "kb/indigo/README.md no longer says when the snapshot was taken"
    for pid in IDS:
        html = page(f"projects/{pid.lower()}")
        text = article_text(html)
        assert f"this page shows INDIGO's snapshot of {stated.group(1)}" in text, pid
        assert "Report a mistake:" in text and "Government Outcomes Lab" in text, pid
        assert f"Start from INDIGO's record of {pid}." in text, pid
        note = html.split("Report a mistake:", 1)[1].split("</p>", 1)[0]
        assert f'href="{RECORD_URL.format(id=pid)}"' in note, pid


def test_the_whole_data_set_sits_beside_the_finder_as_csv_and_json():
    # Named with GO Lab's snapshot date, as /api/projects.csv names its files.
    with open(SITE / "projects" / "indigo-projects-2025-05-20.csv", encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()
    notes = [line for line in lines if line.startswith("#")]
    assert CREDIT in notes[0] and "research and policy analysis" in notes[1]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    assert [r["id"] for r in rows] == IDS
    data = json.loads((SITE / "projects" / "indigo-projects-2025-05-20.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in data["projects"]] == IDS and data["total"] == len(IDS)
    assert data["credit"]["text"] == CREDIT and data["filters"] == {}
    finder = page("projects")
    assert 'href="indigo-projects-2025-05-20.csv"' in finder and 'href="indigo-projects-2025-05-20.json"' in finder


def test_project_pages_never_show_nan_or_none():
    for pid in IDS:
        text = article_text(page(f"projects/{pid.lower()}"))
        assert not re.search(r"\b(nan|NaN|None|null)\b", text), pid


def test_blank_finance_fields_render_as_not_recorded():
    fin = "Overall project finance - "
    blank = [
        r["ID"]
        for r in PROJECTS
        if not any(
            r[fin + k].strip()
            for k in (
                "Total investment commitment - Amount - Exact - (Value)",
                "Total investment commitment - Amount - Min - (Value)",
                "Total investment commitment - Amount - Max - (Value)",
                "Maximum potential outcome payment - Amount - (Value)",
            )
        )
    ]
    assert blank, "the data should hold projects with no finance figures"
    for pid in blank:
        text = article_text(page(f"projects/{pid.lower()}"))
        assert "Capital raised Not recorded in INDIGO" in text, pid
        assert "Maximum outcome payment Not recorded in INDIGO" in text, pid
        assert not re.search(r"\b(nan|None)\b", text), pid


def test_project_front_matter_and_page_shape():
    pages = exported()
    for pid in IDS:
        p = pages[f"projects/{pid.lower()}.md"]
        jsonschema.validate(p["meta"], SCHEMA)
        assert p["meta"]["type"] == "project" and p["meta"]["indigo_id"] == pid
        body = p["markdown"].lstrip()
        assert re.match(r"# .+\n\n!!! summary \"Summary\"", body), pid
        sources = body.rsplit("\n## ", 1)[-1]
        assert sources.startswith("Sources") and "](http" in sources, pid
    for src in ("projects/index.md", "projects/charts.md", "funds/index.md", "organisations/index.md"):
        jsonschema.validate(pages[src]["meta"], SCHEMA)


def test_every_life_chances_fund_project_is_on_the_fund_page():
    lcf = next(r for r in read("original_funds.csv") if r["Fund - Name"].startswith("Life Chances Fund"))
    members = {
        r["Project ID"].strip() for r in read("original_projects_outcome_funds.csv") if r["Id"].strip() == lcf["ID"]
    }
    slug = re.sub(r"[^a-z0-9]+", "-", lcf["Fund - Name"].lower()).strip("-")
    html = page(f"funds/{slug}")
    linked = set(re.findall(r'href="\.\./\.\./projects/(indigo-poj-\d{4})/"', html))
    assert linked == {m.lower() for m in members} and len(members) == 30
    lcf_page = SITE / "life-chances-fund" / "index.html"
    if lcf_page.is_file():
        assert f'href="../funds/{slug}/"' in lcf_page.read_text(encoding="utf-8")


def test_each_fund_page_lists_its_projects():
    links = read("original_projects_outcome_funds.csv")
    by_id = {}
    for path in (SITE / "funds").glob("*/index.html"):
        html = path.read_text(encoding="utf-8")
        found = re.search(r"INDIGO id (INDIGO-FUND-\d{4})", article_text(html))
        if found:
            by_id[found.group(1)] = html
    for fund in read("original_funds.csv"):
        members = {r["Project ID"].strip().lower() for r in links if r["Id"].strip() == fund["ID"]}
        assert fund["ID"] in by_id, fund["Fund - Name"]
        assert set(re.findall(r"projects/(indigo-poj-\d{4})/", by_id[fund["ID"]])) == members, fund["ID"]


def test_case_studies_and_project_pages_link_both_ways():
    found = 0
    for md in sorted((ROOT / "docs" / "case-studies").glob("*.md")):
        meta = yaml.safe_load(md.read_text(encoding="utf-8").split("---")[1]) or {}
        pid = str(meta.get("indigo_id") or "")
        if pid not in IDS or not (SITE / "case-studies" / md.stem / "index.html").is_file():
            continue
        found += 1
        assert f'href="../../case-studies/{md.stem}/"' in page(f"projects/{pid.lower()}"), md.name
        assert f'href="../../projects/{pid.lower()}/"' in page(f"case-studies/{md.stem}"), md.name
    assert found, "no case study with an indigo_id was built"


def test_finder_lists_every_project_without_javascript():
    html = page("projects")
    rows = re.findall(r'<tr data-id="(INDIGO-POJ-\d{4})"[^>]*data-sector="([^"]*)"', html)
    assert sorted(r[0] for r in rows) == sorted(IDS)
    sector_counts = Counter(s.replace("&amp;", "&") for _, s in rows)
    assert sector_counts == Counter(
        r["Purpose and classifications - Policy sector - (Value)"].strip() for r in PROJECTS
    )
    for label in ("pf-q", "pf-country", "pf-sector", "pf-stage", "pf-fund", "pf-from", "pf-to"):
        assert f'<label for="{label}">' in html
    assert 'role="status"' in html and 'aria-live="polite"' in html


def test_charts_have_alt_text_captions_and_tables_matching_the_csv():
    html = page("projects/charts")
    assert html.count('role="img"') == 3 and html.count("<figcaption>") == 3
    assert html.count("<desc id=") == 3 and "<script" not in html.split("<article")[1].split("</article>")[0]
    country_rows = dict(re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>(\d+)</td>\s*</tr>", html))
    csv_counts = Counter(c.strip() for r in PROJECTS for c in r["Countries"].split(",") if c.strip())
    from search_api.projects.values import country_name

    assert {country_name(c): str(n) for c, n in csv_counts.items()} == country_rows
    year_totals = re.findall(r"<tr>\s*<td>(20\d\d)</td>(?:\s*<td>\d+</td>)+?\s*<td>(\d+)</td>\s*</tr>", html)
    assert sum(int(n) for _, n in year_totals) == sum(1 for r in PROJECTS if any(
        r[k].strip() for k in ("Dates - Start date of service provision - (Value)", "Dates - Date outcomes contract signed - (Value)")
    ))  # fmt: skip


def test_organisations_page_has_an_anchor_for_every_linked_organisation():
    orgs = page("organisations")
    ids = set(re.findall(r'<tr id="(indigo-org-\d{4})"', orgs))
    assert len(ids) == len(read("original_orgs.csv"))
    linked = set(re.findall(r"organisations/#(indigo-org-\d{4})", page("projects/indigo-poj-0153")))
    assert linked and linked <= ids


def test_project_pages_are_exported_for_the_search_index():
    pages = exported()
    gm = [p for p in pages.values() if p["src"].startswith("projects/indigo-poj") and "Manchester" in p["markdown"]]
    assert any(p["meta"]["policy_area"] == "Homelessness" for p in gm)
    assert all(p["url"].startswith("/projects/") for p in gm)


def test_no_project_page_is_committed():
    assert not Path(ROOT / "docs" / "projects").exists() or not list(
        (ROOT / "docs" / "projects").glob("indigo-poj-*.md")
    )
