"""Declines by meaning, a named project's empty section, and the headings a question asks for."""

from __future__ import annotations

import numpy as np
import pytest

from search_api.ask import gaps, intents, names, router, scoring
from search_api.index import questions
from search_api.index.loaded import Loaded
from search_api.index.store import StoredIndex
from search_api.index.vector_cache import VectorCache
from search_api.search.retrieval import Hit
from tests.conftest import FakeEncoder

ENC = FakeEncoder()


def _chunk(url: str, title: str, text: str, section: str | None = None, kind: str = "guidance") -> dict:
    return {
        "url": url,
        "page": url.split("#")[0],
        "title": title,
        "section": section or title,
        "text": text,
        "type": kind,
    }


def _loaded(chunks: list[dict], asked: list[str] | None = None) -> Loaded:
    qv = None
    if asked:
        qv = questions.QuestionVectors(asked, ENC.encode(asked), np.zeros(len(asked), dtype=np.int32))
    stored = StoredIndex("v1", None, {}, chunks, None, np.zeros((len(chunks), 4), dtype=np.float32))
    return Loaded(stored, bm25=None, questions=qv)


EXAMPLES = intents.Examples(
    ("will the government launch another outcomes fund next year", "what salary does the chief executive earn"),
    ("forecast", "not_held"),
    min_cosine=0.5,
    margin=0.05,
)
RULES = router.config()["_rules"]


def _route(loaded: Loaded, question: str, found: intents.Examples = EXAMPLES) -> str | None:
    route = intents.decline_route(loaded, ENC, VectorCache(), ENC.encode([question])[0], RULES, found)
    return route.name if route else None


def test_a_question_close_to_a_decline_example_takes_that_route_with_its_reply():
    loaded = _loaded([_chunk("/a/", "A", "x")], ["how are outcome payments set"])
    route = intents.decline_route(
        loaded,
        ENC,
        VectorCache(),
        ENC.encode(["will the government launch an outcomes fund next year"])[0],
        RULES,
        EXAMPLES,
    )
    assert route is not None and route.name == "forecast"
    assert route.reply == next(r.reply for r in RULES if r.name == "forecast") and route.related


def test_a_question_as_close_to_an_answerable_question_is_not_declined():
    # The margin: the hub answers "when did the government launch the outcomes fund", so the
    # reader's near-identical question is one to answer, not a forecast.
    loaded = _loaded([_chunk("/a/", "A", "x")], ["will the government launch another outcomes fund next year"])
    assert _route(loaded, "will the government launch another outcomes fund next year") is None


def test_a_question_far_from_every_example_is_answered():
    loaded = _loaded([_chunk("/a/", "A", "x")], ["how are outcome payments set"])
    assert _route(loaded, "peterborough reoffending results") is None


def test_no_examples_and_no_answerable_questions_are_handled():
    empty = intents.Examples((), (), 1.0, 0.0)
    assert _route(_loaded([_chunk("/a/", "A", "x")]), "anything at all", empty) is None
    # No section questions at all: only the examples' own threshold applies.
    assert _route(_loaded([_chunk("/a/", "A", "x")]), "what salary does the chief executive earn") == "not_held"


def test_the_hubs_own_examples_file_loads_and_names_only_real_routes():
    found = intents.examples()
    names_ = {r.name for r in RULES}
    assert len(found.texts) >= 60 and set(found.routes) <= names_
    assert 0 < found.min_cosine < 1 and 0 <= found.margin < 0.5


PROJECT = "/projects/p9/"


def _project(results: str, investors: str = "Big Society Capital") -> list[dict]:
    title = "Harbour Town Reading Bond"
    return [
        _chunk(PROJECT, title, "Harbour Town Reading Bond is an impact bond project.", kind="project"),
        _chunk(PROJECT + "#investors", title, investors, "Organisations > Investors", "project"),
        _chunk(PROJECT + "#results", title, results, "Results", "project"),
    ]


