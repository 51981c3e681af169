"""Sentence scoring for the chatbot: candidates from the best sections, scored, chosen by MMR."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import numpy as np

from search_api.ask import organisations, router
from search_api.ask.sentences import Sentence, embed_text, section_sentences
from search_api.index.embedder import Encoder
from search_api.index.loaded import Loaded, page_of
from search_api.index.textproc import tokens
from search_api.index.vector_cache import VectorCache
from search_api.search import kinds, retrieval
from search_api.search.retrieval import Hit

_YEAR = re.compile(r"\b(19|20)\d\d\b")
# Sentences opening with a pronoun lean on the sentence before them.
_DEPENDENT = re.compile(r"^(It|Its|This|That|These|Those|They|Their|Them|He|She|Both|Such|But|So|Also)\b")
_AMOUNT = re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(%|m\b|million|billion|bn\b|per\s?cent)")
_NUMBER = re.compile(r"\b\d")
NAMED_TYPES = ("case-study", "evidence", "fund", "project")


@lru_cache(maxsize=65536)
def _toks(text: str) -> frozenset[str]:
    """Token set of a text, cached: the same sentences and headings are scored again and again."""
    return frozenset(tokens(text))


def _positions(loaded: Loaded) -> dict[str, int]:
    return loaded.derived("ask_positions", lambda: {c["url"]: i for i, c in enumerate(loaded.stored.chunks)})


def _idf(loaded: Loaded) -> dict[str, float]:
    """Inverse document frequency of each token over the sections (rare words weigh more)."""

    def build() -> dict[str, float]:
        df: dict[str, int] = {}
        for c in loaded.stored.chunks:
            for t in set(tokens(f"{c['title']} {c['section']} {c['text']}")):
                df[t] = df.get(t, 0) + 1
        n = max(1, len(loaded.stored.chunks))
        return {t: math.log(1 + n / d) for t, d in df.items()}

    return loaded.derived("ask_idf", build)


def _idf_max(loaded: Loaded) -> float:
    """The largest possible idf: that of a token found in one section only."""
    return math.log(1 + max(1, len(loaded.stored.chunks)))


def _overlap(q_terms: dict[str, float], sentence: Sentence, idf: dict[str, float], top: float) -> float:
    """Share of the question's (idf-weighted) words in the sentence; title and heading count half."""
    if not q_terms:
        return 0.0
    own = _toks(sentence.text)
    context = _toks(f"{sentence.chunk['title']} {sentence.chunk['section']}")
    # The light stemmer leaves "evaluated" and "evaluation" apart; a shared start of
    # 6+ letters counts as most of a match.
    stems = {t[:6] for t in own if len(t) >= 6}
    total = got = 0.0
    for t, weight in q_terms.items():
        w = idf.get(t, top) * weight
        total += w
        if t in own:
            got += w
        elif len(t) >= 6 and t[:6] in stems:
            got += 0.75 * w
        elif t in context:
            got += 0.5 * w
    return got / total if total else 0.0


def _novelty(q_terms: dict[str, float], sentence: Sentence) -> float:
    """Share of the sentence's words the question does not already hold: an answer adds
    something ("because of Transforming Rehabilitation"), an echo of the question does not."""
    own = _toks(sentence.text)
    if not own:
        return 0.0
    return len(own - set(q_terms)) / len(own)


WHEN = re.compile(r"\b(when|what\s+(year|date))\b")
_HOW_MUCH = re.compile(r"\b(how\s+(much|big|large)|what\s+(\w+\s+)?(price|return|rate|cost|size|amount|value))\b")
_WHY = re.compile(r"\bwhy\b")
_REASON = re.compile(
    r"\b(because|due\s+to|as\s+a\s+result|reasons?|so\s+that|did\s+not\s+fit|led\s+to|meant|critic\w*|argued|concerns?)\b",
    re.I,
)
_RESULTS = re.compile(r"\b(outcomes|results?|findings?|found|achieve\w*|effects?|performing|perform)\b")
HOW_MANY = re.compile(r"\b(how\s+many|what\s+(share|percentage|proportion|number))\b")


def _bonus(question: str, text: str, cfg: dict[str, Any], orgs: frozenset[str] = frozenset()) -> float:
    """A lift for the kind of fact a 'who', 'when', 'how much' or 'how many' question asks for."""
    q = question.lower()
    b = float(cfg["scoring"].get("kind_bonus", 0.0))
    if orgs and organisations.WHO.search(q) and organisations.named_in(text, orgs):
        return b
    if WHEN.search(q) and _YEAR.search(text):
        return b
    if _HOW_MUCH.search(q) and _AMOUNT.search(text):
        return b
    if HOW_MANY.search(q) and _NUMBER.search(text):
        return b
    if _WHY.search(q) and _REASON.search(text):
        return b
    if _RESULTS.search(q) and _AMOUNT.search(text):
        return b  # "essex mst outcomes": a result is mostly a figure ("10.8% fewer days in care")
    return 0.0


