"""Every named scenario in kb/feasibility/cases.yaml gets the verdict it expects."""

from __future__ import annotations

import pytest
import yaml

from search_api.feasibility.assess import assess, validate
from search_api.feasibility.rules import DATA_DIR, load

CASES = yaml.safe_load((DATA_DIR / "cases.yaml").read_text(encoding="utf-8"))["cases"]


def test_there_are_enough_cases_covering_every_verdict_and_blocker():
    rs = load()
    assert len(CASES) >= 12
    verdicts = {c["expect"].get("verdict") for c in CASES}
    assert {v["id"] for v in rs.verdicts} <= verdicts
    blockers = {b for c in CASES for b in c["expect"].get("blockers", [])}
    assert {c.id for c in rs.criteria if c.blocker} <= blockers
    # Each blocker also appears alone, so each is shown to be enough on its own.
    alone = {c["expect"]["blockers"][0] for c in CASES if len(c["expect"].get("blockers", [])) == 1}
    assert {c.id for c in rs.criteria if c.blocker} <= alone
    assert len({c["name"] for c in CASES}) == len(CASES), "case names must be unique"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    answers, problems = validate(case["answers"])
    assert problems == []
    result = assess(answers, comparables=False)
    expect = case["expect"]
    if "verdict" in expect:
        assert result["verdict"] == expect["verdict"], (result["score"], result["blockers"])
    if "blockers" in expect:
        assert result["blockers"] == expect["blockers"]
    statuses = {c["id"]: c["status"] for c in result["criteria"]}
    for criterion, status in expect.get("statuses", {}).items():
        assert statuses[criterion] == status, criterion
    assert expect.get("score_min", 0) <= result["score"] <= expect.get("score_max", 100)


def test_tiny_contract_fails_whatever_the_answer_says():
    for answer in ("yes", "partly", "no", "unsure"):
        answers, _ = validate({"contract_scale": answer, "contract_value_gbp": 20000})
        result = assess(answers, comparables=False)
        assert result["blockers"] == ["contract_scale"]
        assert result["verdict"] == "unsuitable"


def test_next_steps_put_blockers_first_then_unknowns():
    answers, _ = validate({"outcome_funding": "no", "additionality": "no", "defined_cohort": "partly"})
    steps = [s["criterion"] for s in assess(answers, comparables=False)["next_steps"]]
    assert steps[:2] == ["additionality", "outcome_funding"]
    assert steps.index("outcome_measurable") < steps.index("defined_cohort")  # unknown before partly
    assert steps[-1] is None  # the closing step that always applies


def test_comparable_projects_share_the_policy_area_and_are_of_similar_size():
    answers, _ = validate({"policy_area": "Homelessness", "contract_value_gbp": 2_000_000})
    projects = assess(answers)["comparable_projects"]
    assert 1 <= len(projects) <= 5
    for p in projects:
        assert p["policy_area"] == "Homelessness"
        assert p["indigo_url"].startswith("https://golab.bsg.ox.ac.uk/") and p["id"] in p["indigo_url"]
        assert p["url"] == f"/projects/{p['id'].lower()}/"
        assert "times your figure" in p["why"]
    answers, _ = validate({})
    assert assess(answers)["comparable_projects"] == []
