"""Scoring the chatbot on kb/eval/ask.yaml, and the threshold sweep that calibrates kb/ask.yaml."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from search_api import paths

EVAL_FILE = paths.EVAL_DIR / "ask.yaml"
AnswerFn = Callable[..., dict[str, Any]]


def load_eval(path: Path = EVAL_FILE) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(in_scope, out_of_scope) items of an evaluation file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("in_scope") or []), list(data.get("out_of_scope") or [])


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def has_fact(result: dict[str, Any], facts: list[str]) -> bool:
    """True when the answer's sentences contain any expected fact (case and spacing ignored)."""
    text = _norm(" ".join(a["text"] for a in result.get("answer", [])))
    return any(_norm(str(f)) in text for f in facts)


# Ways of declining that say why: each counts as "declined" for a set written before they existed.
DECLINE_ROUTES = ("declined", "unknown_name", "not_held", "forecast", "personal_info")


def expected_routes(item: dict[str, Any]) -> list[str]:
    """The route(s) an out-of-scope item accepts."""
    want = item.get("expect_route", "declined")
    routes = [str(w) for w in (want if isinstance(want, list) else [want])]
    return list(dict.fromkeys(r for w in routes for r in (DECLINE_ROUTES if w == "declined" else (w,))))


def evaluate(
    source: Any, in_scope: list[dict[str, Any]], out_of_scope: list[dict[str, Any]], answer_fn: AnswerFn
) -> dict[str, Any]:
    """The issue's figures for one answering function, plus every failure for reading."""
    valid_urls = {c["url"] for c in _loaded(source).stored.chunks}
    with_fact = declined_in = 0
    bad_urls: list[str] = []
    failures: list[dict[str, Any]] = []
    times: list[float] = []
    for item in in_scope:
        started = time.perf_counter()
        result = answer_fn(source, item["question"], item.get("history"))
        times.append((time.perf_counter() - started) * 1000)
        bad_urls += [a["citation"]["url"] for a in result["answer"] if a["citation"]["url"] not in valid_urls]
        if has_fact(result, item.get("expect_any") or []):
            with_fact += 1
        else:
            failures.append({"question": item["question"], "route": result["route"], "got": _short(result)})
        if not result["answered"]:
            declined_in += 1
    routed_ok = not_answered = 0
    for item in out_of_scope:
        result = answer_fn(source, item["question"], item.get("history"))
        if result["route"] in expected_routes(item):
            routed_ok += 1
        else:
            failures.append({"question": item["question"], "route": result["route"], "want": expected_routes(item)})
        if not result["answered"] or result["route"] != "answered":
            not_answered += 1
    n_in, n_out = max(1, len(in_scope)), max(1, len(out_of_scope))
    return {
        "in_scope": len(in_scope),
        "out_of_scope": len(out_of_scope),
        "answered_with_fact": with_fact / n_in,
        "out_of_scope_routed_correctly": routed_ok / n_out,
        "out_of_scope_not_answered": not_answered / n_out,
        "in_scope_wrongly_declined": declined_in / n_in,
        "cited_urls_missing": len(bad_urls),
        "p50_ms": statistics.median(times) if times else 0.0,
        "failures": failures,
    }


def _short(result: dict[str, Any]) -> str:
    return " | ".join(a["text"][:90] for a in result["answer"]) or result.get("message", "")[:90]


def _loaded(source: Any) -> Any:
    return source[0] if isinstance(source, tuple) else source.index()


def sweep(
    source: Any,
    in_scope: list[dict[str, Any]],
    out_of_scope: list[dict[str, Any]],
    grid: list[tuple[float, float, float]],
) -> list[dict[str, Any]]:
    """Figures for each (min_sentence_score, min_section_cosine, min_coverage), with one pass of answering."""
    from search_api.ask import answer, router

    cfg = router.config()
    saved = dict(cfg["decline"])
    # Answer once with declining switched off, then apply each pair of thresholds to the
    # recorded scores: the same as re-running, at a fraction of the cost.
    cfg["decline"].update(min_sentence_score=-1.0, min_section_cosine=-1.0, min_coverage=-1.0)
    recorded = []
    try:
        for scope, items in (("in", in_scope), ("out", out_of_scope)):
            for item in items:
                probe = answer.answer_question(source, item["question"], item.get("history"), _probe=True)
                recorded.append((scope, item, probe))
    finally:
        cfg["decline"].update(saved)
    rows = []
    for min_score, min_cos, min_cov in grid:
        fact = wrongly = ok_out = 0
        for scope, item, probe in recorded:
            declined = probe["route"] == "answered" and (
                probe["_best"] < min_score or probe["_top_cosine"] < min_cos or probe["_coverage"] < min_cov
            )
            route = "declined" if declined else probe["route"]
            if scope == "in":
                fact += int(not declined and has_fact(probe, item.get("expect_any") or []))
                wrongly += int(declined or not probe["answered"])
            else:
                ok_out += int(route in expected_routes(item))
        rows.append(
            {
                "min_sentence_score": min_score,
                "min_section_cosine": min_cos,
                "min_coverage": min_cov,
                "answered_with_fact": fact / max(1, len(in_scope)),
                "in_scope_wrongly_declined": wrongly / max(1, len(in_scope)),
                "out_of_scope_routed_correctly": ok_out / max(1, len(out_of_scope)),
            }
        )
    return rows
