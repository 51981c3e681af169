"""Readers' typos are mended against the hub's own words, and only typing slips are."""

from __future__ import annotations

import numpy as np

from search_api.index.loaded import Loaded
from search_api.index.store import StoredIndex
from search_api.search import spelling


def _loaded(text: str) -> Loaded:
    chunks = [{"url": "/a/", "page": "/a/", "title": "A", "section": "A", "text": text}]
    return Loaded(StoredIndex("v1", None, {}, chunks, None, np.zeros((1, 4), dtype=np.float32)), bm25=None)


HUB = _loaded("evidence evidence evidence social social social reason reason reason homelessness " * 3)


def test_slips_are_mended_to_the_hubs_most_used_word():
    assert spelling.correct(HUB, "is there any evidance socail bonds work") == "is there any evidence social bonds work"
    assert spelling.correct(HUB, "homelesness sib") == "homelessness sib"


def test_real_words_short_words_and_names_are_left_alone():
    # "season" is not a typing slip of "reason" (s and r are not neighbours on a keyboard).
    assert spelling.correct(HUB, "last season") == "last season"
    assert spelling.correct(HUB, "evidanc") == "evidanc"  # too far: two slips
    assert spelling.correct(HUB, "Socail") == "Socail"  # capitalised: may be a name the hub does not hold
    assert spelling.correct(HUB, "sociel") == "social"
    assert spelling.correct(HUB, "socal") == "socal"  # under 6 letters


def test_a_word_the_hub_rarely_uses_is_no_correction():
    rare = _loaded("evidence")
    assert spelling.correct(rare, "evidance") == "evidance"