_DEFINE = re.compile(r"^\s*(what\s+(is|are|was|were|'s)|what\s+does|define|meaning\s+of|explain)\b", re.I)
_LABEL = re.compile(r"^([A-Z][^:.!?]{0,60}):")


def _stems(text: str) -> set[str]:
    return {t for t in tokens(text.replace("(s)", "")) if len(t) >= 4}


def _prefix_match(a: set[str], b: set[str]) -> bool:
    """ "invest" matches "investor", "evaluat" matches "evaluation": a shared start of 5+ letters."""
    return any(x[:5] == y[:5] and len(x) >= 5 and len(y) >= 5 for x in a for y in b)


def _kind_match(question: str, sentence: Sentence, cfg: dict[str, Any]) -> bool:
    """A key-fact row whose label the question asks about ("who invested?" -> "Investor(s): ..."),
    or the glossary definition of the term a "what is ...?" question names."""
    label = _LABEL.match(sentence.text) if sentence.row else None
    if label:
        name = label.group(1).lower()
        for kind in cfg.get("label_kinds") or []:
            if re.search(kind["question"], question, re.I) and any(w in name for w in kind["labels"]):
                return True
        generic = set(cfg["_generic"])
        asked = {t for t in _stems(question) if t not in generic and t[:5] not in {g[:5] for g in generic}}
        return _prefix_match(asked, _stems(name))
    if sentence.chunk.get("type") == "glossary" and _DEFINE.match(question):
        term = re.sub(r"\(([^)]*)\)", " ", sentence.chunk["section"])
        abbr = re.findall(r"\(([A-Za-z&]{2,10})\)", sentence.chunk["section"])
        term_stems = _stems(term) or set(tokens(term))
        return (bool(term_stems) and term_stems <= set(tokens(question))) or any(
            re.search(rf"\b{re.escape(a)}s?\b", question, re.I) for a in abbr
        )
    return False


def _heading_weight(groups: list[list[str]], heading: str) -> float:
    """1 for a heading of the most specific kind asked for, 1/2 for the next kind, and so on."""
    for rank, group in enumerate(groups):
        if kinds.heading_matches(heading, group):
            return 1.0 / (1 + rank)
    return 0.0


def _type_penalty(question: str, sentence: Sentence, cfg: dict[str, Any]) -> float:
    """Generated pages (one per INDIGO project) outnumber the guidance; they answer only
    questions that name their project or place."""
    penalty = float((cfg["scoring"].get("type_penalty") or {}).get(sentence.chunk.get("type"), 0.0))
    if penalty and router.names_in(question, sentence.chunk["title"], cfg):
        return 0.0
    return penalty


def page_chunks(loaded: Loaded) -> dict[str, list[dict[str, Any]]]:
    """Each page's sections, in reading order."""

    def build() -> dict[str, list[dict[str, Any]]]:
        pages: dict[str, list[dict[str, Any]]] = {}
        for c in loaded.stored.chunks:
            pages.setdefault(page_of(c), []).append(c)
        return pages

    return loaded.derived("ask_pages", build)


def written_twins(loaded: Loaded) -> dict[str, list[str]]:
    """INDIGO id -> the hand-written pages (case studies, evidence) about that project."""

    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c in loaded.stored.chunks:
            iid = (c.get("meta") or {}).get("indigo_id")
            page = page_of(c)
            if iid and c.get("type") in ("case-study", "evidence") and page not in out.get(iid, []):
                out.setdefault(iid, []).append(page)
        return out

    return loaded.derived("ask_written_twins", build)


def twin_pages(loaded: Loaded, chunk: dict[str, Any], cfg: dict[str, Any]) -> list[str]:
    """For a section of an INDIGO project page, the written pages about the same project (when enabled)."""
    if chunk.get("type") != "project" or not cfg["retrieval"].get("written_twins"):
        return []
    return written_twins(loaded).get((chunk.get("meta") or {}).get("indigo_id") or "", [])


