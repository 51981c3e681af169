"""Honest declines for names the hub does not know: "the Swindon dementia SIB" when no page has one.

A question that names a project, fund or organisation ("<qualifier words> SIB", "... fund",
"... trust") is checked against the hub's sections: some section (with its page title) must hold every qualifier word
(a misspelling one or two letters off a word the hub uses counts as that word). If none does,
the bot says the hub has no record of it instead of answering with loosely related sentences.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from search_api.index.loaded import Loaded
from search_api.index.textproc import STOPWORDS, abbreviations, stem, words
from search_api.search.spelling import one_edit

# The nouns that make a phrase the name of a particular scheme.
_HEAD = re.compile(
    r"\b(social\s+impact\s+bonds?|social\s+benefit\s+bonds?|development\s+impact\s+bonds?|impact\s+bonds?"
    r"|outcomes?\s+bonds?|pay\s+for\s+success(\s+(pilot|project|programme|initiative))?|sibs?|dibs?|sbbs?|pfs"
    r"|projects?|programmes?|programs?|pilots?|schemes?|funds?|trusts?|partnerships?|initiatives?|bonds?"
    r"|contracts?|collective|partners|foundation|consortium|alliance|ventures|capital|investments|finance)\b",
    re.I,
)
# Words that describe any scheme rather than name one.
GENERIC = frozenset(
    """social impact bond bonds outcome outcomes sib sibs sop sops dib sbb pfs project projects programme program
    fund funds trust partnership partnerships pilot scheme initiative uk us new old first big small local national
    government council councils public private results result evaluation evaluations tell about info details
    show give explain describe overview summary page pages hub case study studies like did does do how what
    which who when where why any each many much there here called named example examples type types kind kinds
    help helped work worked working success successful whole entire main key other another same such one two
    please ok okay hi hello also just really actually want need know find look looking see definition hub's""".split()
)
_WORD_FORM = re.compile(r"^[a-z][a-z'-]{2,}$")
# Verbs a question puts before the scheme it asks about ("does Peterborough prove SIBs work?",
# "what do Americans call SIBs?"): the words before them are the subject, not part of a name.
VERBS = frozenset(
    """prove proves proved judge judged rename renamed outperform outperforms draft drafting transfer transferring
    teach teaches taught test tests tested call calls attract attracts monitor monitors monitoring show shows
    showed mean means compare compared explain explains use uses used design designing run runs launch launched
    replace replaces replaced evaluate evaluated measure measured price priced choose chose decide decided make
    makes made get gets structure structured procure procured support supports supported deliver delivers
    delivered achieve achieves achieved improve improves improved reduce reduces reduced change changes changed
    affect affects involve involves include includes cover covers beat beats differ differs become becomes
    pay pays paid invest invests invested""".split()
)
MAX_QUALIFIERS = 4
# Heads that end a proper name ("Leeds Outcomes Trust"): the head word must be on the page too.
_NAME_HEADS = frozenset(
    {"trust", "fund", "partnership", "foundation", "initiative", "collective", "consortium", "alliance"}
)
_NAME_HEAD_STEMS = frozenset(stem(h) for h in _NAME_HEADS)
_CAPS = re.compile(r"\b[A-Z][\w-]*")


