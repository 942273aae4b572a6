"""The benchmarks' on-disk embedding cache, over the real packaged MiniLM (the embedder the settings
name, on torch): a rerun embeds nothing new and gets the same vectors; a changed model (other
weights) embeds everything again."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mnemo.benchmarks.embedding_cache import CachedEmbedder, model_identity
from mnemo.lab import Embedder, configured_embedder, resolve_model_path

TEXTS = [
    "Caroline went to the LGBTQ support group on 7 May.",
    "assistant: Here are seven work-from-home jobs for seniors: 1. tutoring ...",
    "user: my new internet plan is 500 Mbps",
    "Caroline went to the LGBTQ support group on 7 May.",  # a repeat within the batch: embedded once
]
MINILM = "all-MiniLM-L6-v2"


@pytest.fixture
def embedder(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Embedder]:
    """A maker of the embedder the settings name: the model `model` (a name or a directory), on `runtime`."""

    def make(model: str = MINILM, runtime: str = "torch") -> Embedder:
        monkeypatch.setenv("MNEMO_EMBEDDING__BACKEND", "sentence-transformers")
        monkeypatch.setenv("MNEMO_EMBEDDING__MODEL", model)
        monkeypatch.setenv("MNEMO_EMBEDDING__RUNTIME", runtime)
        return configured_embedder()

    return make


async def test_a_rerun_embeds_nothing_new_and_returns_the_same_vectors(
    tmp_path: Path, embedder: Callable[..., Embedder]
) -> None:
    first = CachedEmbedder(embedder(), tmp_path)
    vectors = await first.embed(TEXTS)
    assert first.embedded == 3  # the repeat is looked up, not embedded twice
    first.close()

    rerun = CachedEmbedder(embedder(), tmp_path)
    again = await rerun.embed(TEXTS)
    assert rerun.embedded == 0 and rerun.served == len(TEXTS)
    np.testing.assert_array_equal(np.asarray(vectors), np.asarray(again))
    # A new text among known ones: only it reaches the model.
    more = await rerun.embed([*TEXTS, "Melanie painted a sunrise in 2022."])
    assert rerun.embedded == 1 and len(more) == len(TEXTS) + 1
    # The cached vectors are the model's own (float32), not something else.
    direct = await embedder().embed(TEXTS[:1])
    np.testing.assert_allclose(np.asarray(direct[0]), np.asarray(again[0]), atol=1e-6)
    rerun.close()


async def test_a_changed_model_embeds_everything_again(
    tmp_path: Path, embedder: Callable[..., Embedder]
) -> None:
    cache = tmp_path / "cache"
    original = CachedEmbedder(embedder(), cache)
    before = await original.embed(TEXTS)
    original.close()

    # The same model copied elsewhere is the same model: identity is content, not place.
    copy = tmp_path / "model"
    shutil.copytree(resolve_model_path(MINILM), copy)
    same = CachedEmbedder(embedder(str(copy)), cache)
    await same.embed(TEXTS)
    assert same.embedded == 0
    same.close()

    # Other weights (one layer scaled): another identity, so every text is embedded again, and the
    # vectors it gets are that model's, not the cached ones.
    from safetensors.numpy import load_file, save_file

    altered = tmp_path / "altered-model"
    shutil.copytree(copy, altered)
    weights_file = altered / "model.safetensors"
    weights = load_file(str(weights_file))
    name = next(k for k in sorted(weights) if k.endswith("attention.output.dense.weight"))
    weights[name] = weights[name] * np.float32(0.5)
    save_file(weights, str(weights_file))
    changed_inner = embedder(str(altered))
    assert model_identity(changed_inner) != model_identity(embedder())
    changed = CachedEmbedder(changed_inner, cache)
    after = await changed.embed(TEXTS)
    assert changed.embedded == 3 and changed.served == 1
    assert not np.allclose(np.asarray(before), np.asarray(after), atol=1e-4)
    changed.close()


@pytest.mark.parametrize("runtime", ["torch"])
def test_identity_names_the_runtime(runtime: str, embedder: Callable[..., Embedder]) -> None:
    identity = model_identity(embedder(runtime=runtime))
    assert f"|{runtime}|384|" in identity
