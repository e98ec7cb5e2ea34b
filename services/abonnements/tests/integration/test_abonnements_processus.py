"""The API and the push deliverer in separate processes (TOIT_ABONNEMENTS_LIVRAISON), as
docker-compose.yml runs them: the API process logs events and sends nothing; a deliverer
process on the same database delivers each once, in order."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from toit_abonnements import bootstrap
from toit_abonnements.adapters.tables import journal
from toit_abonnements.service import service
from toit_abonnements.settings import AbonnementsSettings

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory, settings_for_tests

from .abonnements_harness import (
    Recepteur,
    attendre,
    client,
    creer_abonnement,
    declarer_partenaire,
    modification,
    publier_dans_l_ordre,
)

pytestmark = pytest.mark.integration


async def test_api_sans_livreur_puis_processus_livreur_separe(
    runtime_factory: RuntimeFactory,
    recepteur: Recepteur,
    amqp_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOIT_ABONNEMENTS_LIVRAISON", "false")
    api = await runtime_factory(service)
    assert api.db.engine.sync_engine.pool.size() == AbonnementsSettings().taille_pool()
    assert bootstrap.dependances(api).tache is None
    async with client(api) as http:
        await declarer_partenaire(http)
        creation = await creer_abonnement(http, mode="WEBHOOK", url=recepteur.url)
    recepteur.secret = creation["secret"]
    demandes = [uuid.uuid4() for _ in range(3)]
    await publier_dans_l_ordre(api, [[modification(d, v) for d in demandes] for v in (1, 2)])
    async with api.unit_of_work() as uow:
        assert await uow.session.scalar(sa.select(sa.func.count()).select_from(journal)) == 6
    await asyncio.sleep(0.3)
    assert recepteur.recus == []  # the API process sends nothing

    monkeypatch.setenv("TOIT_ABONNEMENTS_LIVRAISON", "true")
    livreur = ServiceRuntime(
        service, settings_for_tests(bus="amqp", amqp_url=amqp_url), database_url=api.db.url
    )
    await livreur.start(migrate=False, seed=False)
    try:
        assert bootstrap.dependances(livreur).tache is not None

        async def tout_recu() -> bool:
            return len(recepteur.recus) >= 6

        await attendre(tout_recu)
        await asyncio.sleep(0.3)
    finally:
        await livreur.stop()
    ids = [r.evenement["id"] for r in recepteur.recus]
    assert len(ids) == len(set(ids)) == 6
    for d in demandes:
        versions = [
            r.evenement["data"]["version"]
            for r in recepteur.recus
            if r.evenement["subject"] == str(d)
        ]
        assert versions == [1, 2]
