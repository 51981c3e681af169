"""GET /api/projects.csv and /api/projects.json: the finder's filters, INDIGO's credit, safe cells."""

from __future__ import annotations

import csv
import io

import pytest

from search_api import create_app
from search_api.config import Settings
from search_api.projects import export
from search_api.projects.load import CREDIT, DATA_DIR, INDIGO_HOME, Project
from search_api.projects.query import CREDIT_BODY, Query

FILTERED = "country=GB&policy_sector=Homelessness&launch_year_from=2015"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hub")
    settings = Settings(site_dir=tmp / "site", index_dir=tmp / "index", instance_dir=tmp / "instance")
    return create_app({"TESTING": True, "SETTINGS": settings, "RATELIMIT_ENABLED": False}).test_client()


def listed_ids(api, query: str) -> list[str]:
    """Every id /api/projects returns for the filters, page by page, in order."""
    out, page = [], 1
    while True:
        body = api.get(f"/api/projects?{query}&per_page=100&page={page}").get_json()
        out += [p["id"] for p in body["projects"]]
        if page >= body["pages"]:
            return out
        page += 1


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The # credit lines, then the rows under the header."""
    lines = text.splitlines(keepends=True)
    notes = [line.rstrip("\r\n") for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("".join(line for line in lines if not line.startswith("#")))))
    return notes, rows


@pytest.mark.parametrize("query", ["", FILTERED, "fund=INDIGO-FUND-0012", "q=mental+health&stage=complete"])
def test_the_csv_holds_exactly_the_projects_the_listing_holds(api, query):
    resp = api.get(f"/api/projects.csv?{query}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv", resp.data[:200]
    _, rows = parse_csv(resp.get_data(as_text=True))
    assert [r["id"] for r in rows] == listed_ids(api, query)
    assert rows and list(rows[0]) == list(export.COLUMNS)


def test_the_json_download_matches_the_listing(api):
    resp = api.get(f"/api/projects.json?{FILTERED}")
    assert resp.status_code == 200 and resp.is_json
    body = resp.get_json()
    assert [p["id"] for p in body["projects"]] == listed_ids(api, FILTERED)
    assert body["total"] == len(body["projects"])
    assert body["filters"] == {"country": "GB", "policy_sector": "Homelessness", "launch_year_from": 2015}
    assert body["credit"] == {**CREDIT_BODY, "snapshot": "2025-05-20", "snapshot_text": "20 May 2025"}


def test_files_credit_indigo_with_its_terms_and_snapshot(api):
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "Snapshot taken on 20 May 2025" in readme  # the date comes from GO Lab's README
    notes, _ = parse_csv(api.get(f"/api/projects.csv?{FILTERED}").get_data(as_text=True))
    assert notes[0] == f"# {CREDIT} ({INDIGO_HOME}). Snapshot of 20 May 2025."
    assert notes[1] == f"# Terms: {CREDIT_BODY['terms']}"
    assert notes[2].startswith("# Filters: country=GB; policy_sector=Homelessness; launch_year_from=2015.")


def test_downloads_are_attachments_with_a_clear_name(api):
    csv_resp = api.get(f"/api/projects.csv?{FILTERED}")
    assert csv_resp.headers["Content-Disposition"] == (
        'attachment; filename="indigo-projects-2025-05-20-gb-homelessness-2015.csv"'
    )
    assert api.get("/api/projects.json").headers["Content-Disposition"] == (
        'attachment; filename="indigo-projects-2025-05-20.json"'
    )
    # A name typed by the reader never reaches the header as sent.
    odd = api.get("/api/projects.csv?q=%22%3B+filename%3Devil.exe")
    assert odd.headers["Content-Disposition"].count('"') == 2 and "evil-exe" in odd.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("url", "field", "code"),
    [
        ("/api/projects.csv?page=2", "page", "unknown_parameter"),
        ("/api/projects.csv?per_page=5", "per_page", "unknown_parameter"),
        ("/api/projects.csv?stage=nearly", "stage", "invalid_value"),
        ("/api/projects.csv?country=GB&country=US", "country", "repeated_parameter"),
        ("/api/projects.csv?launch_year_from=20x5", "launch_year_from", "invalid_type"),
        ("/api/projects.json?launch_year_to=1800", "launch_year_to", "out_of_range"),
        ("/api/projects.json?launch_year_from=2020&launch_year_to=2010", "launch_year_from", "invalid_range"),
        ("/api/projects.json?q=" + "x" * 201, "q", "too_long"),
    ],
)
def test_bad_filters_get_the_same_json_error_as_the_listing(api, url, field, code):
    resp = api.get(url)
    assert resp.status_code == 400 and resp.is_json, resp.data[:200]
    body = resp.get_json()
    assert body["error"]["field"] == field and body["error"]["code"] == code
    assert body["credit"]["text"] == CREDIT
    # /api/projects says the same about the same filter (paging aside, which it accepts).
    if field not in ("page", "per_page"):
        listing = api.get(
            url.replace("/api/projects.csv", "/api/projects").replace("/api/projects.json", "/api/projects")
        )
        assert listing.get_json()["error"] == body["error"]


def test_cells_that_could_run_as_formulas_are_made_text():
    for value in ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert export.safe_cell(value) == "'" + value
    for value in ("Peterborough", "", "a=b", 2017, -5):
        assert export.safe_cell(value) == value
    evil = Project(
        id="INDIGO-POJ-9998",
        name="=cmd|' /C calc'!A0",
        stage="-x",
        countries=("GB",),
        policy_sector="@Homelessness",
        alt_names="",
    )
    _, rows = parse_csv(export.to_csv([evil], Query()))
    assert rows[0]["name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["stage"] == "'-x" and rows[0]["policy_sector"] == "'@Homelessness"
    # The JSON keeps INDIGO's text as it is: only spreadsheets run formulas.
    assert export.to_json([evil], Query())["projects"][0]["name"] == evil.name


def test_the_snapshot_date_is_read_from_the_readme(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# INDIGO\n\nSnapshot taken on 3 June 2026 (320 projects).\n", encoding="utf-8")
    assert export.snapshot(readme) == ("3 June 2026", "2026-06-03")
    readme.write_text("# INDIGO\n\nNo date here.\n", encoding="utf-8")
    export.snapshot.cache_clear()
    with pytest.raises(ValueError, match="Snapshot taken on"):
        export.snapshot(readme)
