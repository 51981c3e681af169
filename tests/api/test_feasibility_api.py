"""The feasibility API: the questionnaire, the assessment and every validation error."""

from __future__ import annotations

import json

import pytest

from search_api.feasibility.data import policy_areas
from search_api.feasibility.rules import CHOICES, load

RS = load()
ALL_YES = {c.id: "yes" for c in RS.criteria}


def post(client, body, **kw):
    return client.post("/api/feasibility", json=body, **kw)


def error(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json
    return resp.get_json()["error"]


def test_questions_lists_every_criterion_with_guidance(client):
    resp = client.get("/api/feasibility/questions")
    assert resp.status_code == 200
    data = resp.get_json()
    qs = {q["id"]: q for t in data["themes"] for q in t["questions"]}
    assert set(qs) == set(RS.question_ids)
    assert [a["value"] for a in data["answers"]] == list(CHOICES)
    assert qs["policy_area"]["options"] == policy_areas() and "Homelessness" in qs["policy_area"]["options"]
    assert qs["contract_value_gbp"]["unit"] == "GBP"
    assert all(q["guidance_url"].startswith("/guidance/") for q in qs.values())
    assert data["rules_version"] == RS.rules_version


def test_questions_rejects_unknown_parameters(client):
    assert error(client.get("/api/feasibility/questions?x=1"), 400)["field"] == "x"


def test_assess_returns_the_contract_shape(client):
    body = {"answers": {**ALL_YES, "contract_value_gbp": 3_000_000, "policy_area": "Homelessness"}}
    resp = post(client, body)
    assert resp.status_code == 200
    r = resp.get_json()
    required = {"verdict", "score", "criteria", "blockers", "next_steps", "comparable_projects", "rules_version"}
    assert required <= set(r)
    assert r["verdict"] == "strong" and r["score"] == 100 and r["blockers"] == []
    assert {"id", "status", "reason", "advice", "guidance_url"} <= set(r["criteria"][0])
    assert r["comparable_projects"] and all(p["policy_area"] == "Homelessness" for p in r["comparable_projects"])
    assert r["markdown"].startswith("# Social Outcomes Partnership feasibility assessment")
    assert "http://localhost/guidance/deciding-if-an-sop-fits/" in r["markdown"]


def test_missing_and_null_answers_count_as_unsure(client):
    r = post(client, {"answers": {"outcome_measurable": None}}).get_json()
    assert {c["status"] for c in r["criteria"]} == {"unknown"}
    assert r["verdict"] == "weak"


def test_a_tiny_contract_is_not_met_over_the_api(client):
    r = post(client, {"answers": {**ALL_YES, "contract_value_gbp": 20000}}).get_json()
    assert r["verdict"] == "unsuitable" and r["blockers"] == ["contract_scale"]


def test_wrong_content_type_is_415(client):
    resp = client.post("/api/feasibility", data=json.dumps({"answers": {}}), content_type="text/plain")
    err = error(resp, 415)
    assert err["code"] == "unsupported_media_type" and err["allowed"] == ["application/json"]
    error(client.post("/api/feasibility", data={"answers": "x"}), 415)


def test_malformed_json_is_400(client):
    resp = client.post("/api/feasibility", data='{"answers": {', content_type="application/json")
    assert error(resp, 400)["code"] == "malformed_json"


@pytest.mark.parametrize("body", [[], "answers", 3, None])
def test_a_body_that_is_not_an_object_is_400(client, body):
    resp = client.post("/api/feasibility", data=json.dumps(body), content_type="application/json")
    err = error(resp, 400)
    assert err["code"] in {"invalid_body", "malformed_json"} and err["field"] == "body"


def test_unknown_and_missing_top_level_fields(client):
    err = error(post(client, {"answers": {}, "extra": 1}), 400)
    assert err["code"] == "unknown_field" and err["field"] == "extra" and err["allowed"] == ["answers"]
    err = error(post(client, {}), 400)
    assert err["code"] == "missing_field" and err["field"] == "answers"


def test_answers_must_be_an_object(client):
    err = error(post(client, {"answers": ["yes"]}), 400)
    assert err["code"] == "invalid_answers" and err["details"][0]["field"] == "answers"


def test_unknown_question_id_names_the_field_and_the_allowed_ids(client):
    err = error(post(client, {"answers": {"outcome_measurable": "yes", "budget": "yes"}}), 400)
    assert err["field"] == "answers.budget"
    assert err["details"] == [
        {"field": "answers.budget", "message": "Unknown question id 'budget'.", "allowed": RS.question_ids}
    ]


@pytest.mark.parametrize("value", ["maybe", "Yes", "YES", "", 1, True, ["yes"], {"a": 1}])
def test_wrong_answer_values_list_the_allowed_answers(client, value):
    err = error(post(client, {"answers": {"additionality": value}}), 400)
    assert err["details"] == [
        {"field": "answers.additionality", "message": err["details"][0]["message"], "allowed": list(CHOICES)}
    ]
    assert "yes, partly, no, unsure" in err["details"][0]["message"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("contract_value_gbp", "2000000"),
        ("contract_value_gbp", True),
        ("contract_value_gbp", -1),
        ("contract_value_gbp", 1e11),
        ("cohort_size", 12.5),
        ("cohort_size", "many"),
        ("outcome_timeframe_months", 601),
        ("outcome_timeframe_months", [12]),
    ],
)
def test_wrong_numbers_name_the_field_and_the_range(client, field, value):
    err = error(post(client, {"answers": {field: value}}), 400)
    (detail,) = err["details"]
    q = RS.question(field)
    assert detail["field"] == f"answers.{field}"
    assert detail["allowed"]["minimum"] == q["minimum"] and detail["allowed"]["maximum"] == q["maximum"]


def test_unknown_policy_area_lists_the_indigo_sectors(client):
    err = error(post(client, {"answers": {"policy_area": "Space travel"}}), 400)
    assert err["details"][0]["allowed"] == policy_areas()


def test_every_fault_is_reported_at_once(client):
    body = {"answers": {"nope": 1, "additionality": "maybe", "cohort_size": -3, "policy_area": 7, "data_access": "yes"}}
    err = error(post(client, body), 400)
    fields = [d["field"] for d in err["details"]]
    assert sorted(fields) == sorted(
        ["answers.nope", "answers.additionality", "answers.cohort_size", "answers.policy_area"]
    )
    assert all(f in err["message"] for f in fields)


def test_get_on_the_assess_endpoint_is_405_json(client):
    err = error(client.get("/api/feasibility"), 405)
    assert err["code"] == "method_not_allowed"
