"""Property tests for the text code search depends on: the query normaliser, tokens, snippets, the chunker."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown import Markdown

from search_api.index.chunker import chunk_page, content_hash
from search_api.index.textproc import _ABBR_TOKEN, STOPWORDS, abbreviations, normalise_query, stem, tokens, words
from search_api.search.retrieval import snippet

GLOSSARY = abbreviations()
PROPS = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
SLUG = re.compile(r"^[a-z0-9_-]+$")

# Queries: arbitrary unicode, or words mixed with the glossary's abbreviations in any case.
ABBRS = sorted(GLOSSARY) + [a.upper() for a in GLOSSARY] + [a.upper() + "s" for a in GLOSSARY]
query_words = st.one_of(st.sampled_from(ABBRS), st.from_regex(r"[A-Za-z£0-9'’-]{1,12}", fullmatch=True))
queries = st.one_of(
    st.text(max_size=200),
    st.lists(query_words, max_size=12).map(" ".join),
    st.lists(st.one_of(query_words, st.sampled_from([" ", "  ", "\t", "\n", "\u00a0"])), max_size=20).map("".join),
)


@PROPS
@given(queries)
def test_normalise_query_never_raises_and_collapses_whitespace(query):
    out = normalise_query(query)
    assert isinstance(out, str)
    assert out == out.strip() and "  " not in out and "\n" not in out and "\t" not in out


@PROPS
@given(queries)
def test_normalise_query_is_idempotent(query):
    # The chatbot normalises a question and search normalises it again: that must change nothing.
    once = normalise_query(query)
    assert normalise_query(once) == once


@PROPS
@given(queries)
def test_normalise_query_keeps_every_word_in_order_and_only_adds_glossary_terms(query):
    collapsed = " ".join(query.split())
    out = normalise_query(query)
    # Remove the "(term)" additions: what is left is the query as typed.
    stripped = out
    for term in sorted(set(GLOSSARY.values()), key=len, reverse=True):
        stripped = stripped.replace(f" ({term})", "")
    assert stripped == collapsed
    added = len(_ABBR_TOKEN.findall(collapsed)) + sum(" " in a for a in GLOSSARY)
    longest = max((len(t) for t in GLOSSARY.values()), default=0)
    assert len(out) <= len(collapsed) + added * (longest + 3)


@PROPS
@given(
    st.text(alphabet=st.characters(max_codepoint=0x7F, exclude_characters="ABCDEFGHIJKLMNOPQRSTUVWXYZ"), max_size=80)
)
def test_lower_case_text_is_only_trimmed_unless_it_names_a_multi_word_abbreviation(query):
    assume(not any(" " in a and a in query.lower() for a in GLOSSARY))
    assert normalise_query(query) == " ".join(query.split())


@PROPS
@given(st.text(max_size=300))
def test_tokens_are_lower_case_words(text):
    for word in words(text):
        assert word and word == word.lower() and not any(c.isspace() for c in word)
    toks = tokens(text)
    assert len(toks) <= len(words(text))
    assert all(tok and tok == tok.lower() and not any(c.isspace() for c in tok) for tok in toks)


@PROPS
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=200))
def test_tokens_ignore_case(text):
    assert tokens(text.swapcase()) == tokens(text)


@PROPS
@given(st.lists(st.sampled_from(sorted(STOPWORDS)), max_size=20), st.sampled_from([" ", ", ", ". ", "\n"]))
def test_stop_words_alone_give_no_tokens(stop_words, sep):
    assert tokens(sep.join(stop_words)) == []


section_text = st.lists(
    st.one_of(st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True), st.sampled_from([".", ",", "£5m", "bonds", "Outcome"])),
    min_size=1,
    max_size=120,
).map(lambda ws: " ".join(ws).replace(" .", ". ").replace(" ,", ","))


@PROPS
@given(section_text, queries, st.integers(20, 400))
def test_snippet_offsets_point_at_query_words_inside_the_snippet(text, query, size):
    shown, highlights = snippet(text, query, size)
    flat = " ".join(text.split())
    if len(flat) <= size:
        assert shown == flat
    else:
        # A window of at most size characters, with "… " and " …" where text was cut.
        assert len(shown) <= size + 4 and shown.strip("… ") in flat
    wanted = set(tokens(query))
    last = -1
    for start, end in highlights:
        assert 0 <= start < end <= len(shown) and start >= last
        last = end
        assert stem(shown[start:end].lower()) in wanted


# Markdown pages made of sections: a heading (level 2-4) and paragraphs of plain words.
words_st = st.lists(st.from_regex(r"[A-Za-z][a-z0-9]{0,9}", fullmatch=True), min_size=1, max_size=8).map(" ".join)
heading_st = st.one_of(
    words_st,
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30),
)
sections_st = st.lists(
    st.tuples(st.integers(2, 4), heading_st, st.lists(words_st, min_size=0, max_size=3)), min_size=0, max_size=8
)


def _page(intro: list[str], sections: list[tuple[int, str, list[str]]]) -> str:
    parts = ["# Page title", *intro]
    for level, heading, paras in sections:
        parts.append("#" * level + " " + heading)
        parts.extend(paras)
    return "\n\n".join(parts) + "\n"


@PROPS
@given(st.lists(words_st, max_size=3), sections_st)
def test_chunks_cover_the_text_with_valid_unique_anchors(intro, sections):
    assume(all(h.strip().strip("#").strip() for _, h, _ in sections))
    md = _page(intro, sections)
    chunks = chunk_page(md, "/guidance/page/", "Page title", {"type": "guidance"})
    anchors = [c.url.split("#", 1)[1] for c in chunks if "#" in c.url]
    assert len(anchors) == len(set(anchors))
    for chunk in chunks:
        assert chunk.page == "/guidance/page/" and chunk.url.startswith("/guidance/page/")
        assert chunk.text.strip() and chunk.hash == content_hash(chunk.title, chunk.section, chunk.text)
        if "#" in chunk.url:
            assert SLUG.match(chunk.url.split("#", 1)[1]), chunk.url
    # Every paragraph word reaches exactly one chunk, in order (h4+ headings become text too).
    expected = [w for p in intro for w in p.split()]
    for level, heading, paras in sections:
        if level == 4:
            expected += heading.split()
        expected += [w for p in paras for w in p.split()]
    got = [w for c in chunks for w in c.text.split()]
    if all(level < 4 or re.fullmatch(r"[A-Za-z0-9 ]+", h) for level, h, _ in sections):
        assert got == expected


@PROPS
@given(sections_st)
def test_anchors_are_the_ids_the_site_gives_its_headings(sections):
    # The site renders pages with Python-Markdown's toc: a search result's #anchor must exist there.
    sections = [(min(level, 3), h, paras or ["text"]) for level, h, paras in sections]
    assume(all(h.strip().strip("#").strip() for _, h, _ in sections))
    md = _page([], sections)
    html = Markdown(extensions=["toc", "attr_list"]).convert(md)
    site_ids = re.findall(r'<h[23] id="([^"]+)"', html)
    chunk_ids = [c.url.split("#", 1)[1] for c in chunk_page(md, "/p/", "Page title") if "#" in c.url]
    assert chunk_ids == site_ids


@PROPS
@given(st.text(max_size=2000))
def test_the_chunker_never_raises_and_is_deterministic(md):
    first = [c.to_dict() for c in chunk_page(md, "/p/", "T")]
    assert first == [c.to_dict() for c in chunk_page(md, "/p/", "T")]
    assert len({c["id"] for c in first}) == len(first)
