"""The hooks' side of mnemo's JSON API: one call per request under the hook's timeout, and the
hook's own log. Standard library only (see mnemo_hook/command.py: a hook runs on every prompt)."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from . import http as hook_http

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:@+-]")


class HookError(Exception):
    """Something the hook cannot do; it is logged, never raised to the agent."""


class Api:
    """mnemo's JSON API, each call one request under the hook's timeout (mnemo_hook/http.py)."""

    def __init__(self, url: str, api_key: str | None, timeout_s: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HookError(f"MNEMO_URL is not an http(s) URL: {url!r}")
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._base = parts.path.rstrip("/")
        self._timeout_s = timeout_s
        self._headers = {"Accept": "application/json", "User-Agent": "mnemo-hook"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = dict(self._headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            status, raw = hook_http.request(
                self._scheme,
                self._host,
                self._port,
                method,
                self._base + path,
                headers,
                payload,
                self._timeout_s,
            )
        except OSError as exc:
            raise HookError(f"mnemo did not answer {method} {path}: {exc!r}") from None
        if status >= 400:
            try:
                problem = json.loads(raw)
                reason = f"{problem.get('code')}: {problem.get('detail')}"
            except (ValueError, AttributeError):
                reason = raw[:200].decode("utf-8", "replace")
            raise HookError(f"mnemo refused {method} {path}: {status} {reason}")
        return json.loads(raw) if raw else None


def safe_id(raw: object, limit: int = 128) -> str | None:
    """A session id as a task id / scope component ([A-Za-z0-9._:@+-], alphanumeric first)."""
    text = _ID_UNSAFE.sub("-", str(raw or "")).lstrip("._:@+-")[:limit]
    return text or None


def log(message: str) -> None:
    line = f"mnemo hook: {message}"
    print(line, file=sys.stderr)
    if path := os.environ.get("MNEMO_HOOK_LOG"):
        try:
            with open(path, "a", encoding="utf-8") as out:
                out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")
        except OSError:
            pass
