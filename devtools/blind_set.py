"""The blind evaluation set: questions written without the pages, labelled afterwards, split once.

Writers saw only kb/eval/blind/brief.md (page titles, glossary terms, project and fund names).
Labellers then matched each question to the sections that answer it (`labels_*.yaml`).
A question no section answers (`hub_lacks`) is one the chatbot must decline. The split into
`dev` and `test` is made once, by question, with SEED; tuning looks at `dev` only.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from search_api.config import ROOT

BLIND_DIR = ROOT / "kb" / "eval" / "blind"
RAW_FILES = ("raw_a.yaml", "raw_b.yaml")
LABEL_FILES = ("labels_1.yaml", "labels_2.yaml", "labels_3.yaml")
SEED = 20261201
DEV_SHARE = 0.5
SPLITS = ("dev", "test")


def _labels(folder: Path) -> dict[str, dict[str, Any]]:
    """Every label by question id; a question labelled twice is an error."""
    out: dict[str, dict[str, Any]] = {}
    for name in LABEL_FILES:
        for entry in yaml.safe_load((folder / name).read_text(encoding="utf-8")) or []:
            if entry["id"] in out:
                raise ValueError(f"{entry['id']} is labelled twice")
            out[entry["id"]] = entry
    return out


def merged(folder: Path = BLIND_DIR) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(in_scope, must_decline): every written question with its label, in id order."""
    labels = _labels(folder)
    in_scope: list[dict[str, Any]] = []
    decline: list[dict[str, Any]] = []
    for name in RAW_FILES:
        raw = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        for q in raw["in_scope"]:
            label = labels.get(q["id"])
            if label is None:
                raise ValueError(f"{q['id']} has no label")
            base = {k: q[k] for k in ("id", "reader", "question", "history") if k in q}
            if "answers" in label:
                in_scope.append({**base, "answers": list(label["answers"]), "expect_any": list(label["expect_any"])})
            else:
                # Written as answerable, but no section holds the answer: an honest bot declines.
                decline.append({**base, "category": "hub_lacks", "why": label["hub_lacks"]})
        for q in raw["must_decline"]:
            label = labels.get(q["id"], {})
            if "answers" in label:
                raise ValueError(f"{q['id']} was written to be declined but labelled answerable")
            decline.append({k: q[k] for k in ("id", "reader", "category", "question", "history") if k in q})
    return sorted(in_scope, key=lambda q: q["id"]), sorted(decline, key=lambda q: q["id"])


def split(folder: Path = BLIND_DIR) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{"dev": {...}, "test": {...}}: each question lands in one split, decided by SEED alone."""
    in_scope, decline = merged(folder)
    out: dict[str, dict[str, list[dict[str, Any]]]] = {s: {"in_scope": [], "must_decline": []} for s in SPLITS}
    for kind, items in (("in_scope", in_scope), ("must_decline", decline)):
        ids = sorted(q["id"] for q in items)
        rng = random.Random(f"{SEED}-{kind}")
        rng.shuffle(ids)
        dev_ids = set(ids[: round(len(ids) * DEV_SHARE)])
        for q in items:
            out["dev" if q["id"] in dev_ids else "test"][kind].append(q)
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
