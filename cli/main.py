"""`mnemo serve | ingest | export | import | forget | bench`: one entry point, subcommands imported only
when used."""

from __future__ import annotations

import argparse
import importlib.util
import sys

NO_BENCH = "the harness is not installed: pip install 'mnemo-server[bench]' (the mnemo-bench distribution)"


def _no_bench(args: argparse.Namespace) -> int:
    print(f"mnemo bench: {NO_BENCH}", file=sys.stderr)
    return 2


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(distribution: str) -> str:
        try:
            return version(distribution)
        except PackageNotFoundError:
            return "not installed"

    return f"mnemo {of('mnemo-server')} (mnemo-client {of('mnemo-client')})"


class _VersionAction(argparse.Action):
    """argparse's `version` action, with the versions looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(_version())
        parser.exit()


def _distill(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..backends.embedding.embedder import distill_static_model

    out = distill_static_model(Path(args.out), args.source, args.pca_dims)
    print(f"static model written to {out}")
    print(f"serve with: MNEMO_EMBEDDING__BACKEND=static MNEMO_EMBEDDING__MODEL={out} mnemo serve")
    print("(vectors have another dimension than MiniLM's: use a fresh data dir or collection prefix)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mnemo", description="Semantic memory for LLM agents.")
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the versions and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    # Here, not at the top: `mnemo hook` stays light.
    from . import backup_cmd, doctor_cmd, forget_cmd, ingest_cmd, mcp_cmd, serve_cmd, transfer_cmd

    serve_cmd.add_parser(sub)
    ingest_cmd.add_parser(sub)
    transfer_cmd.add_parsers(sub)  # export / import (migration to a Qdrant server)
    doctor_cmd.add_parser(sub)  # repair a stopped embedded store
    backup_cmd.add_parsers(sub)  # online backup of a running service, restore into a new data dir
    forget_cmd.add_parser(sub)  # per-subject forget through the running service
    distill = sub.add_parser("distill", help="distill a fast static embedding model from the packaged MiniLM")
    distill.add_argument("--out", required=True, help="directory to write the model to")
    distill.add_argument("--pca-dims", type=int, default=256, help="embedding dimension (default 256)")
    distill.add_argument("--source", default="all-MiniLM-L6-v2", help="local sentence-transformers model")
    distill.set_defaults(func=_distill)
    if importlib.util.find_spec("..benchmarks", __package__) is None:
        # The harness is a distribution of its own (mnemo-bench), not in the server's wheel.
        bench = sub.add_parser("bench", help=f"benchmarks: {NO_BENCH}")
        bench.add_argument("rest", nargs=argparse.REMAINDER)
        bench.set_defaults(func=_no_bench)
    else:
        from ..benchmarks.cli import add_bench_parser  # argparse only; the benchmarks load when run

        add_bench_parser(sub)
    mcp_cmd.add_parsers(sub)  # `mnemo mcp` and `mnemo hook`, named for --help: main hands them over
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["hook"]:  # on every prompt of an agent: skip building the whole parser
        from mnemo_hook.command import main as hook_main

        return hook_main(argv[1:])
    if argv[:1] == ["mcp"]:  # the client's own command and parser; mnemo_client loads only for it
        from mnemo_client.mcp.stdio import main as mcp_main

        return mcp_main(argv[1:])
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
