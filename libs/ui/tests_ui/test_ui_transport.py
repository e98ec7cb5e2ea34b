"""The pages' transport to the gateway (toit_ui.transport) against a real uvicorn server:
connections are reused, answers arrive whole, a connection the server closes is not."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from toit_ui.testing import serve_in_thread
from toit_ui.transport import GatewayTransport, StackPool

GROS = b"x" * (3 * 1024 * 1024)


async def echo(request: Request) -> Response:
    await asyncio.sleep(0.01)
    return JSONResponse({"chemin": request.url.path, "q": request.query_params.get("q")})


async def gros(request: Request) -> Response:
    return Response(GROS, media_type="application/octet-stream")


async def ferme(request: Request) -> Response:
    return JSONResponse({"ok": True}, headers={"Connection": "close"})


async def corps(request: Request) -> Response:
    return JSONResponse({"recu": len(await request.body())})


APP = Starlette(
    routes=[
        Route("/echo", echo),
        Route("/gros", gros),
        Route("/ferme", ferme),
        Route("/corps", corps, methods=["POST"]),
    ]
)


async def test_ui_transport_reuses_connections_and_reads_whole_answers() -> None:
    with serve_in_thread(APP) as base:
        transport = GatewayTransport()
        pool = transport._pool
        assert isinstance(pool, StackPool)
        async with httpx.AsyncClient(base_url=base, transport=transport, timeout=10) as http:
            # 30 at once: at most one connection each; then one after the other: no new one.
            reponses = await asyncio.gather(
                *(http.get("/echo", params={"q": str(i)}) for i in range(30))
            )
            assert [r.json()["q"] for r in reponses] == [str(i) for i in range(30)]
            ouvertes = pool.opened
            assert ouvertes <= 30
            for _ in range(20):
                assert (await http.get("/echo", params={"q": "seul"})).status_code == 200
            assert pool.opened == ouvertes

            assert (await http.get("/gros")).content == GROS
            envoye = await http.post("/corps", content=b"y" * 100_000)
            assert envoye.json() == {"recu": 100_000}

            # The server closes this one: it is not put back, the next request still works.
            avant = len(pool.idle)
            assert (await http.get("/ferme")).json() == {"ok": True}
            assert len(pool.idle) == avant - 1
            assert (await http.get("/echo")).status_code == 200
        assert pool.idle == []