def candidate_sections(
    loaded: Loaded, question: str, hits: list[Hit], cfg: dict[str, Any]
) -> list[tuple[dict, int, float]]:
    """(section, rank, cosine) to take sentences from: the best sections, plus every section
    of a page the question names ("how much did Ways to Wellness raise?" reaches its key facts)."""
    rc = cfg["retrieval"]
    out = [(h.chunk, r, h.dense) for r, h in enumerate(hits[: int(rc["sentence_sections"])])]
    seen = {c["url"] for c, _, _ in out}
    named = [
        (r, h)
        for r, h in enumerate(hits[: int(rc.get("named_scan", 10))])
        if h.chunk.get("type") in NAMED_TYPES and router.names_in(question, h.chunk["title"], cfg)
    ]
    named.sort(key=lambda rh: (NAMED_TYPES.index(rh[1].chunk["type"]), rh[0]))
    # Each named page once, in that order; an INDIGO page brings the case study written about the
    # same project first, which says more.
    pages: dict[str, tuple[int, float]] = {}
    for r, h in named:
        for page in [*twin_pages(loaded, h.chunk, cfg), page_of(h.chunk)]:
            pages.setdefault(page, (r, h.dense))
    for page, (r, dense) in list(pages.items())[: int(rc.get("named_pages", 2))]:
        for c in page_chunks(loaded).get(page, []):
            if c["url"] not in seen:
                seen.add(c["url"])
                out.append((c, r, dense))
    return out


def features(
    loaded: Loaded,
    encoder: Encoder,
    vectors: VectorCache,
    question: str,
    qvec: np.ndarray,
    sections: list[tuple[dict, int, float]],
    cfg: dict[str, Any],
    q_terms: dict[str, float] | None = None,
) -> tuple[list[Sentence], dict[str, np.ndarray], np.ndarray]:
    """Candidate sentences, their raw features and their vectors."""
    positions = _positions(loaded)
    idf = _idf(loaded)
    top_idf = _idf_max(loaded)
    cands: list[Sentence] = []
    ranks: list[int] = []
    dense: list[float] = []
    for chunk, r, cos in sections:
        for s in section_sentences(chunk, positions.get(chunk["url"], 0)):
            cands.append(s)
            ranks.append(r)
            dense.append(cos)
    vecs = vectors.vectors(encoder, [embed_text(s) for s in cands])
    if q_terms is None:
        q_terms = dict.fromkeys(tokens(question), 1.0)
    groups = kinds.wanted_groups(question, retrieval.settings())
    orgs = organisations.known(loaded) if organisations.WHO.search(question.lower()) else frozenset()
    feats = {
        "cosine": np.clip(vecs @ qvec, 0, None) if cands else np.zeros(0),
        "overlap": np.array([_overlap(q_terms, s, idf, top_idf) for s in cands]),
        "rank": 1.0 / (1.0 + np.array(ranks, dtype=float)),
        "section": np.array(dense, dtype=float),
        "bonus": np.array([_bonus(question, s.text, cfg, orgs) for s in cands]),
        "dependent": np.array([1.0 if _DEPENDENT.match(s.text) else 0.0 for s in cands]),
        "type": np.array([_type_penalty(question, s, cfg) for s in cands]),
        "novelty": np.array([_novelty(q_terms, s) for s in cands]),
        "label": np.array([1.0 if _kind_match(question, s, cfg) else 0.0 for s in cands]),
        "heading": np.array([_heading_weight(groups, s.chunk["section"]) for s in cands]),
    }
    return cands, feats, vecs


def coverage(loaded: Loaded, q_terms: dict[str, float], cands: list[Sentence]) -> float:
    """Share of the question's (idf-weighted) words found anywhere in the candidates. A
    question whose key words the hub never uses ("chief executive", "conference") is one
    the hub cannot answer, however close its other words are."""
    idf = _idf(loaded)
    top = _idf_max(loaded)
    seen: set[str] = set()
    for s in cands:
        seen.update(_toks(s.text), _toks(f"{s.chunk['title']} {s.chunk['section']}"))
    total = sum(idf.get(t, top) * w for t, w in q_terms.items())
    got = sum(idf.get(t, top) * w for t, w in q_terms.items() if t in seen)
    return got / total if total else 0.0


def combine(feats: dict[str, np.ndarray], cfg: dict[str, Any]) -> np.ndarray:
    """One score per sentence: the weighted features of kb/ask.yaml."""
    sc = cfg["scoring"]
    return (
        float(sc["similarity"]) * feats["cosine"]
        + float(sc["overlap"]) * feats["overlap"]
        + float(sc["rank"]) * feats["rank"]
        + float(sc.get("section", 0.0)) * feats["section"]
        + feats["bonus"]
        + float(sc.get("novelty", 0.0)) * feats["novelty"]
        + float(sc.get("label_bonus", 0.0)) * feats["label"]
        + float(sc.get("heading_bonus", 0.0)) * feats.get("heading", 0.0)
        - float(sc.get("dependent_penalty", 0.0)) * feats["dependent"]
        - feats["type"]
    )