def _hits(chunks: list[dict], types: list[str]) -> list[Hit]:
    return [Hit(dict(c, type=t), 1.0 - i / 10, dense=0.8) for i, (c, t) in enumerate(zip(chunks, types, strict=True))]


def test_asking_for_results_a_project_page_says_it_lacks_is_an_honest_decline():
    chunks = _project("INDIGO reports no results for this project yet.")
    loaded = _loaded([dict(c, type="project") for c in chunks])
    gap = gaps.empty_section(
        loaded, "Harbour Town reading bond - did it pay out?", _hits(chunks, ["project"] * 3), router.config()
    )
    assert gap == {
        "what": "results",
        "title": "Harbour Town Reading Bond",
        "reason": "INDIGO reports no results for this project yet.",
        "url": PROJECT,
    }


def test_results_the_page_holds_or_a_written_case_study_mean_no_decline():
    cfg = router.config()
    held = _project("Table: Results recorded in INDIGO for this project.\n\nEngaged: 120")
    loaded = _loaded([dict(c, type="project") for c in held])
    assert gaps.empty_section(loaded, "Harbour Town reading bond results", _hits(held, ["project"] * 3), cfg) is None
    empty = _project("INDIGO reports no results for this project yet.")
    study = _chunk("/case-studies/harbour/", "Harbour Town Reading Bond", "What happened next.", "What happened")
    loaded = _loaded([dict(c, type="project") for c in empty] + [dict(study, type="case-study")])
    hits = _hits(empty + [study], ["project"] * 3 + ["case-study"])
    assert gaps.empty_section(loaded, "Harbour Town reading bond results", hits, cfg) is None
    # A question about another part of the page (who invested) is answered from it.
    assert (
        gaps.empty_section(loaded, "who invested in Harbour Town reading bond", _hits(empty, ["project"] * 3), cfg)
        is None
    )


@pytest.mark.parametrize(
    "question, title, wanted, unwanted",
    [
        ("roca massachusetts pay for success results", "", "what happened", "investors"),
        ("essex mst sib outcomes", "", "outcome metrics", "investors"),
        ("who were the investors", "", "investors", "what happened"),
        ("what are social outcomes partnerships", "", None, None),
        # "Success" in a project's own name is not a question about results.
        ("cuyahoga partnering for family success", "The Cuyahoga Partnering for Family Success Program", None, None),
    ],
)
def test_the_headings_a_question_asks_for(question, title, wanted, unwanted):
    found = scoring.heading_kinds(question, router.config(), title)
    assert (wanted in found) if wanted else found == []
    assert unwanted not in found


def test_listing_pages_do_not_make_an_unknown_name_known():
    # The organisations A-Z holds every word of the made-up name, but on no page about one thing.
    chunks = [
        _chunk("/organisations/#s", "Organisations", "Sunderland Homes. Adult Learning Trust. Literacy First."),
        _chunk("/projects/p1/", "Sunderland Homes SIB", "Homes in Sunderland."),
        _chunk("/guidance/skills/", "Skills", "Adult literacy matters."),
    ]
    chunks[0]["type"] = "tool"
    loaded = _loaded(chunks)
    found = names.unknown_name(loaded, "how many people did the sunderland adult literacy partnership help")
    assert found is not None and found.phrase == "sunderland adult literacy partnership"
    assert names.unknown_name(loaded, "sunderland homes sib results") is None


def test_organisation_style_names_are_checked_and_near_misses_of_short_words_are_not_known():
    loaded = _loaded([_chunk("/case-studies/peterborough/", "HMP Peterborough", "Eight prisons. Social Finance.")])
    assert names.unknown_name(loaded, "harbourside impact partners track record") is not None
    # "wight" is one letter from "eight", but five-letter words need an exact match.
    assert names.unknown_name(loaded, "isle of wight falls sib") is not None
