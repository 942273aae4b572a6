"""`mnemo forget`: per-subject forget through the running service (`POST /v1/forget`).

Over HTTP, never on the data dir: an embedded (Qdrant Edge) data dir can be open in one process
only, the running service's; and the service also holds the Redis tasks and threads of the scope.
`mnemo forget --verify RECEIPT [--public-key KEY]` needs no service: it checks a kept receipt's
Ed25519 signature over every field (against the given key, as `GET /v1/forget/keys` published it)
and recomputes its digest; a receipt of an earlier release has no signature and is said to be
unsigned. `mnemo forget --erasure RECEIPT` asks the service whether the receipt's removed
text has left its files yet (`GET /v1/forget/{digest}`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mnemo_client import MnemoError

EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_PENDING = 0, 1, 2, 3


def verify_receipt(source: str, public_key: str | None = None) -> int:
    """0 when the receipt's signature checks out (against `public_key`, a file or the key itself,
    when given) and its digest is the sha256 of its own fields; 1 when not, or the file is no
    receipt. An unsigned receipt (an earlier release's) verifies by its digest alone, said so."""
    from ..memtypes.governance.forget import printed_receipt_digest
    from ..memtypes.governance.signing import RECEIPT_KIND, SignatureInvalid, read_public_key, verify

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        receipt = json.loads(text)
        expected = printed_receipt_digest(receipt)
        digest = receipt["digest"]
        trusted = None if public_key is None else read_public_key(_key_text(public_key))
    except SignatureInvalid as exc:
        print(f"mnemo forget --verify: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"mnemo forget --verify: not a readable receipt: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if digest != expected:
        print(f"receipt does NOT verify: digest {digest}, its fields give {expected}", file=sys.stderr)
        return EXIT_REFUSED
    removed = len(receipt["memory_ids"]) + len(receipt["task_ids"]) + len(receipt["thread_ids"])
    what = f"{removed} id(s) of tenant {receipt['tenant']} at {receipt['at']}, digest {digest}"
    if receipt.get("signature") is None:
        if trusted is not None:
            print("receipt does NOT verify: it is unsigned, and a public key was given", file=sys.stderr)
            return EXIT_REFUSED
        print(f"receipt verifies, UNSIGNED (digest only, an earlier release's receipt): {what}")
        return EXIT_OK
    try:
        key_id = verify(RECEIPT_KIND, receipt, trusted)
    except SignatureInvalid as exc:
        print(f"receipt does NOT verify: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if trusted is None:
        print(
            f"receipt verifies: {what}; signed by key {key_id}, the key it names (give --public-key, "
            "from GET /v1/forget/keys, to check that the key is the service's)"
        )
    else:
        print(f"receipt verifies: {what}; signed by the given key {key_id}")
    return EXIT_OK


def _key_text(given: str) -> str:
    """A public key given on the command line: a file holding it, or the key itself."""
    path = Path(given)
    if not given.startswith("-----BEGIN") and len(given) < 4096 and path.is_file():
        return path.read_text(encoding="utf-8")
    return given


def _digest_of(source: str) -> str:
    """A digest as given, or the one of a kept receipt (a file, or - for stdin)."""
    if len(source) == 64 and all(c in "0123456789abcdef" for c in source):
        return source
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return str(json.loads(text)["digest"])


def _not_answered(command: str, url: str, exc: MnemoError) -> int:
    """A call to the service that failed, said on stderr: its exit status, unreachable or refused."""
    from mnemo_client import MnemoConnectionError

    if isinstance(exc, MnemoConnectionError):
        print(f"{command}: cannot reach {url}: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    print(f"{command}: refused ({exc.status}): {exc.detail}", file=sys.stderr)
    return EXIT_REFUSED


def erasure_status(args: argparse.Namespace) -> int:
    """0 once the receipt's erasure is done, 3 while it is scheduled, 1 when unknown or refused."""
    from mnemo_client import Mnemo, MnemoError

    try:
        digest = _digest_of(args.erasure)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"mnemo forget --erasure: give a digest or a receipt: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        with Mnemo(args.url, args.api_key, timeout=args.timeout or 30.0, max_retries=0) as mnemo:
            status = mnemo.erasure(digest)
    except MnemoError as exc:
        return _not_answered("mnemo forget --erasure", args.url, exc)
    if args.json:
        print(status.model_dump_json())
    elif status.state == "erased":
        stores = ", ".join(f"{store} {outcome}" for store, outcome in status.erasure.items())
        print(f"erased from the data dir's files at {status.erased_at} ({stores})")
    else:
        print(f"erasure scheduled, by {status.erase_by} ({status.failures} failed run(s) so far)")
    return EXIT_OK if status.state == "erased" else EXIT_PENDING


def run_forget(args: argparse.Namespace) -> int:
    if args.verify is not None:
        return verify_receipt(args.verify, args.public_key)
    if args.erasure is not None:
        return erasure_status(args)
    from mnemo_client import Mnemo, MnemoError

    fields = ("user_id", "agent_id", "thread_id", "namespace")
    scope = {field: value for field in fields if (value := getattr(args, field))}
    body: dict[str, Any] = {"dry_run": args.dry_run}
    if args.wait:
        body["wait_for_erasure"] = True
    if scope:
        body["scope"] = scope
    if args.ids:
        body["ids"] = args.ids
    try:
        # Raw rather than the typed `forget`: --json prints the server's receipt as it came.
        # Waiting for the erasure takes a rebuild of each affected type (~1 min at 100k memories).
        timeout = args.timeout or (600.0 if args.wait else 30.0)
        with Mnemo(args.url, args.api_key, timeout=timeout, max_retries=0) as mnemo:
            receipt = mnemo.request("POST", "/v1/forget", json=body).raise_for_status().body
    except MnemoError as exc:
        return _not_answered("mnemo forget", args.url, exc)
    if args.json:
        print(json.dumps(receipt))
    else:
        counts = ", ".join(f"{k} {n}" for k, n in receipt["counts"].items() if n)
        verb = "would remove" if receipt["dry_run"] else "removed"
        detail = f" ({counts})" if counts else ""
        print(f"{verb} {receipt['removed']} item(s){detail} of tenant {receipt['tenant']}")
        print(f"receipt digest {receipt['digest']} at {receipt['at']} (keep it: --json prints the ids)")
        erasure = ", ".join(f"{store} {outcome}" for store, outcome in receipt.get("erasure", {}).items())
        if "scheduled" in receipt.get("erasure", {}).values():
            check = f"mnemo forget --erasure {receipt['digest']}"
            print(f"erasure from the data dir's files by {receipt['erase_by']} ({erasure}; check: {check})")
        elif receipt.get("erased") is not None:
            print(f"erased from the data dir's files: {'yes' if receipt['erased'] else 'no'} ({erasure})")
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    forget = sub.add_parser(
        "forget", help="remove every memory, task and thread of a scope (or memory ids), with a receipt"
    )
    forget.add_argument("--url", default=os.environ.get("MNEMO_URL", "http://127.0.0.1:8080"),
                        help="the running service (default MNEMO_URL or http://127.0.0.1:8080)")  # fmt: skip
    forget.add_argument("--api-key", default=os.environ.get("MNEMO_API_KEY"),
                        help="the tenant's API key (default MNEMO_API_KEY)")  # fmt: skip
    forget.add_argument("--user-id")
    forget.add_argument("--agent-id")
    forget.add_argument("--thread-id")
    forget.add_argument("--namespace")
    forget.add_argument(
        "--id", dest="ids", action="append", help="a memory id (repeatable), instead of a scope"
    )
    forget.add_argument("--dry-run", action="store_true", help="report what would be removed, remove nothing")
    forget.add_argument(
        "--wait", action="store_true",
        help="answer only once the removed text is erased from the service's files too (minutes at most)",
    )  # fmt: skip
    forget.add_argument("--timeout", type=float, help="seconds (default 30, or 600 with --wait)")
    forget.add_argument("--json", action="store_true", help="print the whole receipt as JSON")
    forget.add_argument(
        "--verify",
        metavar="RECEIPT",
        help="check a kept receipt (its --json output, a file or - for stdin): the service's signature "
        "over every field, and its digest; no service needed",
    )
    forget.add_argument(
        "--public-key",
        metavar="KEY",
        help="with --verify: the service's public key (base64 as GET /v1/forget/keys lists it, or PEM; "
        "the key or a file holding it); the receipt must be signed by it",
    )
    forget.add_argument(
        "--erasure",
        metavar="RECEIPT",
        help="ask the service whether a receipt's erasure is done (a digest, a receipt file or - for "
        "stdin): exit 0 once erased, 3 while scheduled",
    )
    forget.set_defaults(func=run_forget)
