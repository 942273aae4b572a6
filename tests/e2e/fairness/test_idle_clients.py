"""Idle and slow clients against a real `mnemo serve` at a 1,024 descriptor limit, on loopback: 2,000
idle sockets do not take `/health` down, the process stays below its limit and its log stays short;
headers and bodies that do not arrive in time close their connection; an abandoned body is a 400,
not a 500."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.served_process import ServedMnemo

FD_LIMIT = 1024
IDLE_SOCKETS = 2000
TIMEOUT_S = 3  # the served process's header and body timeouts


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path, empty_data_dir: Path) -> Iterator[ServedMnemo]:
    """`mnemo serve` at the descriptor limit; parametrized indirectly, its connection cap."""
    mnemo = ServedMnemo.on_copy(
        empty_data_dir,
        tmp_path / "data",
        tmp_path / "serve.log",
        fd_limit=FD_LIMIT,
        MNEMO_HEADER_TIMEOUT_S=str(TIMEOUT_S),
        MNEMO_BODY_TIMEOUT_S=str(TIMEOUT_S),
        MNEMO_MAX_CONNECTIONS=str(getattr(request, "param", 0)),
    )
    with mnemo.running():
        yield mnemo


@pytest.fixture
def many_descriptors() -> Iterator[None]:
    """This test process holds the 2,000 client sockets: its own limit must allow them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = IDLE_SOCKETS + 1024
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the descriptor limit's hard bound ({hard}) is below {wanted}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def closed_by_server(sock: socket.socket, within_s: float) -> float | None:
    """Seconds until the server closed `sock` (EOF or reset), None if it did not within `within_s`."""
    started = time.monotonic()
    sock.settimeout(within_s)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return None
    except OSError:
        pass
    return time.monotonic() - started


def health_answers(url: str) -> bool:
    with httpx.Client(base_url=url, timeout=5) as http:  # a fresh connection each time
        try:
            return http.get("/health").status_code == 200
        except httpx.HTTPError:
            return False


def access_lines(log: Path, path: str) -> list[str]:
    lines = log.read_text().splitlines()
    return [line for line in lines if "mnemo.access" in line and f"path={path}" in line]


@pytest.mark.slow
@pytest.mark.usefixtures("many_descriptors")
def test_health_stays_up_under_2000_idle_sockets_at_a_1024_descriptor_limit(served: ServedMnemo) -> None:
    idle: list[socket.socket] = []
    started = time.monotonic()
    try:
        for _ in range(IDLE_SOCKETS):
            with contextlib.suppress(OSError):  # a connect the full accept queue makes wait too long
                idle.append(socket.create_connection(("127.0.0.1", served.port), timeout=5))
        opened_s = time.monotonic() - started
        assert len(idle) >= IDLE_SOCKETS * 0.9, len(idle)
        answered = [health_answers(served.url) for _ in range(20)]
        assert all(answered), answered
        descriptors = len(os.listdir(f"/proc/{served.pid}/fd"))
        assert descriptors < FD_LIMIT - 64, descriptors
    finally:
        for sock in idle:
            sock.close()
    assert served.process is not None and served.process.poll() is None
    assert health_answers(served.url)
    log = served.log.read_text()
    assert len(log) < 200_000 and log.count("Traceback") == 0, log[-3000:]
    assert log.count("could not be accepted") <= 1
    print(f"{len(idle)} idle sockets opened in {opened_s:.1f}s; server descriptors {descriptors}")


HEAD = b"POST /v1/memories HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


def cut_off_after_the_timeout(host: str, port: int, sent: bytes) -> None:
    """A connection that sends `sent` and no more is closed once the server's timeout has passed."""
    sock = socket.create_connection((host, port))
    sock.sendall(sent)
    took = closed_by_server(sock, TIMEOUT_S + 10)
    assert took is not None and took >= TIMEOUT_S - 1, took
    sock.close()


def abandons_a_body(host: str, port: int) -> None:
    """A client that sends part of its body and goes away."""
    abandoned = socket.create_connection((host, port))
    abandoned.sendall(HEAD + b"Content-Length: 1000\r\n\r\n" + b'{"memories": [{"type": "semantic"')
    time.sleep(0.2)
    abandoned.close()


def answers_both_bodies_as_client_errors(served: ServedMnemo) -> None:
    """The body cut off and the one abandoned are 400s, never a 500; and the service goes on."""
    deadline = time.monotonic() + 10
    while len(access_lines(served.log, "/v1/memories")) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = access_lines(served.log, "/v1/memories")
    assert len(lines) == 2 and all(" 400 " in line for line in lines), lines
    log = served.log.read_text()
    assert "Traceback" not in log and " 500 " not in log, log[-3000:]
    # A whole request on a fresh connection is answered.
    with served.client(30) as http:
        assert http.get("/v1/memories").status_code == 200


def refuses_one_more_when_every_connection_is_busy(host: str, port: int, connections: int) -> None:
    """Every connection busy (mid-body, nothing idle to let go): one more is refused at once."""
    busy = [socket.create_connection((host, port)) for _ in range(connections)]
    for sock in busy:
        sock.sendall(HEAD + b"Content-Length: 1000\r\n\r\n" + b"{")
    time.sleep(0.5)
    extra = socket.create_connection((host, port))
    extra.settimeout(5)
    answer = extra.recv(4096)
    assert answer.startswith(b"HTTP/1.1 503 ") and b"too_many_connections" in answer, answer
    assert b"retry-after: 1" in answer.lower()
    extra.close()
    for sock in busy:
        sock.close()


def counts_the_dropped_connections_and_incomplete_bodies(served: ServedMnemo) -> None:
    with served.client(30) as http:
        scraped = http.get("/metrics").text
    dropped = {
        reason: float(line.rsplit(" ", 1)[1])
        for line in scraped.splitlines()
        if line.startswith("mnemo_http_connections_dropped{")
        for reason in ("timed_out", "evicted", "refused")
        if f'reason="{reason}"' in line
    }
    assert dropped["timed_out"] >= 2 and dropped["refused"] == 1, dropped
    incomplete = [
        line for line in scraped.splitlines() if line.startswith("mnemo_http_incomplete_bodies_total")
    ]
    # The body cut off by its timeout and the abandoned one, at least.
    assert incomplete and float(incomplete[0].rsplit(" ", 1)[1]) >= 2, incomplete


@pytest.mark.slow
@pytest.mark.parametrize("served", [4], indirect=True, ids=["at-most-4-connections"])
def test_slow_headers_and_bodies_are_cut_off_and_an_abandoned_body_is_a_client_error(
    served: ServedMnemo,
) -> None:
    host, port = "127.0.0.1", served.port
    # Headers that never end: closed after the header timeout.
    cut_off_after_the_timeout(host, port, b"GET /v1/memories HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    # A body that stops half-way: closed after the body timeout, answered as the client's error.
    cut_off_after_the_timeout(host, port, HEAD + b"Content-Length: 1000\r\n\r\n" + b'{"memories": [')
    abandons_a_body(host, port)
    answers_both_bodies_as_client_errors(served)
    refuses_one_more_when_every_connection_is_busy(host, port, connections=4)
    counts_the_dropped_connections_and_incomplete_bodies(served)
