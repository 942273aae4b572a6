"""`mnemo bench` is the harness's distribution (mnemo-bench): a server installed without it says how
to get it instead of failing on an import."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from mnemo.cli.main import main


def test_bench_without_the_harness_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec

    def without_harness(name: str, package: str | None = None) -> Any:
        return None if name == "..benchmarks" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_harness)
    assert main(["bench", "quality", "--memories", "m.jsonl", "--queries", "q.jsonl"]) == 2
    assert "pip install 'mnemo-server[bench]'" in capsys.readouterr().err


def test_bench_with_the_harness_has_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    assert "quality" in capsys.readouterr().out
