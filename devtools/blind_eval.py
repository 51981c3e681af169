"""Figures on the blind set: search recall@1, recall@5 and MRR, and the chatbot's answers and declines."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devtools.ask_eval import has_fact
from search_api.config import ROOT
from sitebuild.section_questions import based_on

QUESTIONS_DIR = ROOT / "docs" / "common-questions"


def authored_support(folder: Path = QUESTIONS_DIR) -> dict[str, set[str]]:
    """Each common question's section URL -> the sections its answer rests on (its "Based on" links)."""
    out: dict[str, set[str]] = {}
    for page in sorted(folder.glob("*.md")):
        src = page.relative_to(ROOT / "docs").as_posix()
        url = "/" + src.removesuffix(".md") + "/"
        for anchor, urls in based_on(src, page.read_text(encoding="utf-8")).items():
            out[f"{url}#{anchor}"] = set(urls)
    return out


def credited(answers: list[str], support: dict[str, set[str]]) -> set[str]:
    """The labelled sections plus any authored answer that rests on one of them."""
    wanted = set(answers)
    return wanted | {url for url, rests_on in support.items() if rests_on & wanted}


def rank_figures(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    """recall@1, recall@5 and MRR@10 of one ranked list of section URLs."""
    first = next((i for i, url in enumerate(ranked[:10]) if url in relevant), None)
    return {
        "recall@1": float(bool(ranked[:1]) and ranked[0] in relevant),
        "recall@5": float(any(u in relevant for u in ranked[:5])),
        "mrr@10": 0.0 if first is None else 1 / (first + 1),
    }


def search_figures(run: Callable[[dict[str, Any]], list[str]], questions: list[dict[str, Any]]) -> dict[str, float]:
    """Mean search figures over in-scope questions (follow-ups searched with their history, as the chatbot does)."""
    support = authored_support()
    totals = {"recall@1": 0.0, "recall@5": 0.0, "mrr@10": 0.0}
    for q in questions:
        for key, value in rank_figures(run(q), credited(q["answers"], support)).items():
            totals[key] += value
    n = max(1, len(questions))
    return {k: v / n for k, v in totals.items()}


def ask_figures(
    answer: Callable[[str, list[dict[str, str]] | None], dict[str, Any]], split: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The issue's chatbot figures on one split, with each miss kept for reading."""
    support = authored_support()
    fact = wrongly = 0
    first_ok = mrr = 0.0
    times: list[float] = []
    misses: list[dict[str, Any]] = []
    for q in split["in_scope"]:
        started = time.perf_counter()
        result = answer(q["question"], q.get("history"))
        times.append((time.perf_counter() - started) * 1000)
        cited = [a["citation"]["url"] for a in result.get("answer", [])]
        wanted = credited(q["answers"], support)
        figures = rank_figures(list(dict.fromkeys(cited)), wanted)
        first_ok += figures["recall@1"]
        mrr += figures["mrr@10"]
        ok = result["answered"] and has_fact(result, q["expect_any"])
        fact += int(ok)
        wrongly += int(not result["answered"])
        if not ok:
            misses.append({"id": q["id"], "question": q["question"], "route": result["route"], "cited": cited[:2]})
    declined = shown = 0
    for q in split["must_decline"]:
        result = answer(q["question"], q.get("history"))
        if not result["answered"]:
            declined += 1
            # A decline must not dress unrelated sentences up as an answer.
            shown += int(bool(result.get("answer")))
        else:
            misses.append({"id": q["id"], "question": q["question"], "route": "answered (should decline)"})
    n_in, n_out = max(1, len(split["in_scope"])), max(1, len(split["must_decline"]))
    return {
        "answered_with_fact": fact / n_in,
        "must_decline_declined": declined / n_out,
        "in_scope_wrongly_declined": wrongly / n_in,
        "declines_showing_sentences": shown,
        "answer_section_recall@1": first_ok / n_in,
        "answer_section_mrr": mrr / n_in,
        "p50_ms": statistics.median(times) if times else 0.0,
        "misses": misses,
    }
