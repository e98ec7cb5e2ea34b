"""Every Toit service in one process: `make run`.

Each service keeps its own SQLite file under .data/ and its own FastAPI app;
they share one in-process transport with the semantics of RabbitMQ. A router
serves /api/<service>/... exactly as the nginx gateway does in `make up`,
with the same security headers and request size limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import time
from datetime import date, datetime, timedelta
from typing import Any

import structlog
import uvicorn

from servicekit import registry
from servicekit.logging import configure_logging
from servicekit.messaging.memory import InMemoryTransport
from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings
from servicekit.tracing import configure_tracing

log = structlog.get_logger(__name__)

Scope = dict[str, Any]
ASGIApp = Any

MAX_BODY_BYTES = 12 * 1024 * 1024
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


# Login throttling per client address, as nginx does in `make up`
# (TOIT_GATEWAY_TOKEN_RATE such as "10r/m", TOIT_GATEWAY_TOKEN_BURST).
RATE_LIMITED_PATHS = ("/api/identite/token",)


class RateLimiter:
    """Token bucket per client address: `burst` requests at once, then `rate` per second."""

    MAX_CLIENTS = 10_000

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = burst + 1
        self._buckets: dict[str, tuple[float, float]] = {}

    @classmethod
    def from_env(cls) -> RateLimiter:
        spec = os.environ.get("TOIT_GATEWAY_TOKEN_RATE", "10r/m")
        match = re.fullmatch(r"(\d+(?:\.\d+)?)r/([sm])", spec.strip())
        if match is None:
            raise ValueError(f"TOIT_GATEWAY_TOKEN_RATE: {spec!r} (expected e.g. 10r/m)")
        per_second = float(match.group(1)) / (60 if match.group(2) == "m" else 1)
        return cls(per_second, int(os.environ.get("TOIT_GATEWAY_TOKEN_BURST", "5")))

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if len(self._buckets) >= self.MAX_CLIENTS:
            self._forget_full(now)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        return True

    def _forget_full(self, now: float) -> None:
        refill = self.capacity / self.rate
        self._buckets = {c: v for c, v in self._buckets.items() if now - v[1] < refill}


# The espace professionnel calls this router in process (no socket): requests from it
# carry this client name, and the browser's address in X-Forwarded-For, which is
# trusted from it only (the login throttle counts per browser, not per front end).
IN_PROCESS_CLIENT = "toit-espace-pro"
FRONTEND_PREFIX = "/pro"


def _is_frontend_path(path: str) -> bool:
    """The espace professionnel (every other page is the portail's site)."""
    return path == FRONTEND_PREFIX or path.startswith(FRONTEND_PREFIX + "/")


class EmbeddedRouter:
    def __init__(
        self,
        runtimes: list[ServiceRuntime],
        token_limiter: RateLimiter | None = None,
        frontend: ASGIApp | None = None,
    ) -> None:
        self.runtimes = runtimes
        self.frontend = frontend
        self.token_limiter = token_limiter or RateLimiter.from_env()
        self.apps: dict[str, ASGIApp] = {rt.name: rt.app(manage_lifespan=False) for rt in runtimes}
        self._daily: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if _content_length(scope) > MAX_BODY_BYTES:
            await _json(send, 413, {"detail": "Requête trop volumineuse"})
            return
        if self.frontend is not None and _is_frontend_path(scope["path"]):
            await self.frontend(scope, receive, send)  # it sets its own strict headers
            return
        if scope["path"].startswith(RATE_LIMITED_PATHS):
            client = (scope.get("client") or ("inconnu", 0))[0]
            if client == IN_PROCESS_CLIENT:
                client = _header(scope, b"x-forwarded-for") or client
            if not self.token_limiter.allow(client):
                await _json(
                    send,
                    429,
                    {"detail": "Trop de requêtes : réessayez plus tard"},
                    [(b"retry-after", b"60")],
                )
                return
        parts = scope["path"].split("/")
        target = parts[2] if len(parts) > 2 and parts[1] == "api" else "portail"
        app = self.apps.get(target)
        # Metrics are for the internal network, as behind nginx.
        if app is None or (target != "portail" and parts[3:] in (["metrics"], ["metrics", ""])):
            await _json(send, 404, {"detail": "Ressource introuvable"})
            return

        if parts[1] != "api":
            await app(scope, receive, send)  # the portail's site sets its own strict headers
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await app(scope, receive, send_with_headers)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    for runtime in self.runtimes:
                        await runtime.start(relay=False)
                    # Relays start once every service declared its queues: the demo
                    # events of a service reach the services started after it.
                    for runtime in self.runtimes:
                        runtime.relay.start()
                    self._daily = asyncio.create_task(self._daily_jobs())
                except Exception as exc:
                    log.exception("embedded.startup_failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._daily is not None:
                    self._daily.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._daily
                for runtime in reversed(self.runtimes):
                    await runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _daily_jobs(self) -> None:
        """Once at start-up, then every night at 02:00: each job is idempotent."""
        while True:
            for runtime in self.runtimes:
                try:
                    await runtime.run_daily_jobs(date.today())
                except Exception:
                    log.exception("embedded.daily_job_failed", service=runtime.name)
            now = datetime.now()
            next_run = (now + timedelta(days=1)).replace(hour=2, minute=0, second=0)
            await asyncio.sleep((next_run - now).total_seconds())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1").split(",")[0].strip())
    return None


def _content_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _json(
    send: Any,
    status: int,
    body: dict[str, Any],
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                *SECURITY_HEADERS,
                *(extra_headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def build(settings: Settings | None = None) -> EmbeddedRouter:
    settings = settings or Settings()
    transport = InMemoryTransport()
    runtimes = [
        ServiceRuntime(registry.load(name), settings, transport=transport)
        for name in registry.available()
    ]
    router = EmbeddedRouter(runtimes)
    router.frontend = espace_pro(router)
    # The portail's site calls the router's public API in process, like the espace pro.
    for runtime in runtimes:
        if runtime.definition.web is not None:
            router.apps[runtime.name] = runtime.app(
                manage_lifespan=False, web_transport=_in_process(router)
            )
    return router


def _in_process(router: ASGIApp) -> Any:
    import httpx

    return httpx.ASGITransport(app=router, client=(IN_PROCESS_CLIENT, 0))


def espace_pro(router: ASGIApp) -> ASGIApp:
    """The espace professionnel, calling the router's public API in process."""
    from toit_espace_pro.app import create_app
    from toit_ui import UISettings

    return create_app(
        UISettings(gateway_url="http://toit-embedded"),
        transport=_in_process(router),
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="toit-embedded", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_tracing(settings.tracing_exporter, "toit-embedded")
    # No proxy in front of `make run`: the client address is the peer's, whatever
    # X-Forwarded-For says (the login throttle counts per address).
    uvicorn.run(
        build(settings),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
