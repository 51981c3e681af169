"""The blind evaluation set keeps its promises: one fixed split, files made from the labels, nothing edited by hand."""

from __future__ import annotations

from devtools import blind_set as b
from devtools.blind_eval import credited, rank_figures


def test_the_split_files_are_exactly_what_the_labels_and_split_yaml_make():
    made = b.split()
    for name in b.SPLITS:
        assert b.load(name) == made[name], f"{name}.yaml differs: run devtools.blind_set.write()"


def test_every_question_is_in_one_split_and_the_split_is_the_seeded_one():
    where = b.membership()
    in_scope, decline = b.merged()
    ids = [q["id"] for q in in_scope + decline]
    assert len(ids) == len(set(ids)) and set(ids) == set(where)
    first_in, first_out = b.merged(supplement=False)
    by_kind = {"in_scope": [q["id"] for q in first_in], "must_decline": [q["id"] for q in first_out]}
    # split.yaml was made once, from the first labels, with SEED; it must still be that split.
    assert b.initial_split(by_kind) == where


def test_the_set_is_big_and_varied_enough():
    in_scope, decline = b.merged()
    assert len(in_scope) >= 300 and len(decline) >= 80
    assert sum(1 for q in in_scope if q.get("history")) >= 40
    assert {q["reader"] for q in in_scope} == {"commissioner", "charity", "investor", "researcher", "public"}
    kinds = {q["category"] for q in decline}
    assert {
        "off_topic",
        "injection",
        "dispute_advice",
        "forecast",
        "personal_data",
        "not_held",
        "unknown_entity",
    } <= kinds


def test_every_labelled_answer_has_facts():
    for q in b.merged()[0]:
        assert q["answers"] and q["expect_any"], q["id"]


def test_ranking_figures_and_credit_for_authored_answers():
    support = {"/common-questions/a/#q": {"/guidance/x/#y"}}
    assert credited(["/guidance/x/#y"], support) == {"/guidance/x/#y", "/common-questions/a/#q"}
    assert rank_figures(["/z/", "/guidance/x/#y"], {"/guidance/x/#y"}) == {
        "recall@1": 0.0,
        "recall@5": 1.0,
        "mrr@10": 0.5,
    }
    assert rank_figures([], {"/a/"}) == {"recall@1": 0.0, "recall@5": 0.0, "mrr@10": 0.0}
