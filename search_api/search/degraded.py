"""Serving with a part down: words-only search and ask replies when the index or model is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from search_api.ask import router
from search_api.ask.answer import related_pages, reply
from search_api.ask.guardrails import clean_history, clean_text
from search_api.index import store as index_store
from search_api.index.embedder import Encoder, ModelMissingError
from search_api.index.loaded import Loaded
from search_api.search.retrieval import search
from search_api.state import Resources
from search_api.web.errors import ApiError

SEARCH_NOTICE = "Meaning-based search is unavailable just now, so these results only match the words you typed."
ASK_MESSAGE = "Answers are unavailable just now, so this question cannot be answered. These pages match its words."
ASK_NOTHING = "Answers are unavailable just now, so this question cannot be answered. Please try again later."


@dataclass
class SearchPlan:
    """What a search runs on: an index, an encoder (None for words only), the mode and any notice."""

    loaded: Loaded
    encoder: Encoder | None
    mode: str
    notice: str | None = None


def search_plan(res: Resources, mode: str, action: str = "Search") -> SearchPlan:
    """The best search the process can run now; 503 only when there is nothing to search at all."""
    try:
        loaded = res.search_index()
    except index_store.IndexError_ as exc:
        reason = res.index_error or ""
        raise ApiError(503, "index_unavailable", f"{action} is unavailable just now. {reason} {exc}".strip()) from exc
    if loaded.lexical_only:
        return SearchPlan(loaded, None, "bm25", SEARCH_NOTICE)
    if mode == "bm25":
        return SearchPlan(loaded, None, mode)
    try:
        return SearchPlan(loaded, res.encoder(), mode)
    except ModelMissingError:
        return SearchPlan(loaded, None, "bm25", SEARCH_NOTICE)


def degraded_fields(plan: SearchPlan) -> dict[str, Any]:
    """Extra response fields saying the results are words-only (none when all is well)."""
    if plan.notice is None:
        return {}
    return {"degraded": True, "mode": plan.mode, "notice": plan.notice}


def words_only_reply(res: Resources, question: str, history: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The chatbot without its model or index: no answer (it could not check one), only matching pages."""
    plan = search_plan(res, "bm25", action="Answering")
    asked = router.with_context(router.strip_greeting(clean_text(question)), clean_history(history))
    hits = search(plan.loaded, None, asked, 5, mode="bm25") if asked else []
    related = related_pages(hits)
    return reply("unavailable", ASK_MESSAGE if related else ASK_NOTHING, related=related, degraded=True)
