"""Choosing the answer's sentences: maximal marginal relevance, lead-ins, reading order."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from search_api.ask.sentences import Sentence

# A sentence opening like this leans on the one before it.
_DEPENDENT = re.compile(r"^(It|This|These|They|That|Those|Its|Their|He|She|Such)\b")


def passage(cands: list[Sentence], scores: np.ndarray, cfg: dict[str, Any]) -> list[int]:
    """The best sentence with its neighbours from its own section, then at most one other section's best."""
    rc, sc = cfg["retrieval"], cfg["scoring"]
    limit, own = int(rc["max_sentences"]), int(rc.get("passage_sentences", 3))
    best = int(np.argmax(scores))
    url, pos = cands[best].chunk["url"], cands[best].pos
    same = {c.pos: i for i, c in enumerate(cands) if c.chunk["url"] == url}
    chosen = [best]
    if _DEPENDENT.match(cands[best].text) and pos - 1 in same:
        chosen.insert(0, same[pos - 1])
    nxt = pos + 1
    while len(chosen) < own and nxt in same:
        chosen.append(same[nxt])
        nxt += 1
    texts = {cands[i].text for i in chosen}
    others = [i for i in np.argsort(-scores) if cands[i].chunk["url"] != url and cands[i].text not in texts]
    if others and len(chosen) < limit and scores[others[0]] >= float(sc["keep_ratio"]) * scores[best]:
        chosen.append(int(others[0]))
    return chosen[:limit]


def choose(cands: list[Sentence], scores: np.ndarray, vecs: np.ndarray, cfg: dict[str, Any]) -> list[int]:
    """Indices of 1-4 sentences: a passage (kb/ask.yaml selection: passage) or by maximal marginal relevance."""
    if cfg["retrieval"].get("selection", "mmr") == "passage":
        return passage(cands, scores, cfg)
    sc, rc = cfg["scoring"], cfg["retrieval"]
    lam, keep, dup = float(sc["mmr_lambda"]), float(sc["keep_ratio"]), float(sc["duplicate_cosine"])
    limit = int(rc["max_sentences"])
    best = int(np.argmax(scores))
    chosen = [best]
    texts = {cands[best].text}
    _continue(cands, chosen, texts, limit)
    while len(chosen) < limit:
        pick, pick_value = -1, -math.inf
        for i in range(len(cands)):
            if i in chosen or cands[i].text in texts or scores[i] < keep * scores[best]:
                continue
            if len(chosen) + 1 >= limit and _LEAD_IN.search(cands[i].text):
                continue  # a lead-in ("three things helped:") without room for what it leads in to
            redundancy = float(max(vecs[i] @ vecs[j] for j in chosen))
            if redundancy >= dup:
                continue
            value = lam * scores[i] - (1 - lam) * redundancy
            if value > pick_value:
                pick, pick_value = i, value
        if pick < 0:
            break
        chosen.append(pick)
        texts.add(cands[pick].text)
        _continue(cands, chosen, texts, limit)
    return chosen


# "It has three parts." or "GO Lab describes two types:" promise what the next sentence says.
_LEAD_IN = re.compile(
    r":$|\b(two|three|four|five|six|seven|eight|several|these|the following)\b[^.]*"
    r"\b(parts|features|types|kinds|themes|ways|steps|things|stages|tests|conditions|questions|elements|reasons|groups)\b"
    r"[^.]*[.:]$",
    re.I,
)


def _continue(cands: list[Sentence], chosen: list[int], texts: set[str], limit: int) -> None:
    """After a lead-in sentence, add the sentence that follows it in its section."""
    i = chosen[-1]
    if len(chosen) >= limit or not _LEAD_IN.search(cands[i].text):
        return
    following = [j for j, c in enumerate(cands) if c.chunk["url"] == cands[i].chunk["url"] and c.pos > cands[i].pos]
    if following:
        j = min(following, key=lambda k: cands[k].pos)
        if j not in chosen and cands[j].text not in texts:
            chosen.append(j)
            texts.add(cands[j].text)


def with_antecedents(cands: list[Sentence], chosen: list[int], limit: int) -> list[int]:
    """Each sentence that leans on the one before it ("It did not present them as proven.") brings
    that sentence, placed just before it; the last ones drop out when that runs past the limit."""
    where = {(c.chunk["url"], c.pos): i for i, c in enumerate(cands)}
    out: list[int] = []
    for i in chosen:
        before = where.get((cands[i].chunk["url"], cands[i].pos - 1))
        if _DEPENDENT.match(cands[i].text) and before is not None and before not in chosen and before not in out:
            out.append(before)
        out.append(i)
    return out[:limit]


def readable_order(cands: list[Sentence], chosen: list[int]) -> list[int]:
    """Pages in order of their best sentence; within a page, the order the page reads in."""
    page_rank: dict[str, int] = {}
    for i in chosen:  # chosen is already best-first
        page_rank.setdefault(cands[i].chunk.get("page", ""), len(page_rank))
    return sorted(chosen, key=lambda i: (page_rank[cands[i].chunk.get("page", "")], cands[i].chunk_pos, cands[i].pos))


def anchored(cands: list[Sentence], scores: np.ndarray, vecs: np.ndarray, cfg: dict[str, Any], url: str) -> list[int]:
    """The best sentences of one section (the part of a page the question asked for) first,
    then the usual choice from the rest."""
    own = [i for i in np.argsort(-scores) if cands[i].chunk["url"] == url][
        : int(cfg["retrieval"].get("anchor_sentences", 2))
    ]
    if not own:
        return choose(cands, scores, vecs, cfg)
    limit = int(cfg["retrieval"]["max_sentences"])
    led: list[int] = []
    texts: set[str] = set()
    for i in own:  # a lead-in ("compared with the control group:") brings the line it introduces
        if int(i) not in led:
            led.append(int(i))
            texts.add(cands[i].text)
            _continue(cands, led, texts, limit)
    own = led
    rest = choose(
        cands, np.where([cands[i].chunk["url"] == url for i in range(len(cands))], -np.inf, scores), vecs, cfg
    )
    extra = [i for i in rest if cands[i].text not in texts and np.isfinite(scores[i])]
    return own + extra[: max(0, limit - len(own))]
