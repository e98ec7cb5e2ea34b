"""No input the OpenAPI document allows gives a 500 (schemathesis, PostgreSQL, RabbitMQ),
half of the requests on a real grid and a real demande."""

from __future__ import annotations

import httpx
from toit_cotation.service import service

from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from servicekit.testing_openapi import server_errors

from .cotation_harness import (
    attendre_demandes,
    creee,
    emetteur,
    nouvel_id,
    publier,
    publier_grille_nantes,
    snapshot,
)

EXAMPLES = 15


async def test_no_request_gives_a_server_error(runtime_factory: RuntimeFactory) -> None:
    cotation = await runtime_factory(service)
    grille_id = await publier_grille_nantes(cotation)
    source = await runtime_factory(emetteur)
    demande_id = nouvel_id()
    await publier(source, creee(demande_id, snapshot()))
    await attendre_demandes(cotation, 1)
    app = cotation.app(manage_lifespan=False)
    headers = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://toit.test"
    ) as client:
        calls, errors = await server_errors(
            app,
            client,
            headers,
            examples=EXAMPLES,
            path_values={"grille_id": str(grille_id), "demande_id": str(demande_id)},
        )
    assert calls >= EXAMPLES * 10
    assert errors == []
