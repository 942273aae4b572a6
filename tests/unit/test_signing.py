"""Ed25519 signatures over a document's canonical form (memtypes/governance/signing.py): the order of
keys does not matter, every field does, and a receipt's signature does not pass for a manifest's."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from mnemo.memtypes.governance.signing import (
    MANIFEST_KIND,
    RECEIPT_KIND,
    SignatureInvalid,
    Signer,
    key_id,
    published,
    read_public_key,
    verify,
)

SIGNER = Signer(Ed25519PrivateKey.generate())
DOCUMENT: dict[str, Any] = {
    "tenant": "alpha",
    "at": "2026-11-26T10:00:00.000000Z",
    "scope": {"user_id": "dana"},
    "counts": {"episodic": 2, "threads": 1},
    "memory_ids": ["b", "a"],
    "erased": None,
    "dry_run": False,
}


def signed(document: dict[str, Any], kind: str = RECEIPT_KIND) -> dict[str, Any]:
    return {**document, "signature": SIGNER.sign(kind, document)}


def test_a_signed_document_verifies_whatever_the_order_of_its_keys() -> None:
    document = signed(DOCUMENT)
    reordered = dict(reversed(list(document.items())))
    assert verify(RECEIPT_KIND, reordered) == SIGNER.key_id == key_id(SIGNER.public_key)
    assert verify(RECEIPT_KIND, reordered, SIGNER.public_key) == SIGNER.key_id


@given(st.sampled_from(sorted(DOCUMENT)), st.one_of(st.none(), st.booleans(), st.integers(), st.text()))
def test_any_edited_field_fails(field: str, value: Any) -> None:
    document = signed(DOCUMENT)
    edited = {**document, field: value}
    if edited[field] == document[field] and type(edited[field]) is type(document[field]):
        return  # not an edit
    with pytest.raises(SignatureInvalid):
        verify(RECEIPT_KIND, edited, SIGNER.public_key)


def test_a_field_added_or_removed_fails_and_a_kind_is_not_another() -> None:
    document = signed(DOCUMENT)
    with pytest.raises(SignatureInvalid):
        verify(RECEIPT_KIND, {**document, "note": "added"})
    with pytest.raises(SignatureInvalid):
        verify(RECEIPT_KIND, {k: v for k, v in document.items() if k != "erased"})
    with pytest.raises(SignatureInvalid, match="edited"):
        verify(MANIFEST_KIND, document)  # a receipt's signature is no manifest's


def test_another_key_a_forged_key_id_or_no_signature_fails() -> None:
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(SignatureInvalid, match="not by the given key"):
        verify(RECEIPT_KIND, signed(DOCUMENT), other)
    forged = copy.deepcopy(signed(DOCUMENT))
    forged["signature"]["key_id"] = key_id(other)
    with pytest.raises(SignatureInvalid, match="key id"):
        verify(RECEIPT_KIND, forged)
    with pytest.raises(SignatureInvalid, match="unsigned"):
        verify(RECEIPT_KIND, DOCUMENT)
    broken = copy.deepcopy(signed(DOCUMENT))
    broken["signature"]["value"] = "not base64!"
    with pytest.raises(SignatureInvalid, match="malformed"):
        verify(RECEIPT_KIND, broken)


def test_a_public_key_reads_as_published_or_as_pem() -> None:
    as_published = published(SIGNER.public_key)["public_key"]
    pem = SIGNER.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    for text in (as_published, pem, f"  {as_published}\n"):
        assert key_id(read_public_key(text)) == SIGNER.key_id
    for bad in ("", "not a key", "AAAA"):
        with pytest.raises(SignatureInvalid):
            read_public_key(bad)
