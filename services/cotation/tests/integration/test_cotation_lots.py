"""Re-scoring a batch of demande states, on PostgreSQL (one statement per step) and on
SQLite (embedded mode): the last state of a demande wins, scores and EPCI links follow
the wished communes, and a unit of work never commits states it did not apply."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from toit_cotation import service_layer as services
from toit_cotation.adapters import repository as repo
from toit_cotation.adapters.tables import demande_epcis, demandes, scores
from toit_cotation.entrypoints.events import appliquer_etats
from toit_cotation.service import service
from toit_cotation.service_layer.calcul import EtatDemande

from servicekit.messaging.tables import outbox
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.uow import CollectedNotApplied
from toit_contracts.enums import StatutDemande, TypeLogementActuel

from .cotation_harness import NANTES, nouvel_id, publier_grille_nantes, snapshot

RENNES = "243500139"


@pytest.fixture(params=["postgresql", "sqlite"])
async def cotation(
    request: pytest.FixtureRequest,
    runtime_factory: RuntimeFactory,
    memory_runtime_factory: RuntimeFactory,
) -> AsyncIterator[ServiceRuntime]:
    factory = runtime_factory if request.param == "postgresql" else memory_runtime_factory
    runtime = await factory(service, start=False)
    await runtime.migrate()
    await publier_grille_nantes(runtime)
    async with runtime.unit_of_work() as uow:  # the publication's (empty) re-scoring job
        await services.recalcul.avancer_recalcul(uow, 100, datetime.now(UTC))
    yield runtime


async def _appliquer(runtime: ServiceRuntime, *etats: EtatDemande) -> int:
    async with runtime.unit_of_work() as uow:
        publies = await services.calcul.suivre_demandes(uow, etats, datetime.now(UTC))
        await uow.commit()
    return publies


async def _etat(runtime: ServiceRuntime, demande_id: UUID) -> dict[str, Any]:
    async with runtime.db.session() as session:
        demande = (
            await session.execute(sa.select(demandes).where(demandes.c.demande_id == demande_id))
        ).one()
        lignes = (
            await session.execute(sa.select(scores).where(scores.c.demande_id == demande_id))
        ).all()
        liens = (
            await session.execute(
                sa.select(demande_epcis.c.epci).where(demande_epcis.c.demande_id == demande_id)
            )
        ).scalars()
        envelopes = (
            await session.execute(
                sa.select(outbox.c.envelope).where(outbox.c.event_type == "cotation.calculee")
            )
        ).scalars()
        evenements = sum(
            1 for e in envelopes if json.loads(e)["data"]["demande_id"] == str(demande_id)
        )
    return {
        "version": demande.version,
        "version_cotation": demande.version_cotation,
        "scores": {s.epci: (s.version, s.demande_version, s.points) for s in lignes},
        "liens": set(liens),
        "evenements": evenements,
    }


async def test_batch_keeps_the_last_state_of_each_demande(cotation: ServiceRuntime) -> None:
    a, b = nouvel_id(), nouvel_id()
    heberge, sans_abri = snapshot(), snapshot(logement=TypeLogementActuel.SANS_ABRI)
    publies = await _appliquer(
        cotation,
        EtatDemande(a, 1, "44", StatutDemande.ACTIVE, heberge),
        EtatDemande(b, 1, "44", StatutDemande.ACTIVE, heberge),
        EtatDemande(a, 2, "44", StatutDemande.ACTIVE, sans_abri),
    )
    assert publies == 2  # one result per demande: the intermediate one is never stored
    etat_a, etat_b = await _etat(cotation, a), await _etat(cotation, b)
    assert etat_a["version"] == 2 and etat_a["scores"][NANTES][:2] == (1, 2)
    assert etat_a["scores"][NANTES][2] - etat_b["scores"][NANTES][2] == 25  # SANS_ABRI
    assert etat_a["liens"] == {NANTES} and etat_a["evenements"] == 1

    # Same result again: stored, no event, cotation version unchanged.
    assert await _appliquer(cotation, EtatDemande(a, 3, "44", StatutDemande.ACTIVE, sans_abri)) == 0
    etat_a = await _etat(cotation, a)
    assert etat_a["scores"][NANTES][:2] == (1, 3) and etat_a["evenements"] == 1


async def test_scores_and_links_follow_the_wished_communes(cotation: ServiceRuntime) -> None:
    demande_id = nouvel_id()
    await _appliquer(
        cotation,
        EtatDemande(
            demande_id, 1, "44", StatutDemande.ACTIVE, snapshot(communes=("44109", "35238"))
        ),
    )
    etat = await _etat(cotation, demande_id)
    # Rennes Métropole has no published grid: linked, not scored.
    assert etat["liens"] == {NANTES, RENNES} and set(etat["scores"]) == {NANTES}

    # Rennes only: the Nantes score and link go, no Nantes bulk re-score will see it.
    await _appliquer(
        cotation,
        EtatDemande(demande_id, 2, "44", StatutDemande.ACTIVE, snapshot(communes=("35238",))),
    )
    etat = await _etat(cotation, demande_id)
    assert etat["liens"] == {RENNES} and etat["scores"] == {}
    async with cotation.unit_of_work() as uow:
        assert await repo.compter_a_recoter(uow.session, NANTES) == 0

    # Back to Nantes, then radiated: no score, the snapshot forgotten, links kept empty.
    await _appliquer(cotation, EtatDemande(demande_id, 3, "44", StatutDemande.ACTIVE, snapshot()))
    assert set((await _etat(cotation, demande_id))["scores"]) == {NANTES}
    await _appliquer(cotation, EtatDemande(demande_id, 4, "44", StatutDemande.RADIEE, snapshot()))
    etat = await _etat(cotation, demande_id)
    assert etat["scores"] == {} and etat["liens"] == set() and etat["version"] == 4


async def test_unit_of_work_never_commits_states_it_did_not_apply(
    cotation: ServiceRuntime,
) -> None:
    demande_id = nouvel_id()
    etat = EtatDemande(demande_id, 1, "44", StatutDemande.ACTIVE, snapshot())
    # Through `uow.commit`, as the consumer does: applied, then committed.
    async with cotation.unit_of_work() as uow:
        uow.collect(appliquer_etats, etat)
        await uow.commit()
    assert (await _etat(cotation, demande_id))["scores"]
    # A commit that bypasses it fails instead of losing the state.
    autre = nouvel_id()
    async with cotation.unit_of_work() as uow:
        uow.collect(appliquer_etats, EtatDemande(autre, 1, "44", StatutDemande.ACTIVE, snapshot()))
        with pytest.raises(CollectedNotApplied):
            await uow.session.commit()
