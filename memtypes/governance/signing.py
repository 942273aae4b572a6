"""Ed25519 signatures over the canonical form of a document (a forget receipt, a backup manifest):
proof that this service issued it, and that not one field was edited since.

A digest alone is a checksum anyone can recompute after editing a field; a signature can only be
made with the service's private key, and is checked with its public key (published at
`GET /v1/forget/keys`, named in each signature by its key id). The canonical form is the document's
JSON without its `signature`, keys sorted, no spaces, prefixed by the kind of document, so that a
receipt's signature cannot pass for a manifest's. No I/O here: the key's file is the caller's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "ed25519"
RECEIPT_KIND = "mnemo-forget-receipt/1"
MANIFEST_KIND = "mnemo-backup-manifest/1"
SIGNATURE_FIELD = "signature"


def canonical(kind: str, document: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: every field of `document` but its signature."""
    fields = {k: v for k, v in document.items() if k != SIGNATURE_FIELD}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{kind}\n{text}".encode()


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A short name of a public key: the first 16 hex digits of the sha256 of its raw bytes."""
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


def published(key: Ed25519PublicKey) -> dict[str, str]:
    """A public key as `GET /v1/forget/keys` lists it and a signature names it."""
    return {
        "algorithm": ALGORITHM,
        "key_id": key_id(key),
        "public_key": base64.b64encode(public_bytes(key)).decode(),
    }


class Signer:
    """Signs with the service's private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, kind: str, document: Mapping[str, Any]) -> dict[str, str]:
        """The `signature` field of `document`: the key that made it and the signature (base64)."""
        value = self._private.sign(canonical(kind, document))
        return {**published(self.public_key), "value": base64.b64encode(value).decode()}


class SignatureInvalid(ValueError):
    pass


def read_public_key(text: str) -> Ed25519PublicKey:
    """A public key as given to a verifier: PEM, or its 32 raw bytes in base64 (as published)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        loaded = serialization.load_pem_public_key(text.encode())
        if not isinstance(loaded, Ed25519PublicKey):
            raise SignatureInvalid("the public key is not an Ed25519 key")
        return loaded
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid("the public key is neither PEM nor 32 bytes of base64") from exc


def verify(kind: str, document: Mapping[str, Any], trusted: Ed25519PublicKey | None = None) -> str:
    """The key id that signed `document`, once its signature checks out against `trusted` (or, with
    none given, against the key the signature names: proof that nothing was edited since it was
    signed, though not by whom). Raises SignatureInvalid naming what is wrong."""
    signature = document.get(SIGNATURE_FIELD)
    if not isinstance(signature, Mapping):
        raise SignatureInvalid("unsigned")
    if signature.get("algorithm") != ALGORITHM:
        raise SignatureInvalid(f"signed with {signature.get('algorithm')!r}, not {ALGORITHM}")
    try:
        named = Ed25519PublicKey.from_public_bytes(base64.b64decode(str(signature["public_key"])))
        value = base64.b64decode(str(signature["value"]), validate=True)
    except (KeyError, binascii.Error, ValueError) as exc:
        raise SignatureInvalid("the signature field is malformed") from exc
    if key_id(named) != signature.get("key_id"):
        raise SignatureInvalid("the signature's key id is not its public key's")
    if trusted is not None and public_bytes(trusted) != public_bytes(named):
        raise SignatureInvalid(f"signed by key {key_id(named)}, not by the given key {key_id(trusted)}")
    try:
        (trusted or named).verify(value, canonical(kind, document))
    except InvalidSignature as exc:
        raise SignatureInvalid("the signature does not match the fields: something was edited") from exc
    return key_id(named)
