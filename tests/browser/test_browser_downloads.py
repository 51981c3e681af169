"""The project finder's downloads in a real browser: the file holds exactly the rows the finder shows."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from search_api.projects.load import CREDIT

pytestmark = pytest.mark.browser
WAIT = 15000


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all("#project-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.id)")


def all_ids(page) -> list[str]:
    return page.eval_on_selector_all("#project-table tbody tr", "rows => rows.map(r => r.dataset.id)")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(x for x in text.splitlines(True) if not x.startswith("#")))))


def download(page, link_id: str):
    with page.expect_download(timeout=WAIT) as info:
        page.locator(f"#{link_id}").click()
    d = info.value
    return d.suggested_filename, open(d.path(), encoding="utf-8").read()


def open_finder(page, base: str) -> None:
    page.goto(base + "/projects/")
    page.locator("#pf-download-api").wait_for(state="visible", timeout=WAIT)  # the API answered


def test_a_filtered_csv_holds_exactly_the_rows_the_finder_shows(page, live_server):
    open_finder(page, live_server)
    page.get_by_label("Policy sector").select_option(label="Homelessness")
    page.get_by_label("Country").select_option(label="United Kingdom")
    page.get_by_label("Launched from (year)").fill("2016")
    page.get_by_label("Launched up to (year)").fill("2019")
    page.get_by_label("Launched up to (year)").press("Tab")
    page.locator("#pf-status").filter(has_text=re.compile(r"^\d+ of \d+")).wait_for(timeout=WAIT)
    shown = visible_ids(page)
    assert 0 < len(shown) < len(all_ids(page))
    assert page.locator("#pf-download-what").inner_text() == f"The {len(shown)} projects that match the filters"
    name, text = download(page, "pf-csv")
    assert name == "indigo-projects-2025-05-20-gb-homelessness-2016-2019.csv"
    assert CREDIT in text.splitlines()[0]
    rows = csv_rows(text)
    assert [r["id"] for r in rows] == shown
    name, text = download(page, "pf-json")
    assert name.endswith(".json") and [p["id"] for p in json.loads(text)["projects"]] == shown


def test_words_fund_and_stage_filters_and_sorting_keep_file_and_table_the_same(page, live_server):
    open_finder(page, live_server)
    page.get_by_label("Words in the name or description").fill("mental  health")
    page.get_by_label("Stage").select_option(label="Complete")
    page.locator("#pf-status").filter(has_text=re.compile(r"^\d+ of \d+")).wait_for(timeout=WAIT)
    page.locator("#project-table th", has_text="Launch year").get_by_role(
        "button"
    ).click()  # sorting changes order only
    shown = visible_ids(page)
    assert shown
    _, text = download(page, "pf-csv")
    assert sorted(r["id"] for r in csv_rows(text)) == sorted(shown)
    page.get_by_label("Words in the name or description").fill("")
    page.get_by_label("Stage").select_option(label="All stages")
    page.get_by_label("Outcomes fund").select_option(label="Life Chances Fund - United Kingdom")
    page.locator("#pf-status").filter(has_text=re.compile(r"^30 of")).wait_for(timeout=WAIT)
    _, text = download(page, "pf-csv")
    assert sorted(r["id"] for r in csv_rows(text)) == sorted(visible_ids(page))


def test_years_the_api_refuses_say_so_instead_of_linking_to_an_error(page, live_server):
    open_finder(page, live_server)
    page.get_by_label("Launched from (year)").fill("2019")
    page.get_by_label("Launched up to (year)").fill("2016")
    page.get_by_label("Launched up to (year)").press("Tab")
    page.locator("#pf-download-check").wait_for(state="visible", timeout=WAIT)
    assert page.locator("#pf-download-api").is_hidden()
    page.get_by_role("button", name="Clear filters").click()
    page.locator("#pf-download-api").wait_for(state="visible", timeout=WAIT)
    assert page.locator("#pf-download-what").inner_text() == f"All {len(all_ids(page))} projects"


def test_the_whole_data_set_downloads_without_the_api(page, live_server):
    page.route("**/api/**", lambda route: route.abort())
    page.goto(live_server + "/projects/")
    page.locator("#pf-download-offline").wait_for(state="visible", timeout=WAIT)
    assert page.locator("#pf-download-api").is_hidden()
    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("link", name="CSV file").last.click()
    assert info.value.suggested_filename == "indigo-projects-2025-05-20.csv"
    rows = csv_rows(open(info.value.path(), encoding="utf-8").read())
    assert [r["id"] for r in rows] == all_ids(page)
