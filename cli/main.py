"""`mnemo serve | ingest | export | import | forget | bench`: one entry point, subcommands imported only
when used."""

from __future__ import annotations

import argparse
import sys

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _serve(args: argparse.Namespace) -> int:
    import logging  # not at the top: `mnemo hook` runs on every prompt and needs none of it

    from ..api.config.bindings_config import BindingsConfigError, load_bindings
    from ..api.config.logs import configure_logging
    from ..api.config.settings import Settings
    from . import serve_replicas

    overrides = {
        k: v for k, v in (("host", args.host), ("port", args.port), ("data_dir", args.data_dir)) if v
    }
    if args.config:
        overrides["config"] = args.config
    settings = Settings(**overrides)
    try:  # agent bindings: checked before anything starts (every worker's create_app reads it again)
        load_bindings(settings.config)
    except BindingsConfigError as exc:
        print(exc, file=sys.stderr)  # what is wrong where, not a stack trace
        return 2
    # Refused in one line, before anything starts: replicas without shared engines, or a data dir's
    # filesystem too full even to open the stores (below the reserve alone it serves reads).
    problem = serve_replicas.replicas_problem(settings, args.workers)
    if problem := problem or serve_replicas.storage_problem(settings):
        print(f"mnemo serve: {problem}", file=sys.stderr)
        return serve_replicas.EXIT_BAD_SETUP
    configure_logging(settings.log_level, settings.log_format)
    log = logging.getLogger("mnemo")
    host = settings.host
    if settings.single_tenant and host not in LOOPBACK:
        log.warning("no MNEMO_API_KEYS: refusing to listen on %s, listening on 127.0.0.1 only", host)
        host = "127.0.0.1"
    log.info("mnemo listening on http://%s:%d (data dir %s)", host, settings.port, settings.data_dir)
    serve_replicas.run(settings, host, args.workers, settings.log_level.lower())
    return 0


def _distill(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..backends.embedding.embedder import distill_static_model

    out = distill_static_model(Path(args.out), args.source, args.pca_dims)
    print(f"static model written to {out}")
    print(f"serve with: MNEMO_EMBEDDING_BACKEND=static MNEMO_EMBEDDING_MODEL={out} mnemo serve")
    print("(vectors have another dimension than MiniLM's: use a fresh data dir or collection prefix)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mnemo", description="Semantic memory for LLM agents.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service (settings from MNEMO_* variables)")
    serve.add_argument("--host", help="bind address (default MNEMO_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default MNEMO_PORT or 8080)")
    serve.add_argument("--data-dir", help="data directory (default MNEMO_DATA_DIR or ./data)")
    serve.add_argument(
        "--config", help="memory resources and agents, YAML (default MNEMO_CONFIG; unset = none)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (N > 1 needs MNEMO_QDRANT_URL and MNEMO_REDIS_URL)",
    )
    serve.set_defaults(func=_serve)
    # Here, not at the top: `mnemo hook` stays light.
    from . import backup_cmd, doctor_cmd, forget_cmd, ingest_cmd, mcp_cmd, transfer_cmd

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
    from ..benchmarks.cli import add_bench_parser  # argparse only; the benchmarks load when run

    add_bench_parser(sub)
    mcp_cmd.add_parsers(sub)  # `mnemo mcp` and (for --help only) `mnemo hook`
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["hook"]:  # on every prompt of an agent: skip building the whole parser
        from mnemo_hook.command import main as hook_main

        return hook_main(argv[1:])
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
