"""Two ASGI middlewares every service app gets (see `servicekit.http.create_app`).

`ErrorBarrier`: an exception nobody handled becomes a French JSON answer — 503 with
`Retry-After` when the database cannot be reached, 500 otherwise — and stops there.
Starlette's own ServerErrorMiddleware (where `add_exception_handler(Exception, ...)`
lands) sends the 500 and then re-raises, "so that servers can log it"; uvicorn, seeing
an exception after the response started, closes the connection. A gateway that keeps
connections alive (nginx `keepalive`) then sends the next, unrelated request on that
closed connection and answers 502. Here the exception is logged and swallowed once the
answer is complete, so the connection stays usable.

`NoStore`: `Cache-Control: no-store` on every /api answer that does not set its own
caching (the JWKS does), so that no browser or proxy keeps nominative data.
"""

from __future__ import annotations

import orjson
import structlog
from sqlalchemy import exc as sa_exc
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.logging import exception_chain

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = (
    "Service momentanément indisponible : la base de données ne répond pas, "
    f"réessayez dans {RETRY_AFTER_SECONDS} secondes"
)
INTERNAL_ERROR = "Erreur interne : l'équipe est prévenue"


def database_unavailable(exc: BaseException) -> bool:
    """Is this failure the database (or the way to it) being away, rather than a bug?"""
    import asyncpg

    for e in exception_chain(exc):
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, sa_exc.TimeoutError):  # connection pool exhausted
            return True
        if isinstance(
            e,
            ConnectionError  # refused, reset
            | TimeoutError
            | asyncpg.PostgresConnectionError  # SQLSTATE class 08
            | asyncpg.exceptions.OperatorInterventionError  # 57: shutdown, starting up
            | asyncpg.exceptions.ConnectionDoesNotExistError,
        ):
            return True
    return False


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ErrorBarrier:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self._app(scope, receive, tracking_send)
        except Exception as exc:
            if database_unavailable(exc):
                log.warning("http.database_unavailable", error=type(exc).__name__)
                if started:
                    raise
                await _answer(
                    send, 503, DATABASE_UNAVAILABLE, [(b"retry-after", b"%d" % RETRY_AFTER_SECONDS)]
                )
                return
            log.error("http.unexpected_error", error=type(exc).__name__, exc_info=exc)
            if started:
                # Half an answer went out: only closing the connection tells the client.
                raise
            await _answer(send, 500, INTERNAL_ERROR, [])


class NoStore:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self._app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self._app(scope, receive, send_no_store)
