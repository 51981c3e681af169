"""Sentences of indexed sections: what the chatbot quotes (their vectors live in the shared cache)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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


# A project page's lists of organisations ("Organisations > Investors"): one name a line.
_NAME_LIST = "Organisations >"
MAX_LISTED = 8


def _name_list(chunk: dict[str, Any]) -> str | None:
    """A list of organisations as one quotable line ("Investors: A; B; C."), or None.
    Line by line, "Big Society Capital" says nothing of what it is and shorter names were dropped."""
    if chunk.get("type") != "project" or not chunk["section"].startswith(_NAME_LIST):
        return None
    names = [line for line in _lines(chunk["text"]) if not line.startswith(("INDIGO ", "Table:"))]
    if not names:
        return None
    shown = "; ".join(names[:MAX_LISTED]) + (f"; and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
    return f"{chunk['section'].split('>')[-1].strip()}: {shown}."


def section_sentences(chunk: dict[str, Any], chunk_pos: int) -> list[Sentence]:
    """Sentences of one section worth quoting (pointers such as 'See the ... page' are left out)."""
    out: list[Sentence] = []
    if chunk["url"].startswith(LISTING_PAGES) or (chunk["url"].startswith(AUTHORED) and "#" not in chunk["url"]):
        return out  # a list of names, or a common-questions page's own introduction
    listed = _name_list(chunk)
    if listed is not None:
        return [Sentence(listed, chunk, chunk_pos, 0, True)]
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


def sentence_texts(chunks: list[dict[str, Any]]) -> list[str]:
    """What the chatbot embeds for every section of an index, in order (the build warms these)."""
    positions = {c["url"]: i for i, c in enumerate(chunks)}
    return [embed_text(s) for c in chunks for s in section_sentences(c, positions[c["url"]])]
