"""The blind evaluation set: questions written without the pages, labelled afterwards, split once.

Writers saw only kb/eval/blind/brief.md (page titles, glossary terms, project and fund names).
Labellers then matched each question to the sections that answer it (`labels_*.yaml`).
A question no section answers (`hub_lacks`) is one the chatbot must decline. The split into
`dev` and `test` was made once, by question, with SEED, and is recorded in split.yaml; tuning
looks at `dev` only. Pages written after the first labelling were labelled the same way
(labels_new_pages.yaml); a question they answer keeps its split.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from search_api import paths

BLIND_DIR = paths.EVAL_DIR / "blind"
RAW_FILES = ("raw_a.yaml", "raw_b.yaml")
LABEL_FILES = ("labels_1.yaml", "labels_2.yaml", "labels_3.yaml")
SEED = 20261201
DEV_SHARE = 0.5
SPLITS = ("dev", "test")
SPLIT_FILE = "split.yaml"
SUPPLEMENT_FILE = "labels_new_pages.yaml"


def _labels(folder: Path) -> dict[str, dict[str, Any]]:
    """Every label by question id; a question labelled twice is an error."""
    out: dict[str, dict[str, Any]] = {}
    for name in LABEL_FILES:
        for entry in yaml.safe_load((folder / name).read_text(encoding="utf-8")) or []:
            if entry["id"] in out:
                raise ValueError(f"{entry['id']} is labelled twice")
            out[entry["id"]] = entry
    return out


def _supplement(folder: Path) -> dict[str, dict[str, Any]]:
    """Sections of pages written after the first labelling that also answer a question (labelled the same way)."""
    path = folder / SUPPLEMENT_FILE
    if not path.is_file():
        return {}
    return {e["id"]: e for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def merged(folder: Path = BLIND_DIR, supplement: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(in_scope, must_decline): every written question with its label, in id order (supplement=False:
    the first labels only, as when the split was made)."""
    labels = _labels(folder)
    extra = _supplement(folder) if supplement else {}
    in_scope: list[dict[str, Any]] = []
    decline: list[dict[str, Any]] = []
    for name in RAW_FILES:
        raw = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        for q in raw["in_scope"]:
            label = labels.get(q["id"])
            if label is None:
                raise ValueError(f"{q['id']} has no label")
            base = {k: q[k] for k in ("id", "reader", "question", "history") if k in q}
            more = extra.get(q["id"], {})
            answers = list(label.get("answers") or []) + list(more.get("answers") or [])
            facts = list(label.get("expect_any") or []) + list(more.get("expect_any") or [])
            if answers and facts:
                in_scope.append({**base, "answers": answers, "expect_any": list(dict.fromkeys(facts))})
            else:
                # Written as answerable, but no section holds the answer: an honest bot declines.
                decline.append({**base, "category": "hub_lacks", "why": label["hub_lacks"]})
        for q in raw["must_decline"]:
            label = labels.get(q["id"], {})
            if "answers" in label:
                raise ValueError(f"{q['id']} was written to be declined but labelled answerable")
            decline.append({k: q[k] for k in ("id", "reader", "category", "question", "history") if k in q})
    return sorted(in_scope, key=lambda q: q["id"]), sorted(decline, key=lambda q: q["id"])


def membership(folder: Path = BLIND_DIR) -> dict[str, str]:
    """Question id -> "dev" or "test", as recorded once in split.yaml."""
    data = yaml.safe_load((folder / SPLIT_FILE).read_text(encoding="utf-8"))
    return {qid: name for name in SPLITS for qid in data[name]}


def initial_split(ids_by_kind: dict[str, list[str]]) -> dict[str, str]:
    """How split.yaml was first made: ids shuffled with SEED within each kind, the first half to dev."""
    out: dict[str, str] = {}
    for kind, ids in ids_by_kind.items():
        order = sorted(ids)
        random.Random(f"{SEED}-{kind}").shuffle(order)
        cut = round(len(order) * DEV_SHARE)
        out.update({qid: ("dev" if i < cut else "test") for i, qid in enumerate(order)})
    return out


def split(folder: Path = BLIND_DIR) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{"dev": {...}, "test": {...}}: each question in the split split.yaml gives it, for good."""
    in_scope, decline = merged(folder)
    where = membership(folder)
    out: dict[str, dict[str, list[dict[str, Any]]]] = {s: {"in_scope": [], "must_decline": []} for s in SPLITS}
    for kind, items in (("in_scope", in_scope), ("must_decline", decline)):
        for q in items:
            if q["id"] not in where:
                raise ValueError(f"{q['id']} is in no split: split.yaml is fixed, so a new question needs a new set")
            out[where[q["id"]]][kind].append(q)
    return out


def write(folder: Path = BLIND_DIR) -> dict[str, Path]:
    """Write dev.yaml and test.yaml (what `make eval` reads) and return their paths."""
    paths = {}
    for name, data in split(folder).items():
        path = folder / f"{name}.yaml"
        header = (
            f"# Blind evaluation, {name} split: made by devtools/blind_set.py (seed {SEED}); never edit by hand.\n"
            f"# {len(data['in_scope'])} in-scope and {len(data['must_decline'])} must-decline questions.\n"
        )
        path.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), "utf-8")
        paths[name] = path
    return paths


def load(name: str, folder: Path = BLIND_DIR) -> dict[str, list[dict[str, Any]]]:
    """One split as written on disk."""
    if name not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    return yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))


EXTRA_DECLINES = "decline_extra"
SECOND_DECLINES = "decline_extra2"


def _must_decline(name: str, folder: Path) -> list[dict[str, Any]]:
    path = folder / f"{name}.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("must_decline", []) if path.is_file() else []


def load_extra_declines(folder: Path = BLIND_DIR) -> list[dict[str, Any]]:
    """The extra must-decline questions (written blind, for tuning only; never part of test)."""
    return _must_decline(EXTRA_DECLINES, folder)


def load_second_declines(split: str, folder: Path = BLIND_DIR) -> list[dict[str, Any]]:
    """One half ("tune" or "check") of the second blind must-decline set; check's misses are never shown."""
    return [q for q in _must_decline(SECOND_DECLINES, folder) if q.get("split") == split]
