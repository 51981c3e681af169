"""`make eval` (search part): recall@1, recall@5, MRR@10, nDCG@10 for BM25, dense, hybrid and Material's search."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from lunr_baseline import MaterialSearch  # noqa: E402

from devtools.blind_eval import authored_support, credited  # noqa: E402
from search_api.config import Settings  # noqa: E402
from search_api.search import retrieval  # noqa: E402
from search_api.state import Resources  # noqa: E402

EVAL_FILE = ROOT / "kb" / "eval" / "search.yaml"
REPORT_PAGE = ROOT / "docs" / "about" / "how-search-works.md"


def metrics(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    """The four figures for one question."""
    first = next((i for i, url in enumerate(ranked[:10]) if url in relevant), None)
    dcg = sum(1 / math.log2(i + 2) for i, url in enumerate(ranked[:10]) if url in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return {
        "recall@1": float(any(u in relevant for u in ranked[:1])),
        "recall@5": float(any(u in relevant for u in ranked[:5])),
        "mrr@10": 0.0 if first is None else 1 / (first + 1),
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def evaluate(systems: dict, questions: list[dict]) -> dict[str, dict[str, float]]:
    """Mean of each figure per system."""
    table = {}
    # A common question's written answer counts when it rests on a labelled section (as on the blind set).
    support = authored_support()
    for name, run in systems.items():
        totals: dict[str, float] = {}
        for q in questions:
            for key, value in metrics(run(q["question"]), credited(q["answers"], support)).items():
                totals[key] = totals.get(key, 0.0) + value
        table[name] = {k: v / len(questions) for k, v in totals.items()}
    return table


def systems_for(res: Resources, site_dir: Path, variants: bool) -> dict:
    """The systems compared: the site's search, BM25, dense and fused."""
    loaded, enc = res.index(), res.encoder()
    cache: dict[str, object] = {}

    def vec(q: str):
        if q not in cache:
            cache[q] = enc.encode([retrieval.normalise_query(q)])[0]
        return cache[q]

    def run(mode: str, **override):
        def go(q: str) -> list[str]:
            saved = dict(retrieval.settings())
            retrieval.settings().update(override)
            try:
                hits = retrieval.search(loaded, enc, q, 10, None, mode, query_vector=vec(q))
            finally:
                retrieval.settings().clear()
                retrieval.settings().update(saved)
            return [h.chunk["url"] for h in hits]

        return go

    material = MaterialSearch(site_dir)
    out = {
        "Material search (lunr, the site's fallback when the API is down)": material.search,
        "BM25 alone": run("bm25"),
        "Dense alone (all-MiniLM-L6-v2)": run("dense"),
        "Hybrid (chosen settings)": run("hybrid"),
    }
    if variants:
        out["Hybrid: no type prior"] = run("hybrid", type_prior={})
        out["Hybrid: RRF, equal weights"] = run("hybrid", fusion="rrf", dense_weight=1.0, bm25_weight=1.0)
        out["Hybrid: RRF, dense weight 2"] = run("hybrid", fusion="rrf", dense_weight=2.0, bm25_weight=1.0)
        for alpha in (0.5, 0.6, 0.8, 0.9):
            out[f"Hybrid: weighted sum, alpha {alpha}"] = run("hybrid", fusion="weighted", alpha=alpha)
    return out


def render_table(table: dict[str, dict[str, float]]) -> str:
    """A Markdown table of the figures."""
    lines = ["| System | Recall@1 | Recall@5 | MRR@10 | nDCG@10 |", "|---|---|---|---|---|"]
    for name, m in table.items():
        lines.append(f"| {name} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['mrr@10']:.3f} | {m['ndcg@10']:.3f} |")
    return "\n".join(lines)