def plain(text: str) -> str:
    """Accents dropped, so "Norrkoping" finds "Norrköping" and "egalite" finds "Égalité"."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def acronyms(title: str) -> set[str]:
    """Initials of every run of two or more capitalised words in a title ("West London Zone" -> wlz, wl, lz)."""
    caps = [w for w in re.split(r"[\s/-]+", plain(title)) if w[:1].isupper() or w.lower() in {"and", "of", "for"}]
    letters = [w[0].lower() for w in caps if w.lower() not in {"and", "of", "for"}]
    return {"".join(letters[i:j]) for i in range(len(letters)) for j in range(i + 2, len(letters) + 1)}


@dataclass(frozen=True)
class Unknown:
    """A named scheme the hub has no page for: the words as the reader wrote them."""

    phrase: str

    def message(self) -> str:
        """What the bot says instead of an answer."""
        return (
            f"The hub has no record of “{self.phrase}”. It may not exist, or no published source the hub uses "
            "covers it. The pages below are the closest to your question."
        )


# Lists of names (the organisations A-Z, the project finder) hold words of every project at once.
_LISTING_TYPES = frozenset({"tool"})


def _unit(chunk: dict) -> str:
    """Where a name's words must all be found: one section, with its page title.

    A page is too wide: an INDIGO page about a Canadian hypertension project holds "Toronto",
    "early" and "years" in different sections, yet names no "Toronto early years bond"."""
    return chunk["url"]


@dataclass(frozen=True)
class _Vocab:
    """The hub's words as the name checks read them, from one pass over the sections."""

    pages: dict[str, set[str]]  # each section's stems (see _unit), listings left out
    pairs: frozenset[tuple[str, str]]  # stems side by side anywhere, listings included (they hold every name)
    countries: frozenset[str]  # stems of the countries the sections are about


def _vocab(loaded: Loaded) -> _Vocab:
    """Stemmed words per page, side-by-side pairs and country words (built once per index)."""

    def build() -> _Vocab:
        sections: dict[str, set[str]] = {}
        pairs: set[tuple[str, str]] = set()
        countries: set[str] = set()
        for c in loaded.stored.chunks:
            meta = c.get("meta") or {}
            ws = [stem(w) for w in words(plain(f"{c['title']} {c['section']} {c['text']}"))]
            pairs.update(zip(ws, ws[1:], strict=False))
            countries.update(stem(w) for w in words(plain(str(meta.get("country") or ""))))
            if c.get("type") in _LISTING_TYPES:
                continue
            extra = " ".join(str(meta.get(k, "")) for k in ("country", "policy_area"))
            found = sections.setdefault(_unit(c), set())
            found.update(ws)
            found.update(stem(w) for w in words(plain(extra)))
            found.update(acronyms(c["title"]) | acronyms(c["section"]))
        return _Vocab(sections, frozenset(pairs), frozenset(countries))

    return loaded.derived("names_vocab", build)


def _page_words(loaded: Loaded) -> dict[str, set[str]]:
    """Each section's (see _unit) stemmed words and place metadata, listings left out."""
    return _vocab(loaded).pages


def _postings(loaded: Loaded) -> dict[str, set[str]]:
    """Stemmed word -> the sections that use it."""

    def build() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for page, ws in _page_words(loaded).items():
            for w in ws:
                out.setdefault(w, set()).add(page)
        return out

    return loaded.derived("names_postings", build)


def _known(word: str, postings: dict[str, set[str]]) -> list[str]:
    """The hub's spellings of a word: itself, or every word a typo is one letter from (empty if none).

    All of them, not the first: "homelessnes" is one letter from "homelessness" and from "homelesses"."""
    for form in (word, stem(word)):
        if form in postings:
            return [form]
    if len(word) < 6:
        # One letter off a five-letter word is another word too often ("wight" -> "eight").
        return []
    # The word itself is not among the edits; it was looked up above.
    forms = {f for c in one_edit(word, any_letter=True) for f in (c, stem(c)) if f in postings}
    if forms:
        return sorted(forms)
    if len(word) >= 8:
        # Long words may be two letters off ("peterbourgh"); short ones only one, or everything matches.
        pool = [w for w in postings if w[:2] == word[:2] and abs(len(w) - len(word)) <= 2]
        return difflib.get_close_matches(word, pool, n=1, cutoff=0.85)
    return []


def _where(forms: list[str], postings: dict[str, set[str]]) -> set[str]:
    """The sections that use any of a word's spellings."""
    return set().union(*(postings[f] for f in forms))


