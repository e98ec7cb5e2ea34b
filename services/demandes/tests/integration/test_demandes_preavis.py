"""Notices of the law (issue 11 items 1 and 2): the renewal notice says whether the applicant
filed or renewed online (R441-2-7 CCH), and a préavis de radiation is its own event with
the answer-by date; an irrecevabilité rests on a CALEOL or gestionnaire decision."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from toit_demandes.adapters.tables import historique
from toit_demandes.exemples import demande_exemple
from toit_referentiel import add_months

from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers

from .conftest import Evenements, creer_enregistrer


def _autre(nom: str, **rubriques: Any) -> dict[str, Any]:
    return demande_exemple(
        demandeur={**demande_exemple()["demandeur"], "nom_naissance": nom}, **rubriques
    )


async def test_preavis_de_renouvellement_dit_si_le_demandeur_est_passe_en_ligne(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
) -> None:
    guichet = await creer_enregistrer(client, agent, _autre("GUICHET"))
    en_ligne = await creer_enregistrer(client, agent, _autre("ENLIGNE", canal_depot="EN_LIGNE"))
    renouvelee = await creer_enregistrer(client, agent, _autre("PORTAIL"))
    async with runtime.unit_of_work() as uow:  # renewed once on the portal
        await uow.session.execute(
            historique.insert().values(
                demande_id=renouvelee["id"],
                date=datetime(2026, 1, 2, tzinfo=UTC),
                intervenant_type="PORTAIL",
                utilisateur="compte-1",
                organisation=None,
                type="RENOUVELLEMENT",
                description="Renouvellement",
                changements=[],
            )
        )
        await uow.commit()
    await evenements.attendre(9)
    evenements.recus.clear()

    await runtime.run_daily_jobs(add_months(date.fromisoformat(guichet["date_expiration"]), -1))
    recus = await evenements.attendre(3)
    par_demande = {
        e["data"]["demande_id"]: e["data"]["en_ligne"]
        for e in recus
        if e["type"] == "demande.renouvellement_a_echeance"
    }
    assert par_demande == {guichet["id"]: False, en_ligne["id"]: True, renouvelee["id"]: True}


DECISION = {
    "origine": "GESTIONNAIRE",
    "fondement": "R441-2-8 CCH : ressources 2024 de 41 200 € pour un plafond de 37 584 €",
    "date_decision": "2026-05-04",
}


async def test_irrecevabilite_sur_decision_du_gestionnaire_avec_preavis(
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
) -> None:
    demande = await creer_enregistrer(client, agent, demande_exemple())
    await evenements.attendre(3)
    evenements.recus.clear()
    url = f"/api/demandes/{demande['id']}/radiation"
    irrecevable = {"motif": "IRRECEVABILITE", "sous_motif": "PLAFOND_RESSOURCES"}

    sans_decision = await client.post(url, headers=agent, json=irrecevable)
    assert sans_decision.status_code == 409, sans_decision.text
    assert "décision" in sans_decision.text

    clic_d_agent = await client.post(url, headers=agent, json={**irrecevable, "decision": DECISION})
    assert clic_d_agent.status_code == 403, clic_d_agent.text

    caleol = {**DECISION, "origine": "CALEOL"}
    sans_reference = await client.post(url, headers=agent, json={**irrecevable, "decision": caleol})
    assert sans_reference.status_code == 422, sans_reference.text
    assert "decision.reference" in sans_reference.text

    gestionnaire = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
    preavis = await client.post(
        url, headers=gestionnaire, json={**irrecevable, "decision": DECISION}
    )
    assert preavis.status_code == 200, preavis.text
    assert preavis.json()["statut"] == "ACTIVE"
    effet = date.fromisoformat(preavis.json()["preavis_radiation"]["effet_le"])

    recus = await evenements.attendre(2)
    [evenement] = [e["data"] for e in recus if e["type"] == "demande.radiation_preavisee"]
    assert evenement["motif"] == "IRRECEVABILITE"
    assert evenement["decision"]["origine"] == "GESTIONNAIRE"
    assert evenement["decision"]["fondement"] == DECISION["fondement"]
    assert date.fromisoformat(evenement["date_effet"]) == effet
    assert date.fromisoformat(evenement["date_limite_reponse"]) == effet - timedelta(days=1)
    assert evenement["contact"]["nom"]  # for the registered letter


async def test_absence_de_reponse_publie_son_preavis(
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
) -> None:
    demande = await creer_enregistrer(client, agent, demande_exemple())
    await evenements.attendre(3)
    evenements.recus.clear()
    reponse = await client.post(
        f"/api/demandes/{demande['id']}/radiation",
        headers=agent,
        json={"motif": "ABSENCE_DE_REPONSE"},
    )
    assert reponse.status_code == 200, reponse.text
    recus = await evenements.attendre(2)
    [evenement] = [e["data"] for e in recus if e["type"] == "demande.radiation_preavisee"]
    assert evenement["decision"] is None and evenement["sous_motif"] is None


async def test_la_reponse_du_menage_leve_le_preavis_et_le_renouvellement_aussi(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
) -> None:
    """Issue 11, item 3: the answer given before the deadline cancels the radiation; an
    event makes notifications confirm it; the historique keeps it."""
    demande = await creer_enregistrer(client, agent, demande_exemple())
    await evenements.attendre(3)
    evenements.recus.clear()
    url = f"/api/demandes/{demande['id']}"
    sans_preavis = await client.post(
        f"{url}/reponse-au-preavis", headers=agent, json={"reponse": "courrier reçu"}
    )
    assert sans_preavis.status_code == 409 and "aucun préavis" in sans_preavis.text
    preavis = await client.post(
        f"{url}/radiation", headers=agent, json={"motif": "ABSENCE_DE_REPONSE"}
    )
    effet = date.fromisoformat(preavis.json()["preavis_radiation"]["effet_le"])
    await evenements.attendre(2)
    evenements.recus.clear()

    levee = await client.post(
        f"{url}/reponse-au-preavis",
        headers=agent,
        json={"reponse": "réponse reçue au guichet avec les justificatifs"},
    )
    assert levee.status_code == 200, levee.text
    assert levee.json()["preavis_radiation"] is None and levee.json()["statut"] == "ACTIVE"
    recus = await evenements.attendre(2)
    [evenement] = [e["data"] for e in recus if e["type"] == "demande.radiation_levee"]
    assert evenement["motif"] == "ABSENCE_DE_REPONSE"
    assert date.fromisoformat(evenement["date_effet_annulee"]) == effet
    assert evenement["reponse"] == "réponse reçue au guichet avec les justificatifs"
    assert evenement["contact"]["nom"]  # for the notice
    historique_ = (await client.get(f"{url}/historique", headers=agent)).json()
    assert any(
        e["type"] == "LEVEE_PREAVIS_RADIATION" and "justificatifs" in e["description"]
        for e in historique_
    )
    await runtime.run_daily_jobs(effet)  # the radiation date passes: nothing happens
    assert (await client.get(url, headers=agent)).json()["statut"] == "ACTIVE"

    # A new notice, answered by the renewal.
    await client.post(f"{url}/radiation", headers=agent, json={"motif": "ABSENCE_DE_REPONSE"})
    await evenements.attendre(2)
    evenements.recus.clear()
    renouvelee = await client.post(f"{url}/renouvellement", headers=agent)
    assert renouvelee.status_code == 200 and renouvelee.json()["preavis_radiation"] is None
    for _ in range(300):
        if "demande.radiation_levee" in evenements.types():
            break
        await asyncio.sleep(0.05)
    recus = evenements.recus
    types = [e["type"] for e in recus]
    assert types.index("demande.renouvelee") < types.index("demande.radiation_levee")
    [evenement] = [e["data"] for e in recus if e["type"] == "demande.radiation_levee"]
    assert evenement["reponse"] == "renouvellement de la demande"
