"""The fast embedding option: a static model distilled offline from the packaged MiniLM."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mnemo.backends.embedding.embedder import StaticEmbedder
from tests.e2e.conftest import AppFactory, write


@pytest.fixture(scope="session")
def static_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("static") / "model"
    result = subprocess.run(
        [sys.executable, "-m", "mnemo.cli.main", "distill", "--out", str(out), "--pca-dims", "128"],
        capture_output=True, text=True, timeout=900, env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "MNEMO_EMBEDDING__BACKEND=static" in result.stdout
    return out


@pytest.mark.slow
async def test_distilled_model_embeds_meaningfully(static_model: Path) -> None:
    embedder = StaticEmbedder(str(static_model))
    assert embedder.dimension == 128
    cat, kitten, tax = np.asarray(
        await embedder.embed(["a cat sleeping", "a small kitten napping", "tax form"])
    )
    assert np.linalg.norm(cat) == pytest.approx(1.0, abs=1e-3)
    assert cat @ kitten > cat @ tax


@pytest.mark.slow
async def test_the_service_runs_on_the_static_model(
    app_client: AppFactory, tmp_path: Path, static_model: Path
) -> None:
    settings: dict[str, Any] = {"embedding": {"backend": "static", "model": str(static_model)}}
    async with app_client(tmp_path / "static-data", **settings) as client:
        cat = "Alice keeps a grey cat called Pixel who sleeps on the piano."
        tax = "The quarterly tax forms must be filed with the accountant by April."
        await write(client, [{"type": "semantic", "content": cat}, {"type": "semantic", "content": tax}])
        found = (
            await client.post("/v1/retrieve", json={"query": "Alice's pet", "types": ["semantic"]})
        ).json()
        assert found["memories"][0]["content"].startswith("Alice keeps a grey cat")
