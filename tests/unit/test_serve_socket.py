"""The socket `mnemo serve` binds hands out connections with Nagle's algorithm off.

With it on, every request after a connection's first waits for the client's delayed ACK (uvicorn
writes a response's headers and body apart): a keep-alive client's every call slowed by tens of
milliseconds. asyncio turns it off only on connections of a socket that names TCP as its protocol.
"""

from __future__ import annotations

import asyncio
import socket

from mnemo.cli.serve_start import bind


class Accepted(asyncio.Protocol):
    def __init__(self, nodelay: asyncio.Future[int]) -> None:
        self.nodelay = nodelay

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        self.nodelay.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        transport.close()


async def test_connections_of_the_served_socket_send_without_waiting_for_acks() -> None:
    sock = bind("127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    nodelay: asyncio.Future[int] = loop.create_future()
    # As uvicorn serves a socket bound beforehand.
    server = await loop.create_server(lambda: Accepted(nodelay), sock=sock)
    try:
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(nodelay, 10) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
