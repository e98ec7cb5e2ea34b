"""No input the OpenAPI document allows gives a 500: schemathesis draws requests for every
operation (bounded number of examples), half of them on a real demande, on PostgreSQL."""

from __future__ import annotations

import httpx
from toit_demandes.exemples import demande_exemple

from servicekit.runtime import ServiceRuntime
from servicekit.testing_openapi import server_errors

from .conftest import creer_enregistrer

EXEMPLES_PAR_OPERATION = 20


async def test_aucune_requete_ne_provoque_d_erreur_500(
    runtime: ServiceRuntime, client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    demande = await creer_enregistrer(client, agent, demande_exemple())
    appels, erreurs = await server_errors(
        runtime.app(manage_lifespan=False),
        client,
        agent,
        examples=EXEMPLES_PAR_OPERATION,
        path_values={"demande_id": demande["id"]},
    )
    assert appels >= EXEMPLES_PAR_OPERATION * 15
    assert erreurs == []
