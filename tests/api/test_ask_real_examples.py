"""The chatbot on the real stack, on the questions a new reader tried (issue "Answers practitioners can trust").

Each must get an answer that holds what the reader needs, or an honest decline that says why,
offers pages and shows no unrelated sentences as if they answered."""

from __future__ import annotations

import pytest

PBR = [{"role": "user", "text": "What's the difference between a SIB and payment by results?"}]


@pytest.fixture(scope="module")
def ask(real_app):
    client = real_app.test_client()

    def go(question: str, history: list | None = None) -> dict:
        body = {"question": question} | ({"history": history} if history else {})
        resp = client.post("/api/ask", json=body)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    return go


def _text(reply: dict) -> str:
    return " ".join(a["text"] for a in reply["answer"]).lower()


def _urls(reply: dict) -> list[str]:
    return [a["citation"]["url"] for a in reply["answer"]]


def test_what_went_wrong_at_rikers_is_answered(ask):
    reply = ask("what went wrong at rikers")
    assert reply["answered"], reply["message"]
    assert "reoffending" in _text(reply) or "recidivism" in _text(reply)
    assert all("rikers" in url for url in _urls(reply) + [r["url"] for r in reply["related"]])


def test_what_is_the_lcf_opens_with_the_funds_own_definition(ask):
    reply = ask("what is the LCF?")
    first = reply["answer"][0]["text"]
    assert "Life Chances Fund" in first and "£70 million" in first
    assert not first.startswith("The evaluations asked")


def test_setting_up_a_sib_step_by_step_gets_steps_not_a_list_of_organisations(ask):
    reply = ask("how do I set up a SIB in my council step by step")
    assert reply["answered"]
    assert not any(url.startswith("/organisations/") for url in _urls(reply))
    assert "outcomes" in _text(reply) and ("business case" in _text(reply) or "procurement" in _text(reply))


def test_a_project_that_does_not_exist_is_declined_by_name(ask):
    reply = ask("what did the Plymouth loneliness impact bond achieve?")
    assert not reply["answered"] and reply["route"] == "unknown_name"
    assert "no record of" in reply["message"] and "Plymouth loneliness impact bond" in reply["message"]
    assert reply["answer"] == [] and reply["related"]


def test_a_forecast_is_declined_with_pages_not_past_dates(ask):
    reply = ask("will the government launch a new outcomes fund next year?")
    assert not reply["answered"] and reply["route"] == "forecast"
    assert reply["answer"] == [] and reply["related"]


def test_who_pays_if_it_fails_after_sib_vs_pbr_says_the_investor_bears_the_loss(ask):
    reply = ask("who pays if it fails?", PBR)
    assert reply["answered"]
    text = _text(reply)
    assert "investor" in text and ("risk" in text or "repays them only" in text or "lose" in text)
    assert not any("names-around-the-world" in url for url in _urls(reply))


def test_an_authored_answer_is_served_with_the_sections_it_rests_on(ask):
    reply = ask("what is the Life Chances Fund?")
    assert reply["route"] == "authored"
    assert all(url.startswith("/common-questions/") for url in _urls(reply))
    assert any(link["url"].startswith("/life-chances-fund/") for link in reply["related"])
    assert all(not s["text"].startswith("Based on") for s in reply["answer"])


def test_a_follow_up_keeps_its_topic(ask):
    reply = ask(
        "who provided the services?", [{"role": "user", "text": "tell me about the Peterborough social impact bond"}]
    )
    assert reply["answered"]
    assert all("peterborough" in url for url in _urls(reply)), _urls(reply)
    assert "st giles trust" in _text(reply) or "one service" in _text(reply)


@pytest.mark.parametrize(
    "question, route",
    [
        ("what salary does the chief executive of west london zone get", "not_held"),
        ("give me the email address of the project manager at kirklees", "personal_info"),
        ("our investor won't release the final payment under clause 12, can we sue?", "advice"),
    ],
)
def test_other_declines_say_why_and_show_no_sentences(ask, question, route):
    reply = ask(question)
    assert reply["route"] == route and not reply["answered"] and reply["answer"] == []


@pytest.mark.parametrize(
    "question, route",
    [
        # No rule in kb/ask.yaml matches these wordings: the examples in kb/decline_examples.yaml catch them by meaning.
        ("will ministers keep paying for outcomes contracts once the current fund closes", "forecast"),
        ("is it worth us taking on a social investment loan for our charity", "advice"),
    ],
)
def test_declines_no_rule_foresaw_are_caught_by_meaning(ask, question, route):
    from search_api.ask import router

    assert router.match_rules(question) is None
    reply = ask(question)
    assert reply["route"] == route and not reply["answered"] and reply["answer"] == []


def test_results_a_project_page_does_not_hold_are_declined_with_its_page(ask):
    reply = ask("Treatment of Stress SIB Denmark results")
    assert reply["route"] == "not_held" and not reply["answered"] and reply["answer"] == []
    assert "no results" in reply["message"] and "Treatment of Stress SIB - Denmark" in reply["message"]
    assert reply["related"][0]["url"].startswith("/projects/indigo-poj-")


def test_a_named_project_with_a_kind_of_question_gets_that_part_not_the_pages_opening(ask):
    reply = ask("essex mst sib outcomes")
    assert reply["route"] == "answered"
    assert any(url.endswith(("#outcome-metrics", "#what-happened")) for url in _urls(reply)), _urls(reply)


def test_typing_slips_are_mended_before_searching(ask):
    reply = ask("how do outcome paymnets work in a socail impact bond")
    assert reply["answered"], reply["message"]
    assert "outcome" in _text(reply) and "pay" in _text(reply)
