"""One source for both clients: sync_client.py is what client/generate_sync_client.py makes of
async_client.py (`make lint` checks it too), so the two cannot drift apart."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from mnemo_client.async_client import AsyncMnemo, AsyncThreads, AsyncWorking
from mnemo_client.sync_client import Mnemo, Threads, Working
from tests.conftest import module_from_file

GENERATOR = Path(__file__).resolve().parents[2] / "client" / "generate_sync_client.py"


def _generator() -> ModuleType:
    return module_from_file(GENERATOR)


def test_the_sync_client_is_what_the_async_one_generates() -> None:
    generator = _generator()
    assert generator.TARGET.read_text(encoding="utf-8") == generator.generate()


def test_both_clients_offer_the_same_methods() -> None:
    def public(cls: type) -> set[str]:
        return {name for name in vars(cls) if not name.startswith("_")}

    for sync, asynchronous in ((Mnemo, AsyncMnemo), (Working, AsyncWorking), (Threads, AsyncThreads)):
        assert public(sync) - {"close"} == public(asynchronous) - {"aclose"}, sync.__name__