def write_page(table_md: str, n: int, chosen: dict) -> None:
    """The "How search works" page, generated here so its figures are never typed by hand."""
    fusion = chosen["fusion"]
    how = (
        f"reciprocal rank fusion (a section at rank r in a list scores 1 / ({chosen['rrf_k']} + r), "
        f"dense weight {chosen['dense_weight']}, keyword weight {chosen['bm25_weight']})"
        if fusion == "rrf"
        else f"a weighted sum ({chosen['alpha']} times the meaning score plus the rest times the keyword score)"
    )
    priors = chosen.get("type_prior") or {}
    prior = (
        " Sections of "
        + ", ".join(f"{t} pages count {w} times" for t, w in sorted(priors.items()))
        + ". There are hundreds of project pages, and without this they push guidance out of the top results."
        if priors
        else ""
    )
    REPORT_PAGE.write_text(
        f"""---
title: How search works
description: How the hub's search finds sections by meaning and by keyword, and how well it does on real questions.
type: about
tags:
  - search
  - about
last_reviewed: 2026-11-28
---

# How search works

!!! summary "Summary"
    The hub's search combines two methods. One matches meaning, the other matches keywords.
    We test it on {n} real practitioner questions and publish the results on this page.

## Two ways of finding a section

The meaning search turns your question into numbers with a small language model,
all-MiniLM-L6-v2. It then finds the sections whose numbers are closest. It can match
"rough sleepers" with "homelessness" even though the words differ.

The keyword search uses BM25, a standard way of scoring how well words match. It is good
at names, places and abbreviations.

## How the two are combined

The search merges the two ranked lists with {how}. We chose this by measuring every option
on the same questions.{prior} Before searching, the hub expands abbreviations
from the glossary, so "SIB" also finds "social impact bond".

## How well it works

We asked {n} questions in the words practitioners use. Each question lists the sections
that answer it. The table shows how often the right section came first (recall@1) or in
the top five (recall@5). It also shows two measures of ranking quality, MRR@10 and nDCG@10.
Higher is better for every measure. The first row is the keyword search built into the site's theme. The header search falls back to it when the search service is down.

Table: How often each search system found the right section for the {n} questions.

{table_md}

This table is written by `make eval`. Nobody types the figures by hand.

## Measured on questions written blind

The questions above were written by the team with the pages open, so they reuse the pages'
words and flatter the search. A fairer test uses questions written without the pages.

<!-- blind:start -->
Run `make eval` to fill in this part.
<!-- blind:end -->

## Related pages

- [Search the hub](../tools/search.md)
- [About this hub](index.md)

## Sources

- Reimers and Gurevych, *Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks*, 2019,
  [arXiv](https://arxiv.org/abs/1908.10084)
- Cormack, Clarke and Buettcher, *Reciprocal rank fusion outperforms Condorcet and individual rank
  learning methods*, 2009, [ACM](https://dl.acm.org/doi/10.1145/1571941.1572114)
- Robertson and Zaragoza, *The Probabilistic Relevance Framework: BM25 and Beyond*, 2009,
  [Foundations and Trends in Information Retrieval](https://doi.org/10.1561/1500000019)
""",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    """Print the table; with --write-page also write the site page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-page", action="store_true", help="write docs/about/how-search-works.md")
    parser.add_argument("--variants", action="store_true", help="also compare fusion variants")
    parser.add_argument("--eval-file", type=Path, default=EVAL_FILE)
    args = parser.parse_args(argv)
    questions = yaml.safe_load(args.eval_file.read_text(encoding="utf-8"))
    settings = Settings()
    res = Resources(settings)
    table = evaluate(systems_for(res, settings.site_dir, args.variants), questions)
    table_md = render_table(table)
    print(f"Search evaluation on {len(questions)} questions ({args.eval_file})\n")
    print(table_md)
    if args.write_page:
        chosen = retrieval.settings()
        write_page(
            render_table({k: v for k, v in table.items() if not k.startswith("Hybrid:")}), len(questions), chosen
        )
        print(f"\nWrote {REPORT_PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
