"""`make eval` (chatbot part): the chatbot against the first-sentences baseline on kb/eval/ask.yaml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.ask_eval import EVAL_FILE, evaluate, load_eval  # noqa: E402
from search_api.ask.answer import answer_question, baseline_answer, warm  # noqa: E402
from search_api.config import Settings  # noqa: E402
from search_api.state import Resources  # noqa: E402

ROWS = [
    ("In-scope questions answered with an expected fact", "answered_with_fact", "{:.1%}", "at least 85%"),
    ("Out-of-scope questions declined or routed correctly", "out_of_scope_routed_correctly", "{:.1%}", "100%"),
    ("In-scope questions wrongly declined", "in_scope_wrongly_declined", "{:.1%}", "at most 5%"),
    ("Cited URLs that do not exist in the index", "cited_urls_missing", "{}", "0"),
    ("Answer latency p50 (ms, in-process)", "p50_ms", "{:.1f}", ""),
]


def main(argv: list[str] | None = None) -> int:
    """Print the chatbot and baseline figures side by side; --failures lists the misses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="list the questions the chatbot got wrong")
    args = parser.parse_args(argv)
    res = Resources(Settings())
    warm(res)
    ins, outs = load_eval(EVAL_FILE)
    bot = evaluate(res, ins, outs, answer_question)
    base = evaluate(res, ins, outs, baseline_answer)
    print(f"Chatbot evaluation: {len(ins)} in-scope and {len(outs)} out-of-scope questions ({EVAL_FILE.name})\n")
    print("| Measure | Chatbot | Baseline (first sentences of top result) | Target |\n|---|---|---|---|")
    for label, key, fmt, target in ROWS:
        print(f"| {label} | {fmt.format(bot[key])} | {fmt.format(base[key])} | {target} |")
    gap = (bot["answered_with_fact"] - base["answered_with_fact"]) * 100
    print(f"\nChatbot minus baseline, answered with a fact: {gap:+.1f} points (target at least +20)")
    if args.failures:
        for failure in bot["failures"]:
            print("-", failure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