def _unnamed_head(phrase: str, postings: dict[str, set[str]], vocab: _Vocab) -> bool:
    """True when a proper name's last two words ("... Outcomes Trust") stand side by side nowhere in the hub.

    Every word of "Leeds Outcomes Trust" may be on some page about Leeds; the name itself is not."""
    ws = words(phrase)
    head = stem(ws[-1])
    if len(ws) < 2 or head not in _NAME_HEAD_STEMS:
        return False
    pairs = vocab.pairs
    last = ws[-2]
    if last in STOPWORDS or last in abbreviations() or len(last) <= 4:
        return False  # "the LCF fund", "GM homes" and other short forms are checked word by word only
    known = _known(last, postings)
    # A country written before the head ("... France fund") is where, not part of the name.
    if not known or set(known) & vocab.countries:
        return False
    if any((k, head) in pairs for k in known) or (stem(last), head) in pairs:
        return False
    # A known name with a head added by the reader ("Egalite des Chances Economiques fund"): its own
    # last two words stand side by side somewhere.
    before = _known(ws[-3], postings) if len(ws) >= 3 and ws[-3] not in STOPWORDS else []
    return not any((b, k) in pairs for b in before for k in known)


def qualifier_phrases(question: str) -> list[tuple[str, list[str]]]:
    """(the phrase as written, its qualifier words) for each "<words> <scheme noun>" in the question."""
    found = []
    question = plain(question)
    for m in _HEAD.finditer(question):
        before = words(question[: m.start()])
        quals: list[str] = []
        for w in reversed(before):
            if w in STOPWORDS or w in VERBS or not _WORD_FORM.match(w) or len(quals) == MAX_QUALIFIERS:
                break
            quals.insert(0, w)
        named = [w for w in quals if w not in GENERIC]
        if named:
            start = question.lower().rfind(quals[0], 0, m.start())
            head = m.group(0).lower()
            found.append((question[start : m.end()].strip(), named + ([head] if head in _NAME_HEADS else [])))
    return found


def _expand(named: Iterable[str], postings: dict[str, set[str]]) -> list[str]:
    """Abbreviations the pages never write stand for the glossary's words ("lcf" -> life, chances, fund)."""
    abbr = abbreviations()
    out: list[str] = []
    for w in named:
        if w in abbr and w not in postings:
            out.extend(w2 for w2 in words(abbr[w]) if w2 not in STOPWORDS)
        else:
            out.append(w)
    return out


@functools.cache
def ordinary_words() -> frozenset[str]:
    """Whole words of the embedding model's vocabulary: common English, so not a name when the hub lacks them.

    A word outside it ("eldercare", "kinderbond") that the hub never uses is most likely a name."""
    try:
        from search_api.index.embedder import resolve_model_path

        lines = (resolve_model_path() / "vocab.txt").read_text(encoding="utf-8").split()
    except (OSError, RuntimeError, ValueError):
        return frozenset()  # without the list, only first and capitalised words count as names
    return frozenset(w for w in lines if w.isalpha())


def unknown_name(loaded: Loaded, question: str) -> Unknown | None:
    """The first scheme the question names that no page of the hub holds all the words of, if any."""
    postings = _postings(loaded)
    capitalised = {w.lower() for w in _CAPS.findall(plain(question)[1:])}
    ordinary = ordinary_words()
    for phrase, named in qualifier_phrases(question):
        expanded = _expand(named, postings)
        spelt = [_known(w, postings) for w in expanded]
        # A word the hub never uses names something only where names go: first, with a capital,
        # or a word outside ordinary English.
        if any(
            not s and (i == 0 or w in capitalised or (ordinary and w not in ordinary))
            for i, (w, s) in enumerate(zip(expanded, spelt, strict=True))
        ):
            return Unknown(phrase)
        known = [_where(s, postings) for s in spelt if s]
        if known and not set.intersection(*known):
            return Unknown(phrase)
        if _unnamed_head(phrase, postings, _vocab(loaded)):
            return Unknown(phrase)
    return None
