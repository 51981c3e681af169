"""Property tests: any valid answers give a valid result; a better answer never lowers the score."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_api.feasibility.assess import assess, validate
from search_api.feasibility.data import policy_areas
from search_api.feasibility.rules import CHOICES, load

RS = load()
CRITERIA = [c.id for c in RS.criteria]
CONTRACT_IDS = [
    "outcome_measurable", "additionality", "defined_cohort", "contract_scale", "development_capacity",
    "outcome_funding", "evidence_base", "data_access", "time_horizon", "provider_market", "stakeholder_support",
]  # fmt: skip


def _number(qid: str):
    q = RS.question(qid)
    if q.get("integer"):
        return st.integers(q["minimum"], q["maximum"])
    return st.floats(q["minimum"], q["maximum"], allow_nan=False, allow_infinity=False)


answers_strategy = st.fixed_dictionaries(
    {},
    optional={
        **{c: st.sampled_from(CHOICES) for c in CRITERIA},
        "contract_value_gbp": st.one_of(
            _number("contract_value_gbp"), st.sampled_from([0, 20_000, 299_999, 300_000, 1_250_000])
        ),
        "cohort_size": st.one_of(_number("cohort_size"), st.sampled_from([0, 49, 50, 51])),
        "outcome_timeframe_months": st.one_of(_number("outcome_timeframe_months"), st.sampled_from([48, 48.5, 72, 73])),
        "policy_area": st.sampled_from(policy_areas()),
    },
)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_criteria_ids_are_the_api_contract():
    assert CRITERIA == CONTRACT_IDS


@FAST
@given(answers_strategy)
def test_any_valid_answers_give_a_valid_result(raw):
    answers, problems = validate(raw)
    assert problems == []
    r = assess(answers, comparables=False)
    assert r["verdict"] in {"strong", "promising", "weak", "unsuitable"}
    assert isinstance(r["score"], int) and 0 <= r["score"] <= 100
    assert [c["id"] for c in r["criteria"]] == CONTRACT_IDS
    for c in r["criteria"]:
        assert c["status"] in {"met", "partly", "not_met", "unknown"}
        assert c["reason"] and c["advice"] and c["guidance_url"].startswith("/")
        assert 0 <= c["points"] <= c["max_points"]
    core = [c["id"] for c in r["criteria"] if c["blocker"] and c["status"] == "not_met"]
    assert r["blockers"] == core
    assert (r["verdict"] == "unsuitable") == bool(core)
    if r["verdict"] == "strong":
        assert all(c["status"] != "not_met" for c in r["criteria"])
    gaps = [c["id"] for c in r["criteria"] if c["status"] != "met"]
    assert sorted(s["criterion"] for s in r["next_steps"] if s["criterion"]) == sorted(gaps)
    assert r["rules_version"] == RS.rules_version


@FAST
@given(answers_strategy, st.sampled_from(CRITERIA))
def test_changing_one_answer_from_no_to_yes_never_lowers_the_score(raw, criterion):
    answers, _ = validate(raw)
    worse = assess({**answers, criterion: "no"}, comparables=False)
    better = assess({**answers, criterion: "yes"}, comparables=False)
    assert better["score"] >= worse["score"]
    # Nor does it add a blocker.
    assert set(better["blockers"]) <= set(worse["blockers"])


@FAST
@given(answers_strategy, st.sampled_from(CRITERIA))
def test_each_step_up_in_an_answer_never_lowers_the_score(raw, criterion):
    answers, _ = validate(raw)
    scores = [assess({**answers, criterion: a}, comparables=False)["score"] for a in ("no", "partly", "yes")]
    assert scores == sorted(scores)
