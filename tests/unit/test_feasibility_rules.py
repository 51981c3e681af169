"""The rules file: its checks, its figures (recomputed from INDIGO), its links, its generated page and the CLI."""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest
import yaml
from markdown.extensions.toc import slugify

from search_api.cli.main import main
from search_api.config import ROOT
from search_api.feasibility.data import measure, percentile
from search_api.feasibility.rules import DATA_DIR, RulesError, build, load

RS = load()
QUESTIONS = yaml.safe_load((DATA_DIR / "questions.yaml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((DATA_DIR / "rules.yaml").read_text(encoding="utf-8"))


def _build(rules_doc, questions_doc=QUESTIONS):
    return build(questions_doc, rules_doc, b"x")


def test_every_rule_cites_a_publication_with_a_link():
    for c in RS.criteria:
        for r in c.rules:
            assert r.reference["publication"] and r.reference["url"].startswith("https://"), r.id
            assert r.description and r.reason and r.advice


@pytest.mark.parametrize("tid", list(RULES["thresholds"]))
def test_threshold_evidence_matches_the_indigo_data(tid):
    t = RULES["thresholds"][tid]
    assert t["unit"] and t["description"] and t["source"]["url"].startswith("https://")
    ev = t["evidence"]
    values = measure(ev["measure"])
    assert len(values) == ev["n"]
    if "count_below" in ev:
        assert sum(v < t["value"] for v in values) == ev["count_below"]
    if "percentile" in ev:
        figure = percentile(values, ev["percentile"])
        assert figure == pytest.approx(ev["figure"], abs=0.5)
        # The threshold is the figure rounded, never something else.
        assert abs(t["value"] - figure) <= max(0.05 * figure, 1)


def test_every_guidance_link_points_at_a_real_heading():
    refs = [q["guidance"] for q in RS.questions] + [s["guidance"] for s in RS.next_steps["always"]]
    for ref in refs:
        path, _, anchor = ref.partition("#")
        page = ROOT / "docs" / path
        assert page.is_file(), ref
        if anchor:
            headings = re.findall(r"^#+\s+(.+?)\s*$", page.read_text(encoding="utf-8"), re.M)
            assert anchor in {slugify(h, "-") for h in headings}, ref


def test_a_rule_may_not_read_another_criterions_answer():
    doc = copy.deepcopy(RULES)
    doc["rules"][0]["condition"] = {"answer": "additionality", "is": "yes"}
    with pytest.raises(RulesError, match="not its own criterion"):
        _build(doc)


def test_an_unquoted_yes_is_caught():
    doc = copy.deepcopy(RULES)
    doc["rules"][0]["condition"] = {"answer": "outcome_measurable", "is": True}
    with pytest.raises(RulesError, match="quote yes and no"):
        _build(doc)


def test_every_answer_needs_its_plain_rule_and_points_must_fall():
    doc = copy.deepcopy(RULES)
    doc["rules"] = [r for r in doc["rules"] if r["id"] != "data_access_unsure"]
    with pytest.raises(RulesError, match="no plain rule for the answer 'unsure'"):
        _build(doc)
    doc = copy.deepcopy(RULES)
    next(r for r in doc["rules"] if r["id"] == "data_access_no")["weight"] = 5
    with pytest.raises(RulesError, match="points must fall"):
        _build(doc)


def test_unknown_thresholds_and_missing_fields_are_caught():
    doc = copy.deepcopy(RULES)
    next(r for r in doc["rules"] if r["id"] == "contract_scale_too_small")["condition"]["below"] = "nope"
    del doc["rules"][1]["reference"]
    with pytest.raises(RulesError) as exc:
        _build(doc)
    assert "contract_scale_too_small" in str(exc.value) and "missing 'reference'" in str(exc.value)


def test_rules_version_follows_the_file_content():
    a = build(QUESTIONS, RULES, b"one").rules_version
    b = build(QUESTIONS, RULES, b"two").rules_version
    assert a != b and a.startswith(RULES["version"])


def test_the_generated_page_lists_every_rule_and_figure_and_validates():
    from sitebuild.feasibility_page import render_page

    md = render_page(RS)
    front = json.loads(json.dumps(yaml.safe_load(md.split("---")[1]), default=str))  # as the export hook does
    schema = json.loads((ROOT / "kb" / "schemas" / "page.schema.json").read_text())
    jsonschema.validate(front, schema)
    body = md.split("---", 2)[2]
    assert '!!! summary "Summary"' in body and "\n## Sources\n" in body
    assert re.search(r"## Sources\n\n- .+\]\(https://", body)
    for c in RS.criteria:
        assert f"### {c.title}" in body
        for r in c.rules:
            assert f"`{r.id}`" in body
    for tid in RS.thresholds:
        assert f"`{tid}`" in body
    assert "£300,000" in body and RS.rules_version in body


def _write(tmp_path, text, name="answers.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_prints_the_report(tmp_path, capsys):
    # Bare yes/no in YAML read as booleans; the CLI takes them as the words a commissioner meant.
    path = _write(tmp_path, "outcome_measurable: yes\nadditionality: no\ncontract_value_gbp: 2000000\n")
    assert main(["assess", path]) == 0
    out = capsys.readouterr().out
    assert "**Verdict: Unsuitable as things stand**" in out
    assert "## Blockers\n\n- Improvement that would not happen anyway" in out
    assert "http://127.0.0.1:8000/guidance/deciding-if-an-sop-fits/#" in out


def test_cli_reads_the_pages_json_export_and_prints_json(tmp_path, capsys):
    path = _write(tmp_path, json.dumps({"answers": {c.id: "yes" for c in RS.criteria}}), "answers.json")
    assert main(["assess", path, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "strong" and result["score"] == 100


def test_cli_names_each_bad_field(tmp_path, capsys):
    path = _write(tmp_path, "outcome_measurable: maybe\ncohort_size: lots\nfoo: 1\n")
    assert main(["assess", path]) == 2
    err = capsys.readouterr().err
    for field in ("answers.outcome_measurable", "answers.cohort_size", "answers.foo"):
        assert field in err
    assert "Allowed: yes, partly, no, unsure." in err
    assert main(["assess", str(tmp_path / "missing.yaml")]) == 2
