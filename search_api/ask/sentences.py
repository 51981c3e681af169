"""Sentences of indexed sections, and a cache of their embeddings (kept on disk between runs)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search_api.index.embedder import DIMENSION, MODEL_NAME, Encoder

# A table row flattened by the chunker ("Dates: Outcomes contract signed March 2010.") is
# one unit: its label carries the meaning of every sentence in it.
_ROW = re.compile(r"^[A-Z][^:.!?]{0,60}: \S")
MAX_ROW = 420
WRAP_MIN = 60  # source lines at least this long that end mid-sentence were hard-wrapped
_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|approx|Dr|Mr|Mrs|Ms|St|No|Inc|Ltd|U\.S|U\.K)\.$", re.I)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"‘(£$€])")
# Pointers to other pages and lists of related terms answer nothing on their own.
_POINTER = re.compile(r"^(See|Read|Related terms|Related pages|Also see|Source|Sources|Based on:|Table:)")
# Pages that list names (the organisations A-Z, tag pages): their lines answer no question.
LISTING_PAGES = ("/organisations/", "/tags/")
AUTHORED = "/common-questions/"


@dataclass
class Sentence:
    """One sentence of a section, with where it sits on its page."""

    text: str
    chunk: dict[str, Any]
    chunk_pos: int  # position of the section in the index (pages are indexed in order)
    pos: int  # position of the sentence in its section
    row: bool = False  # a table row


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    # Markdown escapes ("\[Plan Your Future\]") are not what the page shows.
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)
    # Table cells that end in a full stop come out of the chunker as "2015.." .
    return re.sub(r"([.!?])\.+$", r"\1", text)


def _lines(text: str) -> list[str]:
    """Logical lines: Markdown prose is hard-wrapped, so a long line that does not end a
    sentence continues on the next one; short unpunctuated lines are list items."""
    out: list[str] = []
    joinable = False
    for raw in text.split("\n"):
        line = _tidy(raw)
        if not line:
            joinable = False
            continue
        if joinable and out and not _ROW.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joinable = len(raw.strip()) >= WRAP_MIN and not re.search(r"[.!?:;]$", line)
    return out


def split_sentences(text: str) -> list[tuple[str, bool]]:
    """(sentence, is_table_row) pairs of a section's text, in reading order."""
    out: list[tuple[str, bool]] = []
    for line in _lines(text):
        if _ROW.match(line) and len(line) <= MAX_ROW:
            out.append((line, True))
            continue
        parts: list[str] = []
        for piece in _BOUNDARY.split(line):
            # Re-join pieces split after an abbreviation such as "e.g.".
            if parts and _ABBREV.search(parts[-1]):
                parts[-1] = f"{parts[-1]} {piece}"
            else:
                parts.append(piece)
        out.extend((p.strip(), False) for p in parts if p.strip())
    return out


def section_sentences(chunk: dict[str, Any], chunk_pos: int) -> list[Sentence]:
    """Sentences of one section worth quoting (pointers such as 'See the ... page' are left out)."""
    out: list[Sentence] = []
    if chunk["url"].startswith(LISTING_PAGES) or (chunk["url"].startswith(AUTHORED) and "#" not in chunk["url"]):
        return out  # a list of names, or a common-questions page's own introduction
    for pos, (text, row) in enumerate(split_sentences(chunk["text"])):
        if len(text.split()) < 3 or _POINTER.match(text) or text.endswith("?"):
            continue
        out.append(Sentence(text, chunk, chunk_pos, pos, row))
    return out


def embed_text(sentence: Sentence) -> str:
    """What is embedded: a table row gets its page title and a glossary definition its term,
    since neither names its subject on its own."""
    if sentence.row:
        return f"{sentence.chunk['title']}. {sentence.text}"
    if sentence.chunk.get("type") == "glossary":
        return f"{sentence.chunk['section']}: {sentence.text}"
    return sentence.text


def _key(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\0{text}".encode()).hexdigest()[:24]


class SentenceVectors:
    """Embeddings of sentences by text hash: in memory, saved to one .npz file when a path is set."""

    SAVE_EVERY = 5.0  # seconds; saving rewrites the whole file, so not after every question

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._vecs: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._dirty = False
        self._saved_at = 0.0
        if path is not None and path.is_file():
            try:
                data = np.load(path, allow_pickle=False)
                if data["vectors"].shape[1:] == (DIMENSION,):
                    self._vecs = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                self._vecs = {}  # a damaged cache is rebuilt, never trusted

    def __len__(self) -> int:
        return len(self._vecs)

    def vectors(self, encoder: Encoder, texts: list[str]) -> np.ndarray:
        """One normalised row per text; only texts never seen before are encoded."""
        keys = [_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vecs}.items(), key=lambda kt: len(kt[1])
        )
        if missing:
            # Sorted by length so each batch pads to similar lengths.
            new = encoder.encode([t for _, t in missing])
            with self._lock:
                for (k, _), v in zip(missing, new, strict=True):
                    self._vecs[k] = np.asarray(v, dtype=np.float32)
                self._dirty = True
            self.save(force=False)
        if not keys:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.vstack([self._vecs[k] for k in keys])

    def retain(self, texts: list[str]) -> None:
        """Forget vectors of sentences no longer in the index (the cache would grow forever)."""
        keep = {_key(t) for t in texts}
        with self._lock:
            before = len(self._vecs)
            self._vecs = {k: v for k, v in self._vecs.items() if k in keep}
            self._dirty = self._dirty or len(self._vecs) != before

    def save(self, force: bool = True) -> None:
        """Write the cache atomically (a temp file renamed over the old one)."""
        if self.path is None or not self._dirty:
            return
        if not force and time.monotonic() - self._saved_at < self.SAVE_EVERY:
            return
        with self._lock:
            keys = np.array(list(self._vecs), dtype="U24")
            vecs = (
                np.vstack(list(self._vecs.values())).astype(np.float32)
                if self._vecs
                else np.zeros((0, DIMENSION), dtype=np.float32)
            )
            self._dirty = False
            self._saved_at = time.monotonic()
        tmp = ""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=keys, vectors=vecs)
            os.replace(tmp, self.path)
        except OSError:
            self._dirty = True  # a full or read-only disk only costs speed: vectors stay in memory
            if tmp:
                Path(tmp).unlink(missing_ok=True)
