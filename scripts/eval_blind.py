"""`make eval` (blind part): search and chatbot figures on the blind set's dev and test splits.

Tune on dev only; the test figures are the ones to report. --misses lists dev misses for reading
(never test's: reading test questions would make them part of the tuning)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools import blind_set  # noqa: E402
from devtools.blind_eval import ask_figures, search_figures  # noqa: E402
from search_api.ask import router  # noqa: E402
from search_api.ask.answer import answer_question, expand, warm  # noqa: E402
from search_api.ask.guardrails import clean_history, clean_text  # noqa: E402
from search_api.config import Settings  # noqa: E402
from search_api.search import retrieval  # noqa: E402
from search_api.state import Resources  # noqa: E402

SEARCH_ROWS = [("Search recall@1", "recall@1", "at least 0.70"), ("Search recall@5", "recall@5", "at least 0.92")]
SEARCH_ROWS += [("Search MRR@10", "mrr@10", "")]
ASK_ROWS = [
    ("In-scope answered with the needed fact", "answered_with_fact", "{:.1%}", "at least 85%"),
    ("Must-decline declined", "must_decline_declined", "{:.1%}", "at least 95%"),
    ("In-scope wrongly declined", "in_scope_wrongly_declined", "{:.1%}", "at most 5%"),
    ("Declines that still show sentences", "declines_showing_sentences", "{}", "0"),
    ("Chatbot's first cited section is a right one (recall@1)", "answer_section_recall@1", "{:.3f}", ""),
    ("Chatbot's cited sections, MRR", "answer_section_mrr", "{:.3f}", ""),
    ("Answer latency p50 (ms, in-process)", "p50_ms", "{:.1f}", ""),
]


def search_run(res: Resources):
    """The hub's search as the chatbot calls it: a follow-up carries its earlier turn."""
    loaded, enc, cfg = res.index(), res.encoder(), router.config()

    def run(q: dict) -> list[str]:
        asked = router.with_context(clean_text(q["question"]), clean_history(q.get("history")), cfg)
        hits = retrieval.search(loaded, enc, expand(asked, cfg), 10)
        return [h.chunk["url"] for h in hits]

    return run


def main(argv: list[str] | None = None) -> int:
    """Print dev and test tables; --json writes the figures; --misses lists dev misses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", default="dev,test", help="comma-separated: dev, test")
    parser.add_argument("--misses", action="store_true", help="list the dev questions the chatbot missed")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    res = Resources(Settings())
    warm(res)
    splits = [s for s in args.splits.split(",") if s]
    figures: dict[str, dict] = {}
    for name in splits:
        data = blind_set.load(name)
        figures[name] = {
            "search": search_figures(search_run(res), data["in_scope"]),
            "ask": ask_figures(lambda q, h: answer_question(res, q, h), data),
            "counts": {"in_scope": len(data["in_scope"]), "must_decline": len(data["must_decline"])},
        }
    head = " | ".join(
        f"{s} ({figures[s]['counts']['in_scope']} + {figures[s]['counts']['must_decline']})" for s in splits
    )
    print(
        f"Blind evaluation (questions written without the pages; in-scope + must-decline)\n\n| Measure | {head} | Target |"
    )
    print("|---" * (len(splits) + 2) + "|")
    for label, key, target in SEARCH_ROWS:
        print(f"| {label} | " + " | ".join(f"{figures[s]['search'][key]:.3f}" for s in splits) + f" | {target} |")
    for label, key, fmt, target in ASK_ROWS:
        print(f"| {label} | " + " | ".join(fmt.format(figures[s]["ask"][key]) for s in splits) + f" | {target} |")
    if args.misses and "dev" in figures:
        print("\nDev misses:")
        for miss in figures["dev"]["ask"]["misses"]:
            print("-", json.dumps(miss, ensure_ascii=False))
    if args.json:
        slim = {s: {**f, "ask": {k: v for k, v in f["ask"].items() if k != "misses"}} for s, f in figures.items()}
        args.json.write_text(json.dumps(slim, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
