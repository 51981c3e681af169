"""The shared embedding cache: encodes each text once, survives a restart, forgets old text,
and is filled by the index build for the chatbot."""

import io

import numpy as np

from search_api.ask.sentences import sentence_texts
from search_api.index.progress import Progress
from search_api.index.vector_cache import VectorCache
from sitebuild import indexer
from tests.conftest import SAMPLE_PAGES, FakeEncoder, write_site


class CountingEncoder(FakeEncoder):
    def __init__(self):
        self.seen = []

    def encode(self, texts, progress=False):
        self.seen += list(texts)
        return super().encode(texts, progress)


def test_vectors_are_encoded_once_and_kept_on_disk(tmp_path):
    path = tmp_path / "vectors.npz"
    enc = CountingEncoder()
    cache = VectorCache(path)
    first = cache.vectors(enc, ["a social impact bond", "an outcome payer"])
    again = cache.vectors(enc, ["an outcome payer", "a social impact bond", "a new sentence"])
    # Each text is encoded once, however often it is asked for.
    assert sorted(enc.seen) == ["a new sentence", "a social impact bond", "an outcome payer"]
    assert np.allclose(first[0], again[1]) and np.allclose(first[1], again[0])
    cache.save()
    enc2 = CountingEncoder()
    reloaded = VectorCache(path)
    assert np.allclose(reloaded.vectors(enc2, ["a new sentence"]), again[2:])
    assert enc2.seen == []


def test_retain_forgets_sentences_no_longer_indexed(tmp_path):
    cache = VectorCache(tmp_path / "v.npz")
    cache.vectors(FakeEncoder(), ["kept sentence", "old sentence"])
    cache.retain(["kept sentence"])
    cache.save()
    assert len(VectorCache(tmp_path / "v.npz")) == 1


def test_a_damaged_cache_file_is_rebuilt_not_trusted(tmp_path):
    path = tmp_path / "v.npz"
    path.write_bytes(b"not a numpy file")
    cache = VectorCache(path)
    assert len(cache) == 0
    assert cache.vectors(FakeEncoder(), ["fresh"]).shape == (1, 384)


def test_missing_lists_each_new_text_once_shortest_first():
    cache = VectorCache()
    cache.put(["known"], FakeEncoder().encode(["known"]))
    assert cache.missing(["a longer text", "known", "short", "a longer text"]) == ["short", "a longer text"]


def _build(tmp_path, enc, cache, sentences=True):
    return indexer.build(tmp_path / "site", tmp_path / "index", lambda: enc, False, cache=cache, sentences=sentences)


def test_the_build_embeds_sections_questions_and_sentences_once_each(tmp_path):
    write_site(tmp_path / "site", SAMPLE_PAGES)
    enc = CountingEncoder()
    cache = VectorCache(tmp_path / "cache.npz")
    first = _build(tmp_path, enc, cache)
    assert len(enc.seen) == len(set(enc.seen)) == first.texts_embedded > first.chunks
    # The chatbot's sentences are in the cache the server reads: asking embeds nothing new.
    from search_api.index import store

    stored = store.load_index(tmp_path / "index", "sentence-transformers/all-MiniLM-L6-v2", 384)
    served = VectorCache(tmp_path / "cache.npz")
    later = CountingEncoder()
    served.vectors(later, sentence_texts(stored.chunks))
    assert later.seen == [] and len(sentence_texts(stored.chunks)) > 0
    # A rebuild of the same pages embeds nothing at all.
    again = _build(tmp_path, CountingEncoder(), VectorCache(tmp_path / "cache.npz"))
    assert again.texts_embedded == 0 and again.reused == again.chunks


def test_a_lost_cache_file_costs_only_the_sentences_not_the_sections(tmp_path):
    write_site(tmp_path / "site", SAMPLE_PAGES)
    _build(tmp_path, FakeEncoder(), VectorCache(tmp_path / "cache.npz"))
    (tmp_path / "cache.npz").unlink()
    enc = CountingEncoder()
    report = _build(tmp_path, enc, VectorCache(tmp_path / "cache.npz"))
    # Sections and questions come back from the previous index version; only sentences are new.
    assert report.embedded == 0
    stored_sentences = set(sentence_texts(indexer.chunks_from_pages(indexer.read_pages(tmp_path / "site"))))
    assert set(enc.seen) <= stored_sentences and enc.seen


def test_the_build_prunes_texts_no_page_holds_any_more(tmp_path):
    write_site(tmp_path / "site", SAMPLE_PAGES)
    cache = VectorCache(tmp_path / "cache.npz")
    cache.put(["a sentence from a deleted page"], FakeEncoder().encode(["x"]))
    _build(tmp_path, FakeEncoder(), cache)
    assert "a sentence from a deleted page" not in VectorCache(tmp_path / "cache.npz")


def test_progress_says_what_how_far_and_how_long_is_left():
    out = io.StringIO()
    bar = Progress("Embedding 10 new texts", 100, every=0, stream=out)
    bar.advance(25)
    bar.advance(75)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("  Embedding 10 new texts: 25%,") and "s left" in lines[0]
    assert lines[-1].startswith("  Embedding 10 new texts: 100%,") and "left" not in lines[-1]
