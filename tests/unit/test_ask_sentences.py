"""The sentence-vector cache: encodes each sentence once, survives a restart, forgets old text."""

import numpy as np

from search_api.ask.sentences import SentenceVectors
from tests.conftest import FakeEncoder


class CountingEncoder(FakeEncoder):
    def __init__(self):
        self.seen = []

    def encode(self, texts, progress=False):
        self.seen += list(texts)
        return super().encode(texts, progress)


def test_vectors_are_encoded_once_and_kept_on_disk(tmp_path):
    path = tmp_path / "vectors.npz"
    enc = CountingEncoder()
    cache = SentenceVectors(path)
    first = cache.vectors(enc, ["a social impact bond", "an outcome payer"])
    again = cache.vectors(enc, ["an outcome payer", "a social impact bond", "a new sentence"])
    # Each text is encoded once, however often it is asked for.
    assert sorted(enc.seen) == ["a new sentence", "a social impact bond", "an outcome payer"]
    assert np.allclose(first[0], again[1]) and np.allclose(first[1], again[0])
    cache.save()
    enc2 = CountingEncoder()
    reloaded = SentenceVectors(path)
    assert np.allclose(reloaded.vectors(enc2, ["a new sentence"]), again[2:])
    assert enc2.seen == []


def test_retain_forgets_sentences_no_longer_indexed(tmp_path):
    cache = SentenceVectors(tmp_path / "v.npz")
    cache.vectors(FakeEncoder(), ["kept sentence", "old sentence"])
    cache.retain(["kept sentence"])
    cache.save()
    assert len(SentenceVectors(tmp_path / "v.npz")) == 1


def test_a_damaged_cache_file_is_rebuilt_not_trusted(tmp_path):
    path = tmp_path / "v.npz"
    path.write_bytes(b"not a numpy file")
    cache = SentenceVectors(path)
    assert len(cache) == 0
    assert cache.vectors(FakeEncoder(), ["fresh"]).shape == (1, 384)
