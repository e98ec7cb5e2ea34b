"""The partners' webhook endpoints of bench-abonnements: one ASGI app, one path per partner,
run in its own process. Records, per delivery, the delay from the internal event's commit
(the CloudEvent `time`) to its receipt; verifies nothing (the bench measures Toit)."""

from __future__ import annotations

import json
import time
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

RECUS: dict[str, int] = {}
LATENCES: list[float] = []
IDS: set[str] = set()
DOUBLONS = 0


async def recevoir(request: Request) -> Response:
    global DOUBLONS
    corps = json.loads(await request.body())
    emis = datetime.fromisoformat(corps["time"].replace("Z", "+00:00")).timestamp()
    LATENCES.append((time.time() - emis) * 1000)
    partenaire = request.path_params["partenaire"]
    RECUS[partenaire] = RECUS.get(partenaire, 0) + 1
    if corps["id"] in IDS:
        DOUBLONS += 1
    IDS.add(corps["id"])
    return Response(status_code=204)


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(
        {"recus": sum(RECUS.values()), "par_partenaire": RECUS, "doublons": DOUBLONS}
    )


async def latences(request: Request) -> JSONResponse:
    valeurs = list(LATENCES)
    if request.method == "DELETE":
        LATENCES.clear()
    return JSONResponse(valeurs)


app = Starlette(
    routes=[
        Route("/hook/{partenaire}", recevoir, methods=["POST"]),
        Route("/stats", stats),
        Route("/latences", latences, methods=["GET", "DELETE"]),
    ]
)
