"""No input the OpenAPI document allows gives a 500: schemathesis draws requests for every
operation (bounded number of examples), half of them on a real demande, on PostgreSQL."""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
import schemathesis
from hypothesis.errors import NonInteractiveExampleWarning
from schemathesis.core import NotSet
from toit_demandes.exemples import demande_exemple

from servicekit.runtime import ServiceRuntime

from .conftest import creer_enregistrer

EXEMPLES_PAR_OPERATION = 20


def _requete(case: Any, demande_id: str | None) -> dict[str, Any]:
    chemin = case.formatted_path
    if demande_id is not None and "demande_id" in (case.path_parameters or {}):
        chemin = chemin.replace(str(case.path_parameters["demande_id"]), demande_id, 1)
    requete: dict[str, Any] = {"method": case.method, "url": chemin, "params": case.query or None}
    corps = case.body
    if case.media_type == "multipart/form-data" and isinstance(corps, dict):
        requete["files"] = {
            k: ("f", v if isinstance(v, bytes) else str(v).encode())
            for k, v in corps.items()
            if k == "fichier"
        }
        requete["data"] = {k: str(v) for k, v in corps.items() if k != "fichier"}
    elif case.media_type is not None and not isinstance(corps, NotSet):
        requete["content"] = json.dumps(corps).encode()
        requete["headers"] = {"Content-Type": case.media_type}
    return requete


async def test_aucune_requete_ne_provoque_d_erreur_500(
    runtime: ServiceRuntime, client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    demande = await creer_enregistrer(client, agent, demande_exemple())
    schema = schemathesis.openapi.from_dict(runtime.app(manage_lifespan=False).openapi())
    erreurs: list[str] = []
    appels = 0
    for resultat in schema.get_all_operations():
        operation = resultat.ok()
        strategie = operation.as_strategy()
        for index in range(EXEMPLES_PAR_OPERATION):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NonInteractiveExampleWarning)
                case = strategie.example()
            requete = _requete(case, demande["id"] if index % 2 else None)
            entetes = {**agent, **requete.pop("headers", {}), "If-Match": '"2"'}
            reponse = await client.request(headers=entetes, **requete)
            appels += 1
            if reponse.status_code >= 500:
                erreurs.append(f"{case.method} {requete['url']} -> {reponse.status_code}")
    assert appels >= EXEMPLES_PAR_OPERATION * 15
    assert erreurs == []
