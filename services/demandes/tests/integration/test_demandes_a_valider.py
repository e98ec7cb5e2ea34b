"""Online demandes waiting for validation (issue 11 item 3): a guichet rejects one with a
motif (notice to the applicant); one waiting beyond the configured delay is on the list;
one never validated is purged after the retention period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from toit_demandes.exemples import DEMANDE_EXEMPLE, demande_exemple
from toit_referentiel import add_months

from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers

from .conftest import Evenements

GESTIONNAIRE = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})


async def soumise(client: httpx.AsyncClient, nom: str, depot: date) -> dict[str, Any]:
    corps = demande_exemple(
        canal_depot="EN_LIGNE",
        date_depot=depot.isoformat(),
        demandeur={**DEMANDE_EXEMPLE["demandeur"], "nom_naissance": nom},
    )
    creee = await client.post("/api/demandes", json=corps, headers=GESTIONNAIRE)
    assert creee.status_code == 201, creee.text
    demande_id = creee.json()["id"]
    soumission = await client.post(f"/api/demandes/{demande_id}/soumission", headers=GESTIONNAIRE)
    assert soumission.status_code == 200, soumission.text
    assert soumission.json()["statut"] == "A_VALIDER"
    return soumission.json()


async def test_demandes_a_valider_rejet_liste_et_purge(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
) -> None:
    aujourd_hui = date.today()
    ancienne = await soumise(client, "ANCIENNE", aujourd_hui - timedelta(days=20))
    recente = await soumise(client, "RECENTE", aujourd_hui)
    oubliee = await soumise(client, "OUBLIEE", add_months(aujourd_hui, -4))

    liste = await client.get("/api/demandes/a-valider/en-retard", headers=GESTIONNAIRE)
    assert liste.status_code == 200, liste.text
    ids = [d["id"] for d in liste.json()["elements"]]
    assert ids == [oubliee["id"], ancienne["id"]]  # oldest first; the recent one is in time
    assert recente["id"] not in ids

    await evenements.attendre(6)
    evenements.recus.clear()
    rejet = await client.post(
        f"/api/demandes/{ancienne['id']}/rejet",
        headers=agent,
        json={"motif": "La pièce d'identité déposée est illisible."},
    )
    assert rejet.status_code == 200, rejet.text
    assert rejet.json()["statut"] == "BROUILLON"
    recus = await evenements.attendre(2)
    [avis] = [e["data"] for e in recus if e["type"] == "demande.rejetee"]
    assert avis["motif"] == "La pièce d'identité déposée est illisible."
    assert avis["contact"]["nom"]
    deja = await client.post(
        f"/api/demandes/{ancienne['id']}/rejet", headers=agent, json={"motif": "encore une fois"}
    )
    assert deja.status_code == 409, deja.text

    evenements.recus.clear()
    await runtime.run_daily_jobs(aujourd_hui)
    recus = await evenements.attendre(1)
    assert [e["data"]["demande_id"] for e in recus if e["type"] == "demande.purgee"] == [
        oubliee["id"]
    ]
    assert (
        await client.get(f"/api/demandes/{oubliee['id']}", headers=GESTIONNAIRE)
    ).status_code == 404
    assert (
        await client.get(f"/api/demandes/{recente['id']}", headers=GESTIONNAIRE)
    ).status_code == 200
