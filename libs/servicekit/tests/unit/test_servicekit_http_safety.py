"""servicekit.http_safety: unhandled errors answered (and swallowed), no-store on /api,
and tracebacks logged without the exceptions' messages."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from servicekit.http_safety import database_unavailable
from servicekit.logging import traceback_without_messages
from servicekit.runtime import ServiceDefinition, ServiceRuntime
from servicekit.settings import Settings


def _app(tmp_path: Path) -> tuple[ServiceRuntime, object]:
    router = APIRouter(prefix="/api/essai")

    @router.get("/bug")
    async def bug() -> None:
        raise RuntimeError("anne.durand@example.org")

    @router.get("/base-absente")
    async def base_absente() -> None:
        try:
            raise ConnectionRefusedError(111, "Connect call failed")
        except ConnectionRefusedError as exc:
            raise sa_exc.OperationalError("SELECT 1", {}, exc) from exc

    @router.get("/donnees")
    async def donnees() -> dict[str, str]:
        return {"nom": "Durand"}

    @router.get("/cle-publique")
    async def cle() -> JSONResponse:
        return JSONResponse({}, headers={"Cache-Control": "max-age=60"})

    runtime = ServiceRuntime(
        ServiceDefinition(name="essai", migrations=tmp_path, routers=[router]),
        Settings(data_dir=tmp_path),
    )
    return runtime, runtime.app(manage_lifespan=False)


async def test_unhandled_errors_are_answered_in_french_and_not_raised(tmp_path: Path) -> None:
    runtime, app = _app(tmp_path)
    # raise_app_exceptions (the default) would raise here if the app re-raised.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as http:
        bug = await http.get("/api/essai/bug")
        down = await http.get("/api/essai/base-absente")
        donnees = await http.get("/api/essai/donnees")
        cle = await http.get("/api/essai/cle-publique")
        absent = await http.get("/api/essai/inconnu")
    await runtime.db.dispose()
    assert bug.status_code == 500
    assert bug.json() == {"detail": "Erreur interne : l'équipe est prévenue"}
    assert down.status_code == 503
    assert down.headers["retry-after"] == "5"
    assert "base de données" in down.json()["detail"]
    for response in (bug, down, donnees, absent):
        assert response.headers["cache-control"] == "no-store", response.url
    assert cle.headers["cache-control"] == "max-age=60"


def test_database_unavailable_tells_outages_from_bugs() -> None:
    refused = ConnectionRefusedError(111, "refused")
    wrapped = sa_exc.OperationalError("SELECT 1", {}, refused)
    assert database_unavailable(wrapped)
    assert not database_unavailable(sa_exc.IntegrityError("INSERT", {}, ValueError("dup")))
    assert not database_unavailable(RuntimeError("bug"))


def test_tracebacks_are_logged_without_messages() -> None:
    try:
        try:
            raise ValueError("@".join(("anne.durand", "example.org")))
        except ValueError as exc:
            raise RuntimeError(" ".join(("Durand", "Anne"))) from exc
    except RuntimeError as exc:
        text = traceback_without_messages(exc)
    assert "builtins.ValueError" in text
    assert "builtins.RuntimeError" in text
    assert "test_tracebacks_are_logged_without_messages" in text
    assert "anne.durand@example.org" not in text
    assert "Durand Anne" not in text
