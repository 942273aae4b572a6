"""The hooks' plain-socket HTTP reads what a server may send: lengths, chunks, and nothing else."""

from __future__ import annotations

import pytest

from mnemo_hook.http import BadAnswer, parse_response


def test_reads_a_content_length_answer() -> None:
    raw = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"a": true}'
    assert parse_response(raw) == (200, b'{"a": true}')


def test_reads_a_chunked_answer() -> None:
    head = b"HTTP/1.1 422 Unprocessable\r\nTransfer-Encoding: chunked\r\n\r\n"
    raw = head + b'4\r\n{"a"\r\n5;x=y\r\n: 1}\n\r\n0\r\n\r\n'
    assert parse_response(raw) == (422, b'{"a": 1}\n')


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{}",  # cut short
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",  # cut short
        b"HTTP/1.1 abc OK\r\n\r\n",
    ],
)
def test_refuses_what_is_not_a_whole_http_answer(raw: bytes) -> None:
    with pytest.raises(BadAnswer):
        parse_response(raw)
