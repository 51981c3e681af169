"""Readability of every hub page: word count, average sentence length, Flesch reading ease.

Run: .venv/bin/python scripts/readability.py [--site SITE_DIR] [--docs DOCS_DIR]

Without --site it reads the Markdown under docs/. With --site it reads the pages export of
a built site (site/_hub/pages.jsonl), which also holds generated pages (glossary, projects).
Standard library only, so the content tests can import the sentence splitter from here.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One reading of Markdown syntax, shared with the chunker, so the two never disagree.
from search_api.index import markup  # noqa: E402
from search_api.index.markup import strip_front_matter  # noqa: E402

_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_DEFINITION = re.compile(r"^\s*:\s{1,3}")
# Abbreviation, link reference and attribute-list lines carry no prose.
_NON_PROSE_LINE = re.compile(r"^\s*(\*\[[^\]]+\]:|\[[^\]^][^\]]*\]:\s|\{:?[^}]*\}\s*$|<!--.*-->\s*$)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# HTML tables, code, scripts and select menus are not prose; blank them out whole, even across lines.
_HTML_NON_PROSE = re.compile(r"<(table|pre|code|script|style|svg|select|datalist)\b.*?</\1\s*>", re.S | re.I)
_BLOCKQUOTE = re.compile(r"^\s*(?:>\s?)+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>]+>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_ATTR_LIST = re.compile(r"\{:?\s*[#.][^}]*\}")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|~~|==)")
_CODE = re.compile(r"`+([^`]*)`+")
# Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    "e.g i.e etc.al al cf dr mr mrs ms prof st no nos vs approx fig para ref vol ch pp p inc ltd co jr sr".split()
)
_SENTENCE_END = re.compile(r"([.!?…]+)([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9£$€])")
_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")


def prose_blocks(markdown: str) -> list[str]:
    """Plain-text prose blocks (paragraphs, list items, admonition text) of a Markdown page.

    Skipped: front matter, fenced code (mermaid too), tables, headings, HTML tags, URLs,
    abbreviation and link definitions. Each list item is its own block, so an item
    without a full stop never runs into the next one.
    """
    blocks: list[list[str]] = []
    current: list[str] = []
    fence: str | None = None
    in_table = False

    def close() -> None:
        if current:
            blocks.append(current.copy())
            current.clear()

    text = _HTML_NON_PROSE.sub("\n\n", _HTML_COMMENT.sub("", strip_front_matter(markdown)))
    lines = [_BLOCKQUOTE.sub("", line) for line in text.splitlines()]
    for i, line in enumerate(lines):
        m = markup.FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            close()
            fence = m.group(1)
            continue
        stripped = line.strip()
        next_line = lines[i + 1] if i + 1 < len(lines) else ""
        # A table runs from its header row to the next blank line; rows need no leading pipe.
        in_table = bool(stripped) and (in_table or bool(markup.TABLE_RULE.match(line)))
        if (
            not stripped
            or in_table
            or stripped.startswith("#")
            or stripped.startswith("|")
            or markup.TABLE_RULE.match(line)
            or ("|" in stripped and markup.TABLE_RULE.match(next_line))
            or markup.ADMONITION.match(line)
            or _NON_PROSE_LINE.match(line)
        ):
            close()
            continue
        if _LIST_MARKER.match(line) or _DEFINITION.match(line):
            close()
            line = _DEFINITION.sub("", _LIST_MARKER.sub("", line, count=1), count=1)
        text = inline_text(line)
        if text:
            current.append(text)
        elif _TAG.search(line):
            close()  # a line of bare HTML separates blocks, as in Markdown
    close()
    return [" ".join(block) for block in blocks]


def inline_text(line: str) -> str:
    """One Markdown line as plain words: link text kept, URLs, tags and markup dropped."""
    text = _IMAGE.sub("", line)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _AUTOLINK.sub("", text)
    text = _URL.sub("", text)
    text = _TAG.sub(" ", text)
    text = _ATTR_LIST.sub("", text)
    text = _CODE.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = html.unescape(text).replace("\\", "")
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Split a prose block into sentences at . ! ? followed by a capital, digit or quote."""
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()].split()
        last = before[-1].lower().rstrip(".").lstrip("([\"'“‘") if before else ""
        # "e.g. The", "Dr. Smith", "J. Smith" and "U.S. Treasury" do not end a sentence.
        if m.group(1) == "." and (last in ABBREVIATIONS or re.fullmatch(r"[a-z](\.[a-z])*", last)):
            continue
        sentences.append(text[start : m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if word_count(s)]


def sentences(markdown: str) -> list[str]:
    """Every prose sentence of a Markdown page."""
    return [s for block in prose_blocks(markdown) for s in split_sentences(block)]


def words(text: str) -> list[str]:
    """Words: whitespace-separated tokens holding at least one letter or digit."""
    return _WORD.findall(text)


def word_count(text: str) -> int:
    """How many words a sentence has."""
    return len(words(text))


def syllables(word: str) -> int:
    """Syllables in a word by vowel groups, with the usual English corrections."""
    letters = re.sub(r"[^A-Za-z]", "", word)
    if not letters:
        return 1  # a number or symbol: count it as one beat
    if len(letters) >= 2 and letters.isupper():
        return sum(3 if c == "W" else 1 for c in letters)  # an initialism is spelt out: S-O-P
    w = letters.lower()
    if len(w) <= 3:
        return 1
    # A common heuristic: drop a silent ending ("-es", "-ed", "-e"), then count vowel groups.
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def flesch_reading_ease(word_total: int, sentence_total: int, syllable_total: int) -> float:
    """Flesch reading ease: 206.835 - 1.015 (words/sentence) - 84.6 (syllables/word)."""
    if not word_total or not sentence_total:
        return 0.0
    return 206.835 - 1.015 * (word_total / sentence_total) - 84.6 * (syllable_total / word_total)


@dataclass(frozen=True)
class Readability:
    """Readability figures of one page."""

    page: str
    words: int
    sentences: int
    average_sentence_length: float
    flesch: float


def measure(page: str, markdown: str) -> Readability:
    """Readability figures of one page's Markdown."""
    found = sentences(markdown)
    tokens = [w for s in found for w in words(s)]
    n_sentences = len(found)
    average = len(tokens) / n_sentences if n_sentences else 0.0
    score = flesch_reading_ease(len(tokens), n_sentences, sum(syllables(w) for w in tokens))
    return Readability(page, len(tokens), n_sentences, round(average, 1), round(score, 1))


def load_docs(docs_dir: Path) -> dict[str, str]:
    """Markdown of every page under docs_dir, by path relative to it."""
    return {p.relative_to(docs_dir).as_posix(): p.read_text(encoding="utf-8") for p in sorted(docs_dir.rglob("*.md"))}


def load_site(site_dir: Path) -> dict[str, str]:
    """Markdown of every page a built site exported (generated pages included)."""
    export = site_dir / "_hub" / "pages.jsonl"
    with open(export, encoding="utf-8") as fh:
        pages = [json.loads(line) for line in fh if line.strip()]
    return {p["src"]: p["markdown"] for p in sorted(pages, key=lambda p: p["src"])}


def medians(rows: list[Readability]) -> dict[str, float]:
    """Site-wide median of each figure."""
    return {
        "words": statistics.median(r.words for r in rows),
        "average_sentence_length": statistics.median(r.average_sentence_length for r in rows),
        "flesch": statistics.median(r.flesch for r in rows),
    }


def report(rows: list[Readability]) -> str:
    """A plain-text table of the figures, one page a line, then the medians."""
    width = max([len(r.page) for r in rows] + [4])
    out = [f"{'page':<{width}}  {'words':>6}  {'sentences':>9}  {'avg len':>7}  {'Flesch':>6}"]
    out += [
        f"{r.page:<{width}}  {r.words:>6}  {r.sentences:>9}  {r.average_sentence_length:>7.1f}  {r.flesch:>6.1f}"
        for r in rows
    ]
    m = medians(rows)
    out.append(
        f"Median over {len(rows)} pages: {m['words']:g} words, "
        f"average sentence length {m['average_sentence_length']:.1f} words, "
        f"Flesch reading ease {m['flesch']:.1f}"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the readability of every page and the site-wide medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="folder of Markdown pages (default: docs)")
    parser.add_argument("--site", type=Path, help="a built site: read its pages export instead of --docs")
    args = parser.parse_args(argv)
    try:
        pages = load_site(args.site) if args.site else load_docs(args.docs)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [measure(name, text) for name, text in pages.items()]
    rows = [r for r in rows if r.words]  # pages with no prose (a bare widget) have no readability
    if not rows:
        print("error: no pages with prose found", file=sys.stderr)
        return 2
    print(report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
