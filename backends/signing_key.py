"""The service's signing key (memtypes/governance/signing.py): the operator's, or one created in the
data dir on first start and kept there.

The private key never leaves the machine: it is not in backups (whoever holds a backup could
otherwise sign receipts in the service's name). Only its owner may read it (mode 0600).
"""

from __future__ import annotations

import logging
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..memtypes.governance.signing import Signer
from .secret_files import write_secret

log = logging.getLogger("mnemo.signing")

KEY_FILE = "signing-key.pem"


def open_signer(data_dir: Path, key_file: Path | None = None) -> Signer:
    """The operator's key (`key_file`, PEM, unencrypted Ed25519), or the data dir's, made if missing."""
    path = key_file or data_dir / KEY_FILE
    if path.exists() or key_file is not None:
        signer = Signer(_load(path))
    else:
        signer = Signer(_create(path))
        log.info("created the signing key %s (key id %s) in the data dir", path.name, signer.key_id)
    return signer


def own_public_key(data_dir: Path, key_file: Path | None = None) -> Ed25519PublicKey | None:
    """The public half of the key a service on this data dir signs with, when it has one yet: what
    a restore trusts when given no key (a data dir whose stores were lost keeps its key)."""
    path = key_file or data_dir / KEY_FILE
    return _load(path).public_key() if path.exists() else None


def _create(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    if not write_secret(path, pem):
        return _load(path)  # another process made it first: its key wins
    return key


def _load(path: Path) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return loaded
