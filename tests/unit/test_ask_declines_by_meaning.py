"""Declines by meaning, a named project's empty section, and the headings a question asks for."""

from __future__ import annotations

import numpy as np
import pytest

from search_api.ask import gaps, intents, names, router
from search_api.index import questions
from search_api.index.loaded import Loaded
from search_api.index.vector_cache import VectorCache
from search_api.search import kinds, retrieval
from search_api.search.retrieval import Hit
from tests.conftest import FakeEncoder
from tests.support import ask_index

ENC = FakeEncoder()


_chunk = ask_index.chunk


def _loaded(chunks: list[dict], asked: list[str] | None = None) -> Loaded:
    """A hand-made index whose readers' questions are `asked`, embedded with the fake encoder."""
    qv = questions.QuestionVectors(asked, ENC.encode(asked), np.zeros(len(asked), dtype=np.int32)) if asked else None
    return ask_index.loaded(chunks, qv)


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
    found = kinds.wanted(question, retrieval.settings(), title)
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


def test_a_project_pages_list_of_organisations_is_one_quotable_line():
    from search_api.ask.sentences import section_sentences

    names_ = "\n".join(f"Org {i}: Nonprofit/NGO" for i in range(10))
    chunk = _chunk(PROJECT + "#investors", "Harbour Town Reading Bond", names_, "Organisations > Investors", "project")
    (only,) = section_sentences(chunk, 0)
    assert only.text == "Investors: " + "; ".join(f"Org {i}: Nonprofit/NGO" for i in range(8)) + "; and 2 more."
    assert only.row  # embedded with its page title, which names the project
    short = _chunk(
        PROJECT + "#investors", "Harbour", "Big Society Capital\nBSC", "Organisations > Investors", "project"
    )
    assert [s.text for s in section_sentences(short, 0)] == ["Investors: Big Society Capital; BSC."]
    # Prose sections and other page types are split into sentences as before.
    prose = _chunk("/guidance/a/#b", "A", "One two three four. Five six seven eight.", "Organisations > X")
    assert len(section_sentences(prose, 0)) == 2


def test_search_moves_the_asked_for_section_to_the_top_of_its_named_page_only():
    cfg = {"headings": dict(retrieval.settings()["headings"], boost=0.5)}
    chunks = [dict(c, type="project") for c in _project("INDIGO reports no results for this project yet.")]
    chunks.append(_chunk("/guidance/money/#investors", "Money", "Investors put money in.", "Investors"))
    loaded = _loaded(chunks)
    fused = np.array([0.9, 0.6, 0.5, 0.8], dtype=np.float32)
    out = kinds.reorder(loaded, "harbour town investors", fused, cfg)
    # The project's investors section now leads its page; the guidance page is not named, so it stays.
    assert out[1] > out[0] and out[3] == pytest.approx(0.8) and out[2] == pytest.approx(0.5)
    # Too far below its page's best (under half of it): not moved.
    far = kinds.reorder(loaded, "harbour town investors", np.array([0.9, 0.3, 0.5, 0.8], dtype=np.float32), cfg)
    assert far[1] == pytest.approx(0.3)
    # A query naming no page, or asking for no kind, changes nothing.
    assert list(kinds.reorder(loaded, "who are the investors", fused, cfg)) == list(fused)
    assert list(kinds.reorder(loaded, "harbour town", fused, cfg)) == list(fused)


def test_words_of_the_named_pages_own_title_ask_for_no_section():
    cfg = {"headings": dict(retrieval.settings()["headings"], boost=0.5)}
    title = "Harbour Success Programme"
    chunks = [
        _chunk("/projects/p2/", title, "Harbour Success Programme is an impact bond project.", kind="project"),
        _chunk("/projects/p2/#results", title, "Engaged: 40", "Results", "project"),
    ]
    fused = np.array([0.9, 0.8], dtype=np.float32)
    # "success" is in the title, so the bare name asks for no kind: results stay second.
    assert list(kinds.reorder(_loaded(chunks), "harbour success programme", fused, cfg)) == list(fused)
    assert kinds.reorder(_loaded(chunks), "harbour success programme results", fused, cfg)[1] > 0.9


def test_the_most_specific_kind_asked_for_comes_first():
    cfg = retrieval.settings()
    groups = kinds.wanted_groups("why did experts doubt the utah results", cfg)
    assert groups[0] == ["criticism"] and "what happened" in groups[1]
    assert kinds.wanted("why did experts doubt the utah results", cfg)[0] == "criticism"


def test_a_who_question_favours_sentences_that_name_an_organisation_indigo_lists():
    from search_api.ask import organisations, scoring

    chunks = [
        _chunk(
            PROJECT + "#investors",
            "Harbour",
            "Big Society Capital\nBridges Fund Management: Investor",
            "Organisations > Investors",
            "project",
        )
    ]
    orgs = organisations.known(_loaded(chunks))
    assert {"big society capital", "bridges fund management"} <= orgs
    cfg = {"scoring": {"kind_bonus": 0.25}}
    assert scoring._bonus("who invested?", "Bridges Fund Management put in £1m.", cfg, orgs) == 0.25
    assert scoring._bonus("who invested?", "The council paid for outcomes.", cfg, orgs) == 0.0
    assert scoring._bonus("what is a SIB?", "Big Society Capital invested.", cfg, orgs) == 0.0
    # A question about results favours a sentence with a figure; "impact bond" alone asks for none.
    assert scoring._bonus("essex mst outcomes", "Days in care fell by 10.8%.", cfg) == 0.25
    assert scoring._bonus("essex mst outcomes", "MST teams also lost staff.", cfg) == 0.0
    assert scoring._bonus("find homelessness impact bonds", "Days in care fell by 10.8%.", cfg) == 0.0


def test_the_asked_for_section_leads_the_answer():
    from search_api.ask import selection
    from search_api.ask.sentences import Sentence

    found = _chunk(PROJECT + "#results", "Harbour", "x", "Results", "project")
    other = _chunk(PROJECT, "Harbour", "y", "Harbour", "project")
    cands = [Sentence(f"Other {i}.", other, 0, i) for i in range(3)] + [
        Sentence(f"Found {i}.", found, 1, i) for i in range(3)
    ]
    scores = np.array([0.9, 0.8, 0.7, 0.5, 0.4, 0.3])
    vecs = np.eye(6)
    cfg = {
        "retrieval": {"max_sentences": 4, "anchor_sentences": 2, "selection": "mmr"},
        "scoring": {"mmr_lambda": 0.7, "keep_ratio": 0.1, "duplicate_cosine": 0.9},
    }
    chosen = selection.anchored(cands, scores, vecs, cfg, PROJECT + "#results")
    assert [cands[i].text for i in chosen] == ["Found 0.", "Found 1.", "Other 0.", "Other 1."]
