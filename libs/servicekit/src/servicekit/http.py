"""FastAPI app factory: routes under /api/<service>, health, readiness,
metrics, request logging, tracing and French error answers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit import metrics
from servicekit.errors import (
    http_exception_handler,
    refus_metier_handler,
    request_validation_handler,
)
from servicekit.exceptions import Defaillance, RefusMetier
from servicekit.http_safety import ErrorBarrier, NoStore
from servicekit.input_guard import InputGuard
from servicekit.tracing import current_trace_id
from servicekit.uow import UnitOfWork

if TYPE_CHECKING:
    from servicekit.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


def runtime_of(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    """FastAPI dependency: a unit of work on the service's database."""
    async with runtime_of(request).unit_of_work() as uow:
        yield uow


def health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(prefix=runtime.definition.prefix, tags=["santé"])

    @router.get("/healthz", summary="Le processus répond")
    async def healthz() -> dict[str, str]:
        return {"statut": "ok", "service": runtime.name}

    @router.get("/readyz", summary="Base de données et bus disponibles")
    async def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            # A database that does not answer within a second is as good as down.
            async with asyncio.timeout(1.0):
                await runtime.db.ping()
            checks["base"] = "ok"
        except Exception:
            checks["base"] = "indisponible"
        checks["bus"] = "ok" if runtime.transport.is_connected else "indisponible"
        ready = runtime.started and all(v == "ok" for v in checks.values())
        return JSONResponse(
            status_code=200 if ready else 503,
            content={"statut": "prêt" if ready else "pas prêt", **checks},
        )

    @router.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_app(
    runtime: ServiceRuntime, *, manage_lifespan: bool = True, web_transport: Any = None
) -> FastAPI:
    definition = runtime.definition

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if manage_lifespan:
            await runtime.start()
        try:
            yield
        finally:
            if manage_lifespan:
                await runtime.stop()

    app = FastAPI(
        title=f"Toit — {definition.name}",
        description=definition.description,
        version="0.1.0",
        openapi_url=f"{definition.prefix}/openapi.json",
        docs_url=f"{definition.prefix}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(RefusMetier, refus_metier_handler)
    app.add_exception_handler(Defaillance, refus_metier_handler)
    app.include_router(health_router(runtime))
    for router in definition.routers:
        app.include_router(router)
    if definition.web is not None:
        app.mount("", definition.web(runtime, web_transport))
    app.add_middleware(InputGuard, limits=definition.body_limits)
    app.add_middleware(NoStore)
    app.add_middleware(ErrorBarrier)  # unhandled errors: 500/503 that keep the connection
    app.add_middleware(_RequestLog, service=definition.name)  # outside: logs the guard's 422
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    return app


class _RequestLog:
    """Request id, log line and latency metric of each HTTP request.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware (``app.middleware("http")``)
    runs the endpoint in a separate task and stream, about a millisecond per request."""

    _unlogged = ("/healthz", "/readyz", "/metrics")

    def __init__(self, app: ASGIApp, service: str) -> None:
        self._app = app
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id, trace_id=current_trace_id())
        started = time.perf_counter()
        status = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-Id", request_id)
            await send(message)

        try:
            await self._app(scope, receive, send_with_request_id)
        finally:
            elapsed = time.perf_counter() - started
            method, path = scope["method"], scope["path"]
            metrics.http_requests.labels(self._service, method, str(status)).observe(elapsed)
            # The path only: query strings may hold personal data.
            if not path.endswith(self._unlogged):
                log.info(
                    "http.request",
                    method=method,
                    path=path,
                    status=status,
                    duration_ms=round(elapsed * 1000, 1),
                )
            structlog.contextvars.unbind_contextvars("request_id", "trace_id")
