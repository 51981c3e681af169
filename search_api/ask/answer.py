"""The guidance chatbot: answers only with the hub's own sentences, each cited, or declines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from search_api.ask import authored, gaps, intents, names, router, scoring, selection
from search_api.ask.guardrails import MAX_QUESTION, clean_history, clean_text, personal_data, personal_data_message
from search_api.ask.sentences import sentence_texts, split_sentences
from search_api.index import vector_cache
from search_api.index.embedder import Encoder
from search_api.index.loaded import Loaded, page_of
from search_api.index.textproc import normalise_query, tokens
from search_api.index.vector_cache import VectorCache
from search_api.search import kinds, retrieval, spelling
from search_api.search.retrieval import Hit, search


def _unpack(source: Any) -> tuple[Loaded, Encoder, Path | None]:
    """Accept a Resources object or a (loaded, encoder) pair."""
    if isinstance(source, tuple):
        return source[0], source[1], None
    return source.index(), source.encoder(), vector_cache.cache_path(source.settings.index_dir)


def sentence_vectors(loaded: Loaded, cache_path: Path | None) -> VectorCache:
    """The sentence-embedding cache of this index (one per loaded index)."""
    return loaded.derived("ask_vectors", lambda: VectorCache(cache_path))


def expand(question: str, cfg: dict[str, Any]) -> str:
    """Glossary abbreviations and place names spelt out ("US" -> "US (United States)")."""
    text = normalise_query(question)
    for short, full in (cfg.get("expansions") or {}).items():
        if re.search(rf"\b{re.escape(short)}\b", question) and full.lower() not in text.lower():
            text += f" ({full})"
    return text


def citation(chunk: dict[str, Any]) -> dict[str, str]:
    """Where a sentence comes from: page title, section and URL with its anchor."""
    return {"title": chunk["title"], "section": chunk["section"], "url": chunk["url"]}


def related_pages(hits: list[Hit], limit: int = 3) -> list[dict[str, str]]:
    """The closest pages (one entry per page, linking to its best section)."""
    out, seen = [], set()
    for hit in hits:
        page = page_of(hit.chunk)
        if page in seen:
            continue
        seen.add(page)
        out.append({"title": hit.chunk["title"], "url": hit.chunk["url"]})
        if len(out) == limit:
            break
    return out


def reply(route: str, message: str, **extra: Any) -> dict[str, Any]:
    """A response in the API's shape."""
    body = {"answered": False, "answer": [], "related": [], "route": route, "confidence": 0.0, "message": message}
    body.update(extra)
    return body


def _authored_match(
    loaded: Loaded, encoder: Encoder, question: str, expanded: str, qvec: np.ndarray, cfg: dict[str, Any]
) -> tuple[dict[str, Any], float] | None:
    """The closest common question that asks what the reader asks, by the expanded or the reader's own words."""
    least = float(cfg["authored"]["min_cosine"])
    found = authored.matches(loaded, qvec, least)
    if expanded != question:
        # Written questions use the reader's words: the unexpanded question may match closer ("LCF").
        found += authored.matches(loaded, encoder.encode([question])[0], least)
    asked = kinds.wanted_groups(question, retrieval.settings())
    for chunk, cosine in sorted(found, key=lambda m: -m[1]):
        # "utah preschool controversy" is close to "What was the Utah preschool SIB?", but asks for
        # one part of the story (its criticism) that the written question does not.
        written = set(kinds.wanted(chunk["section"], retrieval.settings()))
        if asked and not written & set(asked[0]):
            continue
        if authored.same_kind(question, chunk["section"]):
            return chunk, cosine
    return None


def _authored_reply(loaded: Loaded, chunk: dict[str, Any], cosine: float) -> dict[str, Any]:
    """An answer written for the hub, cited to its common-questions section, with what it rests on."""
    answer = [{"text": s, "citation": citation(chunk)} for s in authored.answer_sentences(chunk)]
    related = authored.sources(loaded, chunk) or [{"title": chunk["title"], "url": chunk["url"]}]
    return reply("authored", "", answered=True, answer=answer, related=related, confidence=round(min(1.0, cosine), 3))


