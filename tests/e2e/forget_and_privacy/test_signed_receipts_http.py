"""Forget receipts are signed by the service (Ed25519, over every field as printed): the key is made in
the data dir on first start (or is the operator's), published at `GET /v1/forget/keys` and named in
the receipt; `mnemo forget --verify --public-key` checks a kept receipt offline, and any edited field
fails; an earlier release's digest-only receipt still verifies, labelled unsigned."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mnemo.backends.signing_key import KEY_FILE
from mnemo.memtypes.governance.signing import published
from tests.e2e.forget_and_privacy.test_forget_http import A, seed
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.transfer.test_export_import import cli

pytestmark = pytest.mark.slow

# Each field of a receipt edited as someone would to make it say something else.
EDITS: dict[str, Any] = {
    "tenant": "beta",
    "at": "2020-01-01T00:00:00.000000Z",
    "dry_run": True,
    "scope": {"user_id": "someone-else"},
    "counts": {"episodic": 0},
    "removed": 0,
    "memory_ids": [],
    "derived_ids": ["0" * 32],
    "task_ids": [],
    "thread_ids": [],
    "digest": "0" * 64,
    "erased": True,
    "erasure": {"qdrant": "erased", "redis": "erased"},
    "erase_by": "2020-01-01T00:00:00.000000Z",
    "selected_by": {"query": "something else"},
}


async def verify(receipt: dict[str, Any], path: Path, *key: str) -> tuple[int, str, str]:
    await asyncio.to_thread(path.write_text, json.dumps(receipt))
    extra = ("--public-key", key[0]) if key else ()
    return await cli("forget", "--verify", str(path), *extra)


async def test_a_receipt_is_signed_and_any_edited_field_fails(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    server = live_app(api_keys="key-a:alpha")
    async with server as (url, _), httpx.AsyncClient(base_url=url, headers=A) as http:
        await seed(http, {}, "fay")
        keys = (await http.get("/v1/forget/keys")).json()["keys"]
        code, out, err = await cli(
            "forget", "--url", url, "--api-key", "key-a", "--user-id", "fay", "--json"
        )  # fmt: skip
        assert code == 0, err
        receipt = json.loads(out)
        dry = (await http.post("/v1/forget", json={"scope": {"user_id": "fay"}, "dry_run": True})).json()
    (key,) = keys
    assert receipt["signature"]["key_id"] == key["key_id"] == dry["signature"]["key_id"]
    assert receipt["signature"]["algorithm"] == "ed25519" and receipt["removed"] == 8
    public_key = key["public_key"]
    key_file = tmp_path / "service.pub"
    key_file.write_text(public_key)
    path = tmp_path / "receipt.json"

    code, out, err = await verify(receipt, path, public_key)
    assert code == 0 and "signed by the given key" in out, err
    code, out, err = await verify(receipt, path, str(key_file))  # the key in a file
    assert code == 0, err
    code, out, err = await verify(dry, path, public_key)  # a dry run's receipt is signed too
    assert code == 0, err
    code, out, err = await verify(receipt, path)  # no key given: checked against the key it names
    assert code == 0 and "give --public-key" in out, err

    assert set(EDITS) | {"signature"} == set(receipt)  # every field is tried
    for field, value in EDITS.items():
        edited = {**receipt, field: value}
        assert edited != receipt, field
        code, _, err = await verify(edited, path, public_key)
        assert code == 1 and "does NOT verify" in err, (field, err)
        code, _, err = await verify(edited, path)  # even against the key the receipt names
        assert code == 1, (field, err)

    # Re-signed by someone else's key: its own signature holds, but not against the service's key.
    forger = Ed25519PrivateKey.generate()
    forged = {**receipt, "erased": True}
    from mnemo.memtypes.governance.signing import RECEIPT_KIND, Signer

    forged["signature"] = Signer(forger).sign(RECEIPT_KIND, forged)
    code, _, _ = await verify(forged, path)
    assert code == 0  # self-consistent: that is all a receipt checked without a key can show
    code, _, err = await verify(forged, path, public_key)
    assert code == 1 and "not by the given key" in err, err
    tampered = copy.deepcopy(receipt)
    tampered["signature"]["key_id"] = published(forger.public_key())["key_id"]
    code, _, err = await verify(tampered, path)
    assert code == 1, err

    # An earlier release's receipt: digest only, said to be unsigned; no use against a key.
    unsigned = {k: v for k, v in receipt.items() if k != "signature"}
    code, out, err = await verify(unsigned, path)
    assert code == 0 and "UNSIGNED" in out, err
    code, _, err = await verify({**unsigned, "scope": {"user_id": "x"}}, path)
    assert code == 0  # the digest never covered the scope: why receipts are signed now
    code, _, err = await verify(unsigned, path, public_key)
    assert code == 1 and "unsigned" in err, err
    code, _, err = await verify(receipt, path, "not a key")
    assert code == 1 and "public key" in err, err


async def test_the_key_is_kept_in_the_data_dir_or_is_the_operators(live_app: LiveApp, tmp_path: Path) -> None:  # noqa: F811
    async with live_app() as (url, _), httpx.AsyncClient(base_url=url) as http:
        first = (await http.get("/v1/forget/keys")).json()["keys"]
    key_path = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    async with live_app() as (url, _), httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/v1/forget/keys")).json()["keys"] == first  # the same key after a restart

    operator = Ed25519PrivateKey.generate()
    operator_file = tmp_path / "operator.pem"
    operator_file.write_bytes(
        operator.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    async with live_app(signing_key_file=operator_file) as (url, _), httpx.AsyncClient(base_url=url) as http:
        keys = (await http.get("/v1/forget/keys")).json()["keys"]
        receipt = (await http.post("/v1/forget", json={"scope": {"user_id": "nobody"}})).json()
    assert keys == [published(operator.public_key())] != first
    code, _, err = await verify(receipt, tmp_path / "r.json", keys[0]["public_key"])
    assert code == 0, err
