"""The chatbot on the real model and the real index: citations, follow-ups, routes, the evaluation."""

import json

import pytest

from devtools import ask_eval
from search_api.ask import answer

KNOWN_ROUTES = {
    "greeting",
    "thanks",
    "about_bot",
    "off_topic",
    "advice",
    "abuse",
    "injection",
    "personal_data",
    "feasibility",
    "project",
    "declined",
    "answered",
    "authored",
    "unknown_name",
    "forecast",
    "not_held",
    "personal_info",
}


# One module-scoped evaluation, so the whole module runs on one pytest-xdist worker (`--dist loadgroup`).
pytestmark = [pytest.mark.model, pytest.mark.xdist_group("ask_real")]


def _key(question: str, history: list | None) -> str:
    return json.dumps([question, history or []])


@pytest.fixture(scope="module")
def evaluation(real_app):
    """Every evaluation question answered once through the API, and by the baseline."""
    if not ask_eval.EVAL_FILE.is_file():
        pytest.skip("kb/eval/ask.yaml is not there yet")
    in_scope, out_of_scope = ask_eval.load_eval()
    client = real_app.test_client()
    replies = []
    for item in in_scope + out_of_scope:
        resp = client.post("/api/ask", json={"question": item["question"], "history": item.get("history") or []})
        replies.append((item, resp.status_code, resp.get_json()))
    res = real_app.extensions["sop"]
    # The bot is scored on the API's own replies (answer_question's result plus took_ms), so each
    # question is answered once for the API checks and the figures alike.
    served = {_key(item["question"], item.get("history")): body for item, _status, body in replies}
    bot = ask_eval.evaluate(res, in_scope, out_of_scope, lambda _res, q, history: served[_key(q, history)])
    base = ask_eval.evaluate(res, in_scope, out_of_scope, answer.baseline_answer)
    return {"replies": replies, "bot": bot, "baseline": base}


def test_every_cited_url_of_every_evaluation_answer_is_in_the_index(real_app, evaluation):
    urls = {c["url"] for c in real_app.extensions["sop"].index().stored.chunks}
    missing = []
    for item, status, body in evaluation["replies"]:
        assert status == 200, (item["question"], body)
        assert body["route"] in KNOWN_ROUTES
        assert 0 <= body["confidence"] <= 1
        if body["answered"]:
            assert 1 <= len(body["answer"]) <= 4, item["question"]
        missing += [a["citation"]["url"] for a in body["answer"] if a["citation"]["url"] not in urls]
        missing += [
            r["url"]
            for r in body["related"]
            if r["url"].startswith("/") and r["url"] not in urls and not r["url"].startswith("/tools/")
        ]
    assert missing == []


def test_out_of_scope_attacks_and_personal_data_are_never_answered(evaluation):
    for item, _status, body in evaluation["replies"]:
        want = item.get("expect_route")
        if want in (
            "off_topic",
            "injection",
            "abuse",
            "personal_data",
            "advice",
            "greeting",
            "thanks",
            "about_bot",
            "feasibility",
        ):
            assert body["route"] == want, (item["question"], body["route"])
            assert body["answer"] == []


def test_the_bot_beats_the_baseline_by_twenty_points(evaluation):
    bot, base = evaluation["bot"], evaluation["baseline"]
    assert bot["cited_urls_missing"] == 0
    assert bot["answered_with_fact"] >= base["answered_with_fact"] + 0.20, (bot, base)
    assert bot["in_scope_wrongly_declined"] <= 0.05, bot["failures"]


def test_a_key_facts_row_answers_a_date_question(real_app):
    body = real_app.test_client().post("/api/ask", json={"question": "when did the Peterborough SIB start?"}).get_json()
    assert body["answered"], body
    assert any("2010" in a["text"] for a in body["answer"]), body["answer"]


def test_follow_up_is_answered_in_the_context_of_the_previous_question(real_app):
    client = real_app.test_client()
    first = "what are Social Outcomes Partnerships called around the world?"
    alone = client.post("/api/ask", json={"question": "and in the US?"}).get_json()
    body = client.post(
        "/api/ask", json={"question": "and in the US?", "history": [{"role": "user", "text": first}]}
    ).get_json()
    assert body["answered"], body
    assert any("Pay for Success" in a["text"] for a in body["answer"]), body["answer"]
    assert body["answer"] != alone["answer"]


def test_a_question_the_hub_cannot_answer_is_declined_with_the_closest_pages(real_app):
    body = (
        real_app.test_client()
        .post("/api/ask", json={"question": "how do tectonic plates move beneath volcanic islands"})
        .get_json()
    )
    assert body["route"] == "declined" and not body["answered"]
    assert "rephras" in body["message"]
    assert body["related"] and all(r["url"].startswith("/") for r in body["related"])


def test_naming_a_case_study_points_to_it(real_app):
    body = real_app.test_client().post("/api/ask", json={"question": "tell me about Rikers Island"}).get_json()
    assert body["route"] == "project"
    assert body["related"][0]["url"].startswith(("/case-studies/rikers-island/", "/projects/"))