def _project_reply(loaded: Loaded, chunk: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """What a named project is, from its page: the opening (what, where, when) and the problem it tackles."""
    page = page_of(chunk)
    sections = [c for c in loaded.stored.chunks if c.get("page") == page]
    intro = sections[0] if sections else chunk
    answer = [{"text": s, "citation": citation(intro)} for s, _row in split_sentences(intro["text"])[:3]]
    if intro.get("type") == "project":
        # INDIGO's own description of the challenge: the line that says what the project is for.
        challenge = next((c for c in sections if c["url"].endswith("#social-challenge-and-intervention")), None)
        rows = (
            [s for s, _row in split_sentences(challenge["text"]) if s.startswith("Social challenge")]
            if challenge
            else []
        )
        answer += [{"text": rows[0], "citation": citation(challenge)}] if rows else []
    return reply(
        "project",
        cfg["replies"]["project"],
        answered=True,
        answer=answer[:4],
        related=[{"title": intro["title"], "url": page}],
        confidence=1.0,
    )


def _asked_section(loaded: Loaded, question: str, hits: list[Hit], cfg: dict[str, Any]) -> str | None:
    """The top search result's URL when it is the part of a page the question asks for
    ("What it found" for "what did the rct find?"), else None. For an INDIGO page, the same part
    of the case study written about that project is taken instead when there is one."""
    groups = kinds.wanted_groups(question, retrieval.settings(), hits[0].chunk["title"]) if hits else []
    top = hits[0].chunk if hits else {}
    if not (groups and top.get("type") in scoring.NAMED_TYPES and kinds.heading_matches(top["section"], groups[0])):
        return None
    for page in scoring.twin_pages(loaded, top, cfg):
        for c in scoring.page_chunks(loaded).get(page, []):
            if kinds.heading_matches(c["section"], groups[0]):
                return c["url"]
    return top["url"]


def _route_reply(source: Any, route: router.Route, question: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """A routed reply; a decline that can still point somewhere useful links the closest pages, never their sentences."""
    related = [dict(route.link)] if route.link else []
    if route.related:
        loaded, encoder, _ = _unpack(source)
        related += related_pages(search(loaded, encoder, expand(question, cfg), 5))
    return reply(route.name, route.reply, related=related)


def answer_question(
    source: Any, question: str, history: list[dict[str, Any]] | None = None, _probe: bool = False
) -> dict[str, Any]:
    """Answer a question from the hub: routed, answered with cited sentences, or declined.

    source is the app's Resources or a (loaded index, encoder) pair; _probe adds the raw
    scores the threshold calibration needs."""
    cfg = router.config()
    question = clean_text(question)[:MAX_QUESTION]
    found = personal_data(question)
    if found:
        return reply("personal_data", personal_data_message(found))
    if not question:
        return reply("declined", cfg["replies"]["declined"])
    route = router.match_rules(question, cfg)
    if route is not None:
        return _route_reply(source, route, question, cfg)
    question = router.strip_greeting(question)
    loaded, encoder, cache = _unpack(source)
    turns = clean_history(history)
    asked = router.with_context(question, turns, cfg)
    # Typos mended against the hub's words for retrieval and scoring; name checks keep the reader's spelling.
    mended = spelling.correct(loaded, asked)
    expanded = expand(mended, cfg)
    qvec = encoder.encode([expanded])[0]
    # Declines are judged on the reader's own spelling: mending "recipies" towards the hub's
    # words would only make an off-topic question look answerable.
    as_written = qvec if mended == asked else encoder.encode([expand(asked, cfg)])[0]
    # A follow-up is judged with its earlier turn: "what about Australia?" after a question on
    # names is about SOPs, not geography.
    route = intents.decline_route(loaded, encoder, sentence_vectors(loaded, cache), as_written, cfg["_rules"])
    if route is not None:
        return _route_reply(source, route, question, cfg)
    hits = search(loaded, encoder, expanded, int(cfg["retrieval"]["sections"]), query_vector=qvec)
    if not hits:
        return reply("declined", cfg["replies"]["declined"])
    rest = intents.without_names(question, [h.chunk["title"] for h in hits], cfg)
    if rest is not None and asked == question:
        # "how many staff work at the GO Lab?": the name makes it look answerable; what is asked of it may not be.
        route = intents.decline_route(
            loaded, encoder, sentence_vectors(loaded, cache), encoder.encode([rest])[0], cfg["_rules"]
        )
        if route is not None:
            return _route_reply(source, route, question, cfg)
    unknown = names.unknown_name(loaded, question)
    if unknown is not None:
        return reply("unknown_name", unknown.message(), related=related_pages(hits))
    # A follow-up ("who was the investor?") asks something narrower than any written question about its topic.
    match = _authored_match(loaded, encoder, question, expanded, qvec, cfg) if asked == question else None
    if match is not None:
        return _authored_reply(loaded, *match)
    gap = gaps.empty_section(loaded, question, hits, cfg)
    if gap is not None:
        related = [{"title": gap["title"], "url": gap["url"]}] + related_pages(hits)
        return reply("not_held", cfg["gaps"]["reply"].format(**gap), related=related[:3])
    project = router.project_page(question, hits, cfg)
    if project is not None:
        return _project_reply(loaded, project, cfg)
    vectors = sentence_vectors(loaded, cache)
    q_terms = dict.fromkeys(tokens(expanded), 1.0)
    svec = qvec
    if asked != question:
        # A follow-up: what it adds ("in the US") matters most, the earlier question less.
        focus = expand(spelling.correct(loaded, question), cfg)
        q_terms = {t: 0.5 for t in q_terms} | dict.fromkeys(tokens(focus), 1.0)
        svec = qvec + encoder.encode([focus])[0]
        svec = svec / (np.linalg.norm(svec) or 1.0)
    sections = scoring.candidate_sections(loaded, expanded, hits, cfg)
    cands, feats, vecs = scoring.features(loaded, encoder, vectors, expanded, svec, sections, cfg, q_terms)
    scores = scoring.combine(feats, cfg)
    related = related_pages(hits)
    best = float(scores.max()) if len(scores) else 0.0
    confidence = round(min(1.0, max(0.0, best)), 3)
    dec = cfg["decline"]
    top_cosine = max(h.dense for h in hits)
    covered = scoring.coverage(loaded, q_terms, cands)
    if (
        not cands
        or best < float(dec["min_sentence_score"])
        or top_cosine < float(dec["min_section_cosine"])
        or covered < float(dec.get("min_coverage", 0.0))
    ):
        result = reply("declined", cfg["replies"]["declined"], related=related, confidence=confidence)
    else:
        anchor = _asked_section(loaded, question if asked == question else asked, hits, cfg)
        picked = (
            selection.anchored(cands, scores, vecs, cfg, anchor)
            if anchor and cfg["retrieval"].get("anchor_sentences")
            else selection.choose(cands, scores, vecs, cfg)
        )
        picked = selection.with_antecedents(cands, picked, int(cfg["retrieval"]["max_sentences"]))
        chosen = selection.readable_order(cands, picked)
        answer = [{"text": cands[i].text, "citation": citation(cands[i].chunk)} for i in chosen]
        tool = next((r.link for r in cfg["_rules"] if r.name == "feasibility" and r.link), None)
        if tool and re.search(r"\bfeasib", question, re.I):
            # A question about feasibility in general is answered, with the assessor offered first.
            related = [dict(tool)] + [r for r in related if r["url"] != tool["url"]]
        result = reply("answered", "", answered=True, answer=answer, related=related, confidence=confidence)
    if _probe:
        result.update(_best=best, _top_cosine=top_cosine, _coverage=covered)
    return result


def baseline_answer(source: Any, question: str, history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The comparison baseline: the first two sentences of the top search result, never declining."""
    loaded, encoder, _ = _unpack(source)
    question = clean_text(question)[:MAX_QUESTION]
    hits = search(loaded, encoder, question, 5) if question else []
    if not hits:
        return reply("declined", "")
    sents = [s for s, _row in split_sentences(hits[0].chunk["text"])][:2]
    answer = [{"text": s, "citation": citation(hits[0].chunk)} for s in sents]
    return reply("answered", "", answered=True, answer=answer, related=related_pages(hits), confidence=hits[0].score)


def warm(source: Any) -> int:
    """Embed every sentence of the current index into the shared cache (the index build does
    this too, so no reader waits); returns how many sentences the index holds."""
    loaded, encoder, cache = _unpack(source)
    vectors = sentence_vectors(loaded, cache)
    texts = sentence_texts(loaded.stored.chunks)
    for start in range(0, len(texts), 512):
        vectors.vectors(encoder, texts[start : start + 512])
    # No retain() here: the cache also holds section and question vectors; the build prunes it.
    vectors.save()
    return len(texts)
