"""Matching's attribution chain reaches the demande through the bus (issue 17): the lease
signed (`attribution.prononcee`) radiates it with motif attribution; an irrecevabilité of
the CALEOL (`caleol.decision_prise`) opens the radiation notice on that decision; the same
event delivered twice acts once; a demande already radiated is left as it is."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

import httpx
import pytest
from toit_demandes.adapters.repository import DemandeRepository
from toit_demandes.exemples import demande_exemple

from servicekit.runtime import ServiceRuntime
from toit_contracts.events import IntegrationEvent
from toit_contracts.events.attributions import SensDecision
from toit_contracts.examples import example_events

from .conftest import Evenements, creer_enregistrer


def _autre(nom: str) -> dict[str, Any]:
    return demande_exemple(demandeur={**demande_exemple()["demandeur"], "nom_naissance": nom})


async def _publier(runtime: ServiceRuntime, *events: IntegrationEvent) -> None:
    async with runtime.unit_of_work() as uow:
        for event in events:
            uow.publish(event)
        await uow.commit()


async def test_bail_signe_radie_et_irrecevabilite_preavisee(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
) -> None:
    attributaire = await creer_enregistrer(client, agent, _autre("ATTRIBUTAIRE"))
    irrecevable = await creer_enregistrer(client, agent, _autre("IRRECEVABLE"))
    await evenements.attendre(6)
    evenements.recus.clear()
    exemples = example_events()
    decision = exemples["caleol.decision_prise"]
    attribution = exemples["attribution.prononcee"].model_copy(
        update={"demande_id": UUID(attributaire["id"]), "date_signature_bail": date(2026, 7, 1)}
    )
    cibles = {"ATTRIBUTION_SOUS_CONDITION": attributaire["id"], "IRRECEVABILITE": irrecevable["id"]}
    decisions = [
        d.model_copy(update={"demande_id": UUID(cibles[d.sens.value])})
        if d.sens.value in cibles
        else d
        for d in decision.decisions
    ]
    decision = decision.model_copy(update={"decisions": decisions})
    offre = exemples["offre.emise"].model_copy(update={"demande_id": UUID(attributaire["id"])})
    await _publier(runtime, decision, offre)
    attendus = {
        "demande.decision_caleol_notifiee",
        "demande.offre_notifiee",
        "demande.radiation_preavisee",
    }
    async with asyncio.timeout(15):
        while not attendus <= set(evenements.types()):
            await asyncio.sleep(0.05)
    notice = next(e for e in evenements.recus if e["type"] == "demande.decision_caleol_notifiee")
    assert notice["data"]["demande_id"] == attributaire["id"]
    assert notice["data"]["decision"]["condition"]["piece"] == "Avis d'imposition 2025"
    assert notice["data"]["contact"]["nom"]  # the contact travels to notifications only
    offre_notifiee = next(e for e in evenements.recus if e["type"] == "demande.offre_notifiee")
    assert offre_notifiee["data"]["date_limite_reponse"] == "2026-06-15"

    # The lease signed, delivered; then a second attribution of the same demande (another
    # event) finds it radiated and changes nothing.
    await _publier(runtime, attribution)
    async with asyncio.timeout(15):
        while "demande.radiee" not in evenements.types():
            await asyncio.sleep(0.05)
    autre = attribution.model_copy(update={"attribution_id": UUID(int=7)})
    await _publier(runtime, autre)
    recus = evenements.recus
    radiee = next(e for e in recus if e["type"] == "demande.radiee")
    assert radiee["data"]["demande_id"] == attributaire["id"]
    assert radiee["data"]["motif"] == "ATTRIBUTION"
    assert radiee["data"]["date_radiation"] == "2026-07-01"
    preavis = next(e for e in recus if e["type"] == "demande.radiation_preavisee")
    assert preavis["data"]["demande_id"] == irrecevable["id"]
    assert preavis["data"]["sous_motif"] == "PLAFOND_RESSOURCES"
    assert preavis["data"]["decision"]["origine"] == "CALEOL"
    assert preavis["data"]["decision"]["reference"] == "CALEOL-AH-2026-014"
    assert "plafond PLUS" in preavis["data"]["decision"]["fondement"]

    r = await client.get(f"/api/demandes/{attributaire['id']}", headers=agent)
    assert r.json()["statut"] == "RADIEE"
    # The SNE data of the attribution are kept with the demande (issue 17 item 5).
    async with runtime.unit_of_work() as uow:
        sne = await uow.repository(DemandeRepository).attribution(UUID(attributaire["id"]))
    assert sne is not None and sne["attribution_id"] == attribution.attribution_id
    assert sne["date_signature_bail"] == date(2026, 7, 1)
    donnees = sne["donnees"]
    assert donnees["logement"]["rpls"] == attribution.logement.rpls
    assert donnees["logement"]["financement"] == attribution.logement.financement
    assert donnees["logement"]["qpv"] == attribution.logement.qpv
    assert donnees["contingent"] == attribution.contingent
    assert donnees["premier_quartile"] == attribution.premier_quartile
    assert donnees["date_signature_bail"] == "2026-07-01"
    r = await client.get(f"/api/demandes/{attributaire['id']}/attribution", headers=agent)
    assert r.status_code == 200, r.text
    assert r.json()["donnees"]["logement"]["rpls"] == attribution.logement.rpls
    r = await client.get(f"/api/demandes/{irrecevable['id']}/attribution", headers=agent)
    assert r.status_code == 404 and "Aucune attribution" in r.json()["detail"]
    # Nothing more: the second attribution leaves the demande as it is, the CALEOL's other
    # candidate (unknown here) is ignored.
    await asyncio.sleep(0.5)
    assert sorted(evenements.types()).count("demande.radiee") == 1
    assert sorted(evenements.types()).count("demande.radiation_preavisee") == 1


async def test_echec_non_metier_ne_perd_aucun_avis(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One CALEOL event, two irrecevabilités and a non-attribution: the second notice's
    save fails once (a non-business failure: the database drops the statement). Nothing of
    the event is committed, the inbox row neither; the broker delivers it again and every
    notice goes out, once (issue 17 item 7: the decision and its events are atomic)."""
    une = await creer_enregistrer(client, agent, _autre("PREMIERE"))
    deux = await creer_enregistrer(client, agent, _autre("SECONDE"))
    trois = await creer_enregistrer(client, agent, _autre("TROISIEME"))
    await evenements.attendre(9)
    evenements.recus.clear()
    decision = example_events()["caleol.decision_prise"]
    irrecevable = next(d for d in decision.decisions if d.sens.value == "IRRECEVABILITE")
    non = decision.decisions[1].model_copy(
        update={
            "demande_id": UUID(trois["id"]),
            "sens": SensDecision.NON_ATTRIBUTION,
            "rang": None,
            "motifs": "Taux d'effort de 41 % pour ce loyer",
        }
    )
    decision = decision.model_copy(
        update={
            "decisions": [
                irrecevable.model_copy(update={"demande_id": UUID(une["id"])}),
                irrecevable.model_copy(update={"demande_id": UUID(deux["id"])}),
                non,
            ]
        }
    )
    sauver = DemandeRepository.sauver
    echecs: list[UUID] = []

    async def sauver_une_fois_en_echec(self: Any, demande: Any, version_lue: int) -> None:
        if demande.id == UUID(deux["id"]) and not echecs:
            echecs.append(demande.id)
            raise ConnectionResetError("connexion à la base perdue")
        await sauver(self, demande, version_lue)

    monkeypatch.setattr(DemandeRepository, "sauver", sauver_une_fois_en_echec)
    await _publier(runtime, decision)
    async with asyncio.timeout(20):
        while len(evenements.recus) < 5:  # 2 × (modifiée + préavisée) + 1 lettre
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    assert echecs == [UUID(deux["id"])]
    preavis = sorted(
        e["data"]["demande_id"]
        for e in evenements.recus
        if e["type"] == "demande.radiation_preavisee"
    )
    assert preavis == sorted([une["id"], deux["id"]])
    lettres = [e for e in evenements.recus if e["type"] == "demande.decision_caleol_notifiee"]
    assert [e["data"]["demande_id"] for e in lettres] == [trois["id"]]
    assert len(evenements.recus) == 5
