"""Authored answers: the "Common questions" pages, served whole when a reader asks one of their questions.

Each common question is a section whose heading is the question and whose 1-3 sentences are the
answer, written for the hub and linked to the sections it rests on. A reader's question is
matched question-to-question (the heading and other wordings of it, kb/section_questions/);
above the threshold in kb/ask.yaml the bot gives that answer instead of assembling one.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from search_api.ask import organisations, scoring
from search_api.ask.sentences import split_sentences
from search_api.index.loaded import Loaded

PREFIX = "/common-questions/"
_BASED_ON = "Based on:"


def _rows(loaded: Loaded) -> np.ndarray:
    """Rows of the question vectors that belong to common-question sections."""

    def build() -> np.ndarray:
        qv = loaded.questions
        if qv is None:
            return np.zeros(0, dtype=np.int64)
        chunks = loaded.stored.chunks
        return np.array(
            [i for i, o in enumerate(qv.owners) if chunks[int(o)]["url"].startswith(PREFIX)], dtype=np.int64
        )

    return loaded.derived("authored_rows", build)


def matches(loaded: Loaded, query_vector: np.ndarray, least: float) -> list[tuple[dict[str, Any], float]]:
    """Common questions at least `least` close to the reader's, closest first, one per section."""
    rows = _rows(loaded)
    if loaded.questions is None or not len(rows):
        return []
    sims = loaded.questions.vectors[rows] @ query_vector.astype(np.float32)
    out: dict[int, float] = {}
    for i in np.argsort(-sims):
        if sims[i] < least:
            break
        out.setdefault(int(loaded.questions.owners[rows[i]]), float(sims[i]))
    return [(loaded.stored.chunks[o], cos) for o, cos in out.items()]


# What a question asks for, when it says so: a count, an organisation or person, a date. The
# chatbot's sentence scoring reads the same kinds; these add "number of" and "which people".
_ASKS = {
    "count": (scoring.HOW_MANY, re.compile(r"\bnumber\s+of\b")),
    "who": (organisations.WHO, re.compile(r"\bwhich\s+(bodies|people)\b")),
    "when": (scoring.WHEN,),
}


def asks_for(question: str) -> set[str]:
    """The kinds of fact a question names: "count", "who", "when" (none for most)."""
    text = question.lower()
    return {kind for kind, patterns in _ASKS.items() if any(p.search(text) for p in patterns)}


def same_kind(question: str, heading: str) -> bool:
    """False when the written question and the reader's ask for different kinds of fact:
    "history of SIBs in the UK" is not "How many SIBs are there in the UK?", "who pays who" is
    not "What should a contract include?"."""
    asked, written = asks_for(question), asks_for(heading)
    return not (asked ^ written) or bool(asked & written)


def answer_sentences(chunk: dict[str, Any]) -> list[str]:
    """The authored answer's sentences, without its "Based on" line."""
    lines = [ln for ln in chunk["text"].splitlines() if not ln.strip().startswith(_BASED_ON)]
    return [s for s, _row in split_sentences("\n".join(lines))]


def sources(loaded: Loaded, chunk: dict[str, Any]) -> list[dict[str, str]]:
    """The sections the answer rests on, as links with their page and section names."""
    by_url = loaded.derived("chunks_by_url", lambda: {c["url"]: c for c in loaded.stored.chunks})
    out = []
    for url in (chunk.get("meta") or {}).get("based_on") or []:
        target = by_url.get(url) or by_url.get(url.split("#")[0])
        title = f"{target['title']}: {target['section']}" if target and target["section"] != target["title"] else None
        out.append({"title": title or (target["title"] if target else url), "url": url})
    return out
