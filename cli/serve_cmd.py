"""`mnemo serve`: settings checked, the port bound and the data dir looked at before anything loads;
a start that fails ends as one line on stderr with its own exit code (cli/serve_start.py)."""

from __future__ import annotations

import argparse
import logging
import sys

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def run_serve(args: argparse.Namespace) -> int:
    from . import serve_start

    try:
        return _serve(args)
    except serve_start.StartFailed as failure:
        print(f"mnemo serve: {failure}", file=sys.stderr)
        return failure.code


def _serve(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ..api.config.bindings_config import BindingsConfigError, load_bindings
    from ..api.config.logs import configure_logging
    from ..api.config.settings import Settings
    from . import serve_replicas, serve_start

    overrides = {
        k: v for k, v in (("host", args.host), ("port", args.port), ("data_dir", args.data_dir)) if v
    }
    if args.config:
        overrides["config"] = args.config
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise serve_start.StartFailed(
            f"invalid settings ({problems}): fix the MNEMO_* variable or flag named",
            serve_start.EXIT_BAD_SETUP,
        ) from exc
    try:  # agent bindings: checked before anything starts (every worker's create_app reads it again)
        load_bindings(settings.config)
    except BindingsConfigError as exc:
        raise serve_start.StartFailed(str(exc), serve_start.EXIT_BAD_SETUP) from exc
    if problem := serve_replicas.replicas_problem(settings, args.workers):
        raise serve_start.StartFailed(problem, serve_start.EXIT_BAD_SETUP)
    configure_logging("DEBUG" if args.debug else settings.log_level, settings.log_format)
    log = logging.getLogger("mnemo")
    host = settings.host
    if settings.single_tenant and host not in LOOPBACK:
        log.warning("no MNEMO_API_KEYS: refusing to listen on %s, listening on 127.0.0.1 only", host)
        host = "127.0.0.1"
    serve_start.check_before_loading(settings)
    sock = serve_start.bind(host, settings.port)
    log.info("mnemo starting on http://%s:%d (data dir %s)", host, settings.port, settings.data_dir)
    failure = serve_start.LifespanFailure()
    if not args.debug:
        logging.getLogger("uvicorn.error").addFilter(failure)
    try:
        serve_replicas.run(settings, sock, args.workers, settings.log_level.lower())
    except SystemExit as exit_:  # uvicorn's own exit when the app's start-up failed
        if failure.traceback is not None:
            raise serve_start.as_start_failure(failure.traceback) from None
        if exit_.code not in (0, None):
            raise serve_start.StartFailed(
                "the service did not start (--debug shows why)", serve_start.EXIT_START_FAILED
            ) from None
    finally:
        sock.close()
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = sub.add_parser(
        "serve",
        help="run the HTTP service (settings from MNEMO_* variables)",
        description="Run the HTTP service. A start that fails prints one line and exits with 2 (settings), "
        "3 (the port is taken), 4 (the data dir is in use by another mnemo), 5 (too little free disk) "
        "or 1 (anything else).",
    )
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
        help="worker processes (N > 1 needs MNEMO_QDRANT__URL and MNEMO_REDIS__URL)",
    )
    serve.add_argument(
        "--debug", action="store_true", help="log at DEBUG and keep the traceback of a failed start"
    )
    serve.set_defaults(func=run_serve)
