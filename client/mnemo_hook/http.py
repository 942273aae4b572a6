"""The hooks' HTTP: one HTTP/1.1 request per call, on a plain socket.

A hook is a fresh process on every prompt, and `http.client` costs tens of milliseconds of imports
(its e-mail header parser, `ssl`) before the first byte is sent: more than the retrieval it waits for. For
`http://` (a loopback mnemo, the usual case) this sends the request itself and reads the answer to
the end (`Connection: close`), with one deadline over connect, send and receive. `https://` goes
through `http.client` (TLS is not something to hand-roll).
"""

from __future__ import annotations

import socket
import time


class BadAnswer(OSError):
    """The answer is not an HTTP/1.x response this client can read."""


def request(
    scheme: str, host: str, port: int | None, method: str, target: str,
    headers: dict[str, str], body: bytes | None, timeout_s: float,
) -> tuple[int, bytes]:  # fmt: skip
    """(status, body) of one request; OSError (TimeoutError, ConnectionRefusedError, …) if none came."""
    if scheme == "https":
        return _over_tls(host, port, method, target, headers, body, timeout_s)
    port = port or 80
    deadline = time.monotonic() + timeout_s
    host_header = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host_header}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body or b'')}")
    chunks = []
    # An ASCII host name as bytes: resolving a str runs it through the idna codec and its imports.
    address = (host.encode("ascii") if host.isascii() else host, port)
    with socket.create_connection(address, timeout=timeout_s) as sock:  # type: ignore[arg-type]
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        sock.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + (body or b""))
        while True:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return parse_response(b"".join(chunks))


def parse_response(raw: bytes) -> tuple[int, bytes]:
    head, separator, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if not separator or len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise BadAnswer(f"not an HTTP/1.x response: {status_line[:80]!r}")
    fields = {
        name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)
    }
    if fields.get("transfer-encoding", "").lower() == "chunked":
        payload = _unchunk(payload)
    elif "content-length" in fields:
        length = int(fields["content-length"])
        if len(payload) < length:
            raise BadAnswer(f"the answer ended after {len(payload)} of {length} bytes")
        payload = payload[:length]
    return int(parts[1]), payload


def _unchunk(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            raise BadAnswer("a chunked answer ended early")
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        start = end + 2
        if start + size > len(data):
            raise BadAnswer("a chunked answer ended early")
        out += data[start : start + size]
        pos = start + size + 2


def _over_tls(
    host: str, port: int | None, method: str, target: str, headers: dict[str, str], body: bytes | None,
    timeout_s: float,
) -> tuple[int, bytes]:  # fmt: skip
    import http.client

    connection = http.client.HTTPSConnection(host, port, timeout=timeout_s)
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    except http.client.HTTPException as exc:
        raise BadAnswer(str(exc)) from None
    finally:
        connection.close()
