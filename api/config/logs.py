"""Logging, configured in one place: JSON lines in production, readable text in development.

Every line logged while a request is served carries that request's id (and its tenant once known):
a contextvar holds the request's context and a Filter on the handler copies it onto each record, so
log calls anywhere (backends, the pipelines, uvicorn) need not pass it along.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["json", "text", "auto"]


@dataclass
class RequestContext:
    """What every log line of one request carries. Mutable: the tenant is known only after auth."""

    request_id: str
    tenant: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("mnemo_request", default=None)


def current_request() -> RequestContext | None:
    return _current.get()


def enter_request(context: RequestContext) -> object:
    """Make `context` the current request's; returns the token `leave_request` needs."""
    return _current.set(context)


def leave_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def bind_tenant(tenant: str) -> None:
    """Called once the API key is resolved: the request's later log lines name the tenant."""
    context = _current.get()
    if context is not None:
        context.tenant = tenant


# Attributes of every LogRecord: anything else on a record came from `extra=` and is worth printing.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "tenant",
    "taskName",
    "color_message",  # uvicorn's copy of the message with terminal colours
}


class RequestContextFilter(logging.Filter):
    """Puts the current request's id and tenant on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id if context else None
        if not hasattr(record, "tenant"):
            record.tenant = context.tenant if context else None
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRIBUTES and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, tenant, then any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "tenant"):
            if (value := getattr(record, key, None)) is not None:
                entry[key] = value
        entry.update(_extras(record))
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id]: message key=value…`, for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.context = f" [{request_id}]" if request_id else ""
        line = super().format(record)
        tenant = getattr(record, "tenant", None)
        message = record.getMessage()
        # Extras the message already shows (an access line's method, route, status) are not repeated.
        extras = {k: v for k, v in _extras(record).items() if k != "context" and str(v) not in message}
        if tenant:
            extras["tenant"] = tenant
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return line


def resolve_format(log_format: LogFormat, stream: TextIO) -> Literal["json", "text"]:
    """auto: text at a terminal (a developer), JSON otherwise (a container, a log shipper)."""
    if log_format != "auto":
        return log_format
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


_HANDLER_NAME = "mnemo"


def configure_logging(
    level: str, log_format: LogFormat = "auto", stream: TextIO | None = None
) -> logging.Handler:
    """Send every logger (mnemo's, uvicorn's, the libraries') through one handler on the root logger.

    Idempotent: a handler installed by an earlier call is replaced, not doubled.
    """
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestContextFilter())
    chosen = resolve_format(log_format, stream)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # library warnings become log lines in the same format
    # transformers (imported later, when the model loads) logs through a handler of its own and draws
    # progress bars on stderr: neither is JSON. Quiet both unless the operator asked otherwise.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # uvicorn run with log_config=None leaves its loggers without handlers: they propagate to root.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler
