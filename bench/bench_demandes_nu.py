"""The bare FastAPI endpoint of bench-demandes: same framework and server, no database, no
authentication, no events — the ceiling the demandes PATCH is compared with.

Its paths sit under /api/observatoire/ so that the bench's nginx gateway, rendered from
the real configuration, routes it like a service (a service without a PATCH API yet
lends its upstream slot): both are served the same way."""

from __future__ import annotations

from typing import Any

from fastapi import Body, FastAPI, Header

app = FastAPI()


@app.get("/api/observatoire/nu/healthz")
async def sante() -> dict[str, str]:
    return {"statut": "ok"}


@app.patch("/api/observatoire/nu/{ident}")
async def patch(
    ident: int, corps: dict[str, Any] = Body(...), if_match: str | None = Header(default=None)
) -> dict[str, Any]:
    return {"id": ident, "version": 2, **corps}
