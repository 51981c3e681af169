"""A reader filters and sorts the project finder in a real browser; rows shown match the data."""

import csv
import re

import pytest

from search_api.projects.load import DATA_DIR

pytestmark = pytest.mark.browser
SECTOR = "Purpose and classifications - Policy sector - (Value)"


def csv_projects() -> list[dict[str, str]]:
    with open(DATA_DIR / "original_projects_with_orgs_countries.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all("#project-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.id)")


def test_filter_by_sector_and_country_shows_exactly_the_matching_projects(page, live_server):
    rows = csv_projects()
    expected = {r["ID"] for r in rows if r[SECTOR].strip() == "Homelessness" and "GB" in r["Countries"].split(", ")}
    assert expected
    page.goto(live_server + "/projects/")
    assert len(visible_ids(page)) == len(rows)
    page.get_by_label("Policy sector").select_option(label="Homelessness")
    page.get_by_label("Country").select_option(label="United Kingdom")
    status = page.locator("#pf-status")
    status.filter(has_text=re.compile(rf"^{len(expected)} of {len(rows)}")).wait_for(timeout=5000)
    assert set(visible_ids(page)) == expected
    # Launch year range narrows further, still matching the data.
    page.get_by_label("Launched from (year)").fill("2017")
    page.get_by_label("Launched up to (year)").fill("2018")
    page.get_by_label("Launched up to (year)").press("Tab")
    year = {
        r["ID"]: (
            r["Dates - Start date of service provision - (Value)"]
            or r["Dates - Date outcomes contract signed - (Value)"]
        )[:4]
        for r in rows
    }
    narrowed = {i for i in expected if year[i] in ("2017", "2018")}
    status.filter(has_text=re.compile(rf"^{len(narrowed)} of {len(rows)}")).wait_for(timeout=5000)
    assert set(visible_ids(page)) == narrowed
    page.get_by_role("button", name="Clear filters").click()
    status.filter(has_text=f"All {len(rows)}").wait_for(timeout=5000)


def test_free_text_and_fund_filters(page, live_server):
    page.goto(live_server + "/projects/")
    page.get_by_label("Outcomes fund").select_option(label="Life Chances Fund - United Kingdom")
    page.locator("#pf-status").filter(has_text=re.compile(r"^30 of")).wait_for(timeout=5000)
    page.get_by_label("Words in the name or description").fill("zzqqxx")
    page.locator("#pf-status").filter(has_text=re.compile(r"^0 of")).wait_for(timeout=5000)
    assert page.locator("#pf-none").is_visible()


def test_sorting_by_keyboard_sets_aria_sort(page, live_server):
    page.goto(live_server + "/projects/")
    header = page.locator("#project-table th", has_text="Launch year")
    button = header.get_by_role("button")
    button.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    years = page.eval_on_selector_all("#project-table tbody tr", "rows => rows.map(r => r.dataset.year)")
    dated = [int(y) for y in years if y]
    assert dated == sorted(dated) and years[: len(dated)] == [str(y) for y in dated]  # blanks last
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    assert "Sorted by Launch year, descending" in page.locator("#pf-status").inner_text()


def test_table_lists_every_project_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(live_server + "/projects/")
    assert pg.locator("#project-table tbody tr").count() == len(csv_projects())
    assert not pg.locator("#project-finder").is_visible()  # the form needs the script, so it stays hidden
    context.close()
