"""A commissioner uses the feasibility assessor in a real browser."""

from __future__ import annotations

import re

import pytest

from search_api.feasibility.assess import assess, validate

pytestmark = pytest.mark.browser

PATH = "/tools/feasibility-assessor/"
FIRST = {"outcome_measurable": "Yes", "additionality": "Yes", "evidence_base": "Partly"}
REST = {
    "defined_cohort": "Yes",
    "data_access": "Yes",
    "contract_scale": "Yes",
    "development_capacity": "Partly",
    "outcome_funding": "Yes",
    "provider_market": "Not sure yet",
    "stakeholder_support": "Yes",
    "time_horizon": "Yes",
}
VALUE = {"Yes": "yes", "Partly": "partly", "No": "no", "Not sure yet": "unsure"}


def choose(page, qid: str, label: str) -> None:
    group = page.locator(f"#fa-q-{qid}")
    group.get_by_label(label, exact=True).check()


def checked(page, qid: str) -> str | None:
    box = page.locator(f"#fa-q-{qid} input:checked")
    return box.get_attribute("value") if box.count() else None


def open_assessor(page, url: str) -> None:
    page.goto(url)
    page.locator("#fa-q-outcome_measurable legend").wait_for(timeout=15000)


def test_fill_reload_see_verdict_and_share(page, live_server, browser):
    open_assessor(page, live_server + PATH)
    for qid, label in FIRST.items():
        choose(page, qid, label)
    page.get_by_label(re.compile("most you would pay in outcome payments")).fill("2500000")
    page.get_by_label("Which policy area is the service in?").select_option("Homelessness")
    assert page.locator("#fa-progress-text").inner_text() == "5 of 15 questions answered"

    # A reload midway loses nothing: the answers come back from local storage.
    page.reload()
    page.locator("#fa-q-outcome_measurable legend").wait_for(timeout=15000)
    for qid, label in FIRST.items():
        assert checked(page, qid) == VALUE[label]
    assert page.locator("#fa-contract_value_gbp").input_value() == "2500000"
    assert page.locator("#fa-policy_area").input_value() == "Homelessness"

    for qid, label in REST.items():
        choose(page, qid, label)
    page.get_by_role("button", name="See the verdict").click()
    title = page.locator("#fa-result-title")
    title.wait_for(timeout=15000)

    answers = {q: VALUE[label] for q, label in {**FIRST, **REST}.items()}
    answers.update(contract_value_gbp=2500000, policy_area="Homelessness")
    expected = assess(validate(answers)[0])
    assert title.inner_text() == "Verdict: " + expected["verdict_label"]
    rows = page.locator("#fa-result tbody tr")
    assert rows.count() == 11
    assert page.locator("tr[data-criterion='provider_market']").get_attribute("data-status") == "unknown"
    assert page.locator("#fa-next-steps li").count() == len(expected["next_steps"])
    assert page.locator("#fa-comparable li").count() == len(expected["comparable_projects"]) > 0
    assert page.evaluate("document.activeElement.id") == "fa-result"

    # The Markdown export is the server's report.
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download as Markdown").click()
    text = open(dl.value.path(), encoding="utf-8").read()
    assert text.startswith("# Social Outcomes Partnership feasibility assessment")

    # The share link carries the answers: a fresh browser with empty storage sees the same ones.
    link = page.locator("#fa-share-link").input_value()
    assert "#" in link and "contract_value_gbp=2500000" in link
    other = browser.new_context()
    try:
        fresh = other.new_page()
        open_assessor(fresh, link)
        for qid, value in answers.items():
            if qid in ("contract_value_gbp", "policy_area"):
                continue
            assert checked(fresh, qid) == value, qid
        assert fresh.locator("#fa-contract_value_gbp").input_value() == "2500000"
        assert fresh.locator("#fa-policy_area").input_value() == "Homelessness"
        assert "#" not in fresh.url  # taken into storage, so later edits survive a reload
    finally:
        other.close()


def test_bad_number_shows_an_error_summary_at_the_top(page, live_server):
    open_assessor(page, live_server + PATH)
    page.locator("#fa-cohort_size").fill("12.5")
    page.get_by_role("button", name="See the verdict").click()
    summary = page.locator("#fa-errors")
    summary.wait_for(timeout=5000)
    assert "There is a problem" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "fa-errors"
    link = summary.get_by_role("link")
    assert "whole number" in link.inner_text()
    link.click()
    assert page.evaluate("document.activeElement.id") == "fa-cohort_size"
    assert page.locator("#fa-cohort_size").get_attribute("aria-invalid") == "true"


def test_keyboard_alone_can_answer(page, live_server):
    open_assessor(page, live_server + PATH)
    page.locator("#fa-outcome_measurable-yes").focus()
    page.keyboard.press("Space")
    assert checked(page, "outcome_measurable") == "yes"
    page.keyboard.press("ArrowRight")
    assert checked(page, "outcome_measurable") == "partly"


def test_without_the_api_the_page_still_works_and_says_so(page, live_server):
    page.route("**/api/**", lambda route: route.abort())
    open_assessor(page, live_server + PATH)  # questions come from the static copy
    choose(page, "outcome_measurable", "No")
    page.get_by_role("button", name="See the verdict").click()
    box = page.locator("#fa-offline")
    box.wait_for(timeout=10000)
    assert "sophub assess answers.json" in box.inner_text()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download answers (JSON)").click()
    assert '"outcome_measurable": "no"' in open(dl.value.path(), encoding="utf-8").read()
