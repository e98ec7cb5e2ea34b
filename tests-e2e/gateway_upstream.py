"""The upstream of test_e2e_gateway.py: a servicekit app named "demandes" with test
routes, served by uvicorn in its own process as `toit-service run` serves a service
(JSON logs, X-Forwarded-* trusted from 127.0.0.1 only).

    python tests-e2e/gateway_upstream.py PORT DATA_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import APIRouter, Request

from servicekit.logging import configure_logging
from servicekit.runtime import ServiceDefinition, ServiceRuntime
from servicekit.settings import Settings


def routes() -> APIRouter:
    router = APIRouter(prefix="/api/demandes")

    def deep(n: int) -> None:
        if n == 0:
            raise RuntimeError("a bug")
        deep(n - 1)

    @router.get("/boom")
    async def boom() -> None:
        # A long traceback, like the RecursionError of a deeply nested body: logging it
        # takes a while, and the gateway's next request arrives meanwhile.
        deep(400)

    @router.post("/ok")
    async def ok() -> dict[str, str]:
        return {"statut": "ok"}

    @router.get("/client")
    async def client(request: Request) -> dict[str, str | None]:
        return {
            "client": request.client.host if request.client else None,
            "x_forwarded_for": request.headers.get("x-forwarded-for"),
        }

    return router


def main() -> None:
    port, data = int(sys.argv[1]), Path(sys.argv[2])
    configure_logging("INFO", json=True)
    definition = ServiceDefinition(name="demandes", migrations=data, routers=[routes()])
    runtime = ServiceRuntime(
        definition,
        Settings(data_dir=data, mode="production"),
        database_url=f"sqlite+aiosqlite:///{data / 'upstream.db'}",
    )
    uvicorn.run(
        runtime.app(manage_lifespan=False),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
