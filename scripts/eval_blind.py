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


PAGE = ROOT / "docs" / "about" / "how-search-works.md"
START, END = "<!-- blind:start -->", "<!-- blind:end -->"


def page_block(figures: dict[str, dict]) -> str:
    """The blind-set part of the "How search works" page: how the set was made, then both tables."""
    dev, test = figures["dev"], figures["test"]
    n_in = dev["counts"]["in_scope"] + test["counts"]["in_scope"]
    n_out = dev["counts"]["must_decline"] + test["counts"]["must_decline"]
    lines = [
        START,
        f"Two writers wrote {n_in + n_out} questions as five kinds of reader: council and NHS commissioners,",
        "charity managers, social investors, researchers and journalists, and members of the public.",
        "They saw only the list of page titles, glossary terms and project and fund names, never the pages.",
        "They used their own words, with typos, abbreviations, short keyword queries and follow-up questions.",
        "",
        "Other people then read the pages and marked the sections that answer each question and the facts",
        f"a good answer must hold. {n_out} questions are ones the hub should decline: questions it cannot",
        "answer, forecasts, pay, personal details, disputes, hidden instructions and made-up projects.",
        "",
        "The questions were split once, at random, into a development half and a test half. We changed the",
        "search and the chatbot looking only at the development half. The test half shows how they do on",
        "questions nobody tuned them for, so its figures are the ones to quote.",
        "",
        "Table: Search and chatbot figures on the blind questions, development and test halves.",
        "",
        "| Measure | Development | Test | Target |",
        "|---|---|---|---|",
    ]
    for label, key, target in SEARCH_ROWS:
        lines.append(f"| {label} | {dev['search'][key]:.3f} | {test['search'][key]:.3f} | {target} |")
    for label, key, fmt, target in ASK_ROWS[:3]:
        lines.append(f"| {label} | {fmt.format(dev['ask'][key])} | {fmt.format(test['ask'][key])} | {target} |")
    lines += ["", "These figures are written by `make eval` too.", END]
    return "\n".join(lines)


def write_page(figures: dict[str, dict], page: Path = PAGE) -> None:
    """Put the blind figures between the page's markers (make eval writes the rest of the page first)."""
    text = page.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{page} has no {START} ... {END} block: run scripts/eval_search.py --write-page first")
    head, rest = text.split(START, 1)
    page.write_text(head + page_block(figures) + rest.split(END, 1)[1], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Print dev and test tables; --json writes the figures; --misses lists dev misses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", default="dev,test", help="comma-separated: dev, test")
    parser.add_argument("--misses", action="store_true", help="list the dev questions the chatbot missed")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--write-page", action="store_true", help="write the figures into How search works")
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
    extra = blind_set.load_extra_declines()
    if extra and "dev" in splits:
        # A tuning set like dev: the decline examples and rules were written with it in view.
        got = ask_figures(lambda q, h: answer_question(res, q, h), {"in_scope": [], "must_decline": extra})
        print(
            f"\nExtra must-decline tuning set ({len(extra)} questions, written blind): {got['must_decline_declined']:.1%} declined"
        )
        if args.misses:
            for miss in got["misses"]:
                print("-", json.dumps(miss, ensure_ascii=False))
    if "dev" in splits:
        for half in ("tune", "check"):
            qs = blind_set.load_second_declines(half)
            if not qs:
                continue
            got = ask_figures(lambda q, h: answer_question(res, q, h), {"in_scope": [], "must_decline": qs})
            missed = {m["id"] for m in got["misses"]}
            by_kind: dict[str, list[int]] = {}
            for q in qs:
                by_kind.setdefault(q.get("category", "other"), [0, 0])[q["id"] not in missed] += 1
            kinds = ", ".join(f"{k} {ok}/{ok + no}" for k, (no, ok) in sorted(by_kind.items()))
            print(
                f"Second must-decline set, {half} half ({len(qs)} questions): "
                f"{got['must_decline_declined']:.1%} declined ({kinds})"
            )
            if args.misses and half == "tune":  # the check half's misses are never listed
                for miss in got["misses"]:
                    print("-", json.dumps(miss, ensure_ascii=False))
    if args.misses and "dev" in figures:
        print("\nDev misses:")
        for miss in figures["dev"]["ask"]["misses"]:
            print("-", json.dumps(miss, ensure_ascii=False))
    if args.write_page and {"dev", "test"} <= set(figures):
        write_page(figures)
        print(f"\nWrote {PAGE.relative_to(ROOT)}")
    if args.json:
        slim = {s: {**f, "ask": {k: v for k, v in f["ask"].items() if k != "misses"}} for s, f in figures.items()}
        args.json.write_text(json.dumps(slim, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
