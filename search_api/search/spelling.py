"""Readers' typos mended against the hub's own words: "evidance socail impact" -> "evidence social impact"."""

from __future__ import annotations

import re

from search_api.index.loaded import Loaded

_WORD = re.compile(r"[A-Za-z]+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 6  # one letter off a shorter word is too often another real word ("wight" -> "eight")
MIN_COUNT = 3  # a correction must be a word the hub uses at least this often


def vocabulary(loaded: Loaded) -> dict[str, int]:
    """How often each lower-case word occurs in the index's titles, headings and text."""

    def build() -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in loaded.stored.chunks:
            for w in _WORD.findall(f"{c['title']} {c['section']} {c['text']}".lower()):
                counts[w] = counts.get(w, 0) + 1
        return counts

    return loaded.derived("spelling_vocabulary", build)


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = set("aeiou")


def _near(a: str, b: str) -> bool:
    """Letters a typist swaps: two vowels ("evidance"), or keys side by side ("socisl")."""
    if a in _VOWELS and b in _VOWELS:
        return True
    for row in _ROWS:
        if a in row and b in row and abs(row.index(a) - row.index(b)) == 1:
            return True
    return False


def one_edit(word: str, any_letter: bool = False) -> set[str]:
    """The words one typing slip away: a letter dropped or added, neighbours swapped, or a
    letter replaced by a vowel for a vowel or a key beside it ("season" is not a slip of
    "reason"); any_letter allows every replacement."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0] and (any_letter or _near(c, b[0]))}
        | {a + c + b for a, b in splits for c in _LETTERS}
    )


def correct(loaded: Loaded, text: str) -> str:
    """The text with each unknown word of 6+ letters replaced by the hub's most used word one edit away."""
    vocab = vocabulary(loaded)

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if len(low) < MIN_LENGTH or low in vocab or not word.islower():
            return word  # short, known, or capitalised (a name the hub may simply not hold)
        best = max(one_edit(low), key=lambda w: vocab.get(w, 0))
        return best if vocab.get(best, 0) >= MIN_COUNT else word

    return _WORD.sub(fix, text)
