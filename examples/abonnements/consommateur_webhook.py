"""Sample partner consumer — webhooks (Standard Webhooks + CloudEvents HTTP binding).

    TOIT_WEBHOOK_SECRET=whsec_… \
        uv run python examples/abonnements/consommateur_webhook.py --port 9000

Checks the signature with the `standardwebhooks` library (rejecting it answers 401 and
Toit retries), parses the CloudEvent with the CloudEvents SDK, ignores an id already seen
(at-least-once delivery) and a version of a demande older than the last one applied.
Answer 2xx only once the event is safely stored: anything else is retried for 26 hours.
The tests of Toit run this very class (tests-e2e/test_e2e_abonnements.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class RecepteurWebhook:
    secret: str
    port: int = 9000
    host: str = "127.0.0.1"
    recus: list[dict[str, Any]] = field(default_factory=list)  # CloudEvents, in arrival order
    deja_vus: set[str] = field(default_factory=set)
    versions: dict[str, int] = field(default_factory=dict)  # demande -> last version applied
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/webhook"

    async def recevoir(self, request: Request) -> Response:
        corps = await request.body()
        headers = dict(request.headers)
        try:
            Webhook(self.secret).verify(corps, headers)
        except WebhookVerificationError:
            return Response(status_code=401)
        evenement = from_http_event(HTTPMessage(headers=headers, body=corps))
        if evenement.get_id() in self.deja_vus:
            return Response(status_code=204)  # a redelivery: already applied
        data = evenement.get_data()
        assert isinstance(data, dict)
        demande = evenement.get_subject() or ""
        if data.get("version", 0) > self.versions.get(demande, 0):
            self.versions[demande] = int(data["version"])
            self.appliquer(json.loads(corps))
        self.deja_vus.add(evenement.get_id())
        return Response(status_code=204)

    def appliquer(self, cloudevent: dict[str, Any]) -> None:
        """Your processing here (store, index…). `demande.purgee`: delete the demande."""
        self.recus.append(cloudevent)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/webhook", self.recevoir, methods=["POST"])])

    async def demarrer(self) -> None:
        config = uvicorn.Config(self.app(), host=self.host, port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.02)

    async def arreter(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await self._task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    recepteur = RecepteurWebhook(secret=os.environ["TOIT_WEBHOOK_SECRET"], port=args.port)
    uvicorn.run(recepteur.app(), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
