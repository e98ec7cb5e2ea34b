"""`toit-service`: run, migrate and operate one service.

toit-service run demandes --port 8102 [--workers 2]
toit-service migrate demandes
toit-service jobs run-daily demandes --date 2026-11-28
toit-service list
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date
from typing import Any

from servicekit import registry
from servicekit.logging import configure_logging
from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings
from servicekit.tracing import configure_tracing


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="toit-service",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve HTTP, relay the outbox and consume events")
    run.add_argument("service")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--workers",
        type=int,
        default=Settings().workers,
        help="processes serving HTTP (default TOIT_WORKERS, else 1); each relays the outbox "
        "and consumes events too",
    )
    migrate = sub.add_parser("migrate", help="apply the service's database migrations")
    migrate.add_argument("service")
    jobs = sub.add_parser("jobs", help="scheduled jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    daily = jobs_sub.add_parser("run-daily", help="run the daily jobs for one date (idempotent)")
    daily.add_argument("service")
    daily.add_argument("--date", type=date.fromisoformat, default=date.today())
    sub.add_parser("list", help="installed services")
    args = parser.parse_args(argv)

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    if args.command == "list":
        print("\n".join(registry.available()))
    elif args.command == "run":
        import uvicorn

        options: dict[str, Any] = {
            "host": args.host,
            "port": args.port,
            "log_config": None,
            "access_log": False,
            # X-Forwarded-* trusted from FORWARDED_ALLOW_IPS only (uvicorn's default:
            # 127.0.0.1, the local gateway; docker-compose.yml: the gateway's address).
            "proxy_headers": True,
        }
        if args.workers > 1:
            # Migrations and demo data once, here; then each worker process starts its own
            # runtime (pool, relay, consumers) without them. The relays share the outbox
            # (FOR UPDATE SKIP LOCKED) and the consumers compete on the same queues.
            asyncio.run(_prepare(ServiceRuntime(registry.load(args.service), settings)))
            os.environ[_WORKER_SERVICE] = args.service
            uvicorn.run("servicekit.cli:worker_app", factory=True, workers=args.workers, **options)
            return
        configure_tracing(settings.tracing_exporter, f"toit-{args.service}")
        runtime = ServiceRuntime(registry.load(args.service), settings)
        uvicorn.run(runtime.app(), **options)
    elif args.command == "migrate":
        asyncio.run(_migrate(ServiceRuntime(registry.load(args.service), settings)))
    elif args.command == "jobs":
        asyncio.run(_daily(ServiceRuntime(registry.load(args.service), settings), args.date))


_WORKER_SERVICE = "TOIT_CLI_WORKER_SERVICE"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def _prepare(runtime: ServiceRuntime) -> None:
    await runtime.start(relay=False, consume=False)
    await runtime.stop()


def worker_app() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI app of one worker of `toit-service run --workers N` (uvicorn factory)."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)
    service = settings.cli_worker_service
    if not service:
        raise SystemExit(f"{_WORKER_SERVICE} is not set: start workers with `toit-service run`")
    configure_tracing(settings.tracing_exporter, f"toit-{service}")
    runtime = ServiceRuntime(registry.load(service), settings)
    app = runtime.app(manage_lifespan=False)

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await runtime.start(migrate=False, seed=False)
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await runtime.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    return asgi


async def _migrate(runtime: ServiceRuntime) -> None:
    await runtime.migrate()
    await runtime.db.dispose()


async def _daily(runtime: ServiceRuntime, day: date) -> None:
    # Jobs stage events in the outbox; the relay of the running service (or
    # this one, until the outbox is empty) publishes them.
    await runtime.start(consume=False, seed=False, relay=False)
    try:
        await runtime.run_daily_jobs(day)
        await runtime.relay.publish_pending()
    finally:
        await runtime.stop()
