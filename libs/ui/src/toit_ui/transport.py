"""The HTTP transport of the pages' calls to the gateway: keep-alive connections reused
from a stack.

httpx's default pool (httpcore's `AsyncConnectionPool`) re-examines every pooled
connection when a request arrives and again when its response ends: a `poll()` of each
socket, and a count of the idle ones for each idle one. With the 20 to 50 connections a
busy espace professionnel keeps to the gateway, that was about a sixth of its CPU
(py-spy under bench-espace-pro). Here a request takes the most recently used idle
connection (checking that one only), and the connection goes back on the stack once the
response's body is read: the pages' answers are small JSON documents (a download of a
pièce is a few megabytes at most, read whole as before by `response.content`).

Each connection is httpcore's own `AsyncHTTPConnection` (HTTP/1.1, timeouts from the
request), and httpx maps its errors as for its own pool: only the pooling differs.
"""

from __future__ import annotations

import httpcore
import httpx

MAX_IDLE = 64
KEEPALIVE_EXPIRY = 5.0


class StackPool:
    """Idle connections, most recently used last; one event loop uses it (no lock)."""

    def __init__(self, *, max_idle: int = MAX_IDLE, keepalive_expiry: float = KEEPALIVE_EXPIRY):
        self.max_idle = max_idle
        self.keepalive_expiry = keepalive_expiry
        self.idle: list[httpcore.AsyncHTTPConnection] = []
        self.opened = 0  # connections opened since the start (tests, diagnostics)

    async def _connection(self, origin: httpcore.Origin) -> httpcore.AsyncHTTPConnection:
        while self.idle:
            connection = self.idle.pop()
            if (
                connection.can_handle_request(origin)
                and connection.is_idle()
                and not connection.has_expired()
            ):
                return connection
            await connection.aclose()
        self.opened += 1
        return httpcore.AsyncHTTPConnection(
            origin,
            ssl_context=httpx.create_ssl_context() if origin.scheme == b"https" else None,
            keepalive_expiry=self.keepalive_expiry,
        )

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        connection = await self._connection(request.url.origin)
        try:
            response = await connection.handle_async_request(request)
            try:
                body = await response.aread()
            finally:
                await response.aclose()
        except BaseException:
            await connection.aclose()
            raise
        if connection.is_idle() and len(self.idle) < self.max_idle:
            self.idle.append(connection)
        else:
            await connection.aclose()
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=body,
            extensions={
                key: response.extensions[key]
                for key in ("http_version", "reason_phrase")
                if key in response.extensions
            },
        )

    async def __aenter__(self) -> StackPool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        idle, self.idle = self.idle, []
        for connection in idle:
            await connection.aclose()


class GatewayTransport(httpx.AsyncHTTPTransport):
    """httpx's transport (request conversion, error mapping) over a `StackPool`."""

    def __init__(self, **pool: float | int) -> None:
        super().__init__()
        self._pool = StackPool(**pool)  # type: ignore[assignment,arg-type]
