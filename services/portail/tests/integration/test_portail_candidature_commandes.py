"""With the real PostgreSQL and RabbitMQ, the portail's side of the online application:
the submission leaves as one command (the identity document encrypted) with the draft's
new state; demandes' refusal gives the draft back with its reasons, its acceptance drops
the portail's copy of the document; snapshots keep what the household may change; a
purge leaves nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from toit_portail.adapters import repository_candidatures as repo
from toit_portail.adapters.tables_candidatures import candidatures, demandes_modifiables
from toit_portail.service import service
from toit_portail.service_layer import candidature as uc

from servicekit import ServiceDefinition
from servicekit.exceptions import Conflit, Invalide
from servicekit.messaging.transport import Delivery, Outcome, QueueSpec
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.transit import dechiffrer
from toit_contracts.enums import StatutDemande
from toit_contracts.events import DemandeCreee, DemandePurgee, IntegrationEvent
from toit_contracts.events.commandes import DemandeCommandeTraitee, ErreurCommande
from toit_contracts.examples import example_snapshot

MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_portail" / "migrations"
emetteur = ServiceDefinition(name="emetteur", migrations=MIGRATIONS)
PDF = b"%PDF-1.4\n% carte d'identite\n%%EOF\n"
COMPTE = "compte-portail-7"
MAINTENANT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
PARTIES: dict[str, dict[str, Any]] = {
    "menage": {
        "demandeur": {
            "civilite": "M",
            "nom_naissance": "Bernard",
            "prenoms": "Yann",
            "date_naissance": "1984-02-11",
            "nationalite": "FRANCAISE",
            "situation_familiale": "CELIBATAIRE",
        },
        "occupants": [],
        "enfants_a_naitre": 0,
    },
    "ressources": {"situation_professionnelle": {}, "ressources": []},
    "logement-actuel": {"logement_actuel": {"type": "HEBERGE_CHEZ_TIERS"}},
    "motifs": {"motifs": [{"code": "HEBERGE", "principal": True}]},
    "logement-recherche": {"logement_recherche": {"typologies": ["T1"], "communes": ["44109"]}},
}


async def attendre(predicat: Callable[[], Awaitable[bool]], delai: float = 20.0) -> None:
    limite = time.monotonic() + delai
    while not await predicat():
        assert time.monotonic() < limite, "condition non atteinte"
        await asyncio.sleep(0.05)


async def publier(runtime: ServiceRuntime, *events: IntegrationEvent) -> None:
    for event in events:
        async with runtime.unit_of_work() as uow:
            uow.publish(event)
            await uow.commit()


async def etat(portail: ServiceRuntime, candidature_id: UUID) -> Any:
    async with portail.db.session() as session:
        return (
            await session.execute(
                sa.select(candidatures).where(candidatures.c.id == candidature_id)
            )
        ).one()


async def test_portail_soumission_refus_puis_acceptation_et_purge(
    runtime_factory: RuntimeFactory,
) -> None:
    portail = await runtime_factory(service)
    source = await runtime_factory(emetteur)
    commandes: list[dict[str, Any]] = []

    async def recevoir(deliveries: Sequence[Delivery]) -> list[Outcome]:
        commandes.extend(json.loads(d.body) for d in deliveries)
        return [Outcome.ack() for _ in deliveries]

    await portail.transport.consume(QueueSpec("toit.test.commandes", ("portail.#",)), recevoir, 10)

    async with portail.unit_of_work() as uow:
        candidature_id = await uc.commencer(uow, COMPTE, "44", MAINTENANT)
    for code, partie in PARTIES.items():
        async with portail.unit_of_work() as uow:
            assert (
                await uc.enregistrer_etape(uow, candidature_id, COMPTE, code, partie, MAINTENANT)
                == {}
            )

    # Without the identity document: refused, nothing sent.
    with pytest.raises(Invalide):
        async with portail.unit_of_work() as uow:
            await uc.soumettre(uow, candidature_id, COMPTE, portail.settings, MAINTENANT)
    # Another account sees nothing of this draft.
    with pytest.raises(uc.CandidatureIntrouvable):
        async with portail.db.session() as session:
            await uc.lire(session, candidature_id, "compte-intrus")
    # A file that is not a PDF/JPEG/PNG: refused, nothing stored.
    with pytest.raises(Invalide):
        async with portail.unit_of_work() as uow:
            await uc.deposer_piece(
                uow, candidature_id, COMPTE, "PIECE_IDENTITE", "x.pdf", b"MZ\x90", MAINTENANT
            )
    assert (await etat(portail, candidature_id)).piece_contenu is None
    async with portail.unit_of_work() as uow:
        await uc.deposer_piece(
            uow, candidature_id, COMPTE, "PIECE_IDENTITE", "cni.pdf", PDF, MAINTENANT
        )

    async with portail.unit_of_work() as uow:
        premiere = await uc.soumettre(uow, candidature_id, COMPTE, portail.settings, MAINTENANT)
    assert (await etat(portail, candidature_id)).statut == "SOUMISE"
    # Sent once: the draft no longer changes here.
    with pytest.raises(Conflit):
        async with portail.unit_of_work() as uow:
            await uc.soumettre(uow, candidature_id, COMPTE, portail.settings, MAINTENANT)

    async def envoyee() -> bool:
        return len(commandes) == 1

    await attendre(envoyee)
    (commande,) = commandes
    assert commande["type"] == "portail.demande_soumise"
    data = commande["data"]
    assert (data["demande_id"], data["compte_demandeur"]) == (str(candidature_id), COMPTE)
    assert data["saisie"]["canal_depot"] == "EN_LIGNE"
    assert b"carte" not in json.dumps(data).encode()  # only ciphertext travels
    assert dechiffrer(data["piece_identite"]["contenu_chiffre"], portail.settings) == PDF

    # demandes refuses: the draft comes back with the reasons, editable again.
    reponse = {
        "demande_id": candidature_id,
        "departement": "44",
        "compte_demandeur": COMPTE,
        "commande": "portail.demande_soumise",
    }
    await publier(
        source,
        DemandeCommandeTraitee(
            **reponse,
            commande_id=premiere,
            acceptee=False,
            erreurs=[ErreurCommande(champ="demandeur.nir", message="numéro invalide")],
        ),
    )

    async def refusee() -> bool:
        return bool((await etat(portail, candidature_id)).statut == "REFUSEE")

    await attendre(refusee)
    assert (await etat(portail, candidature_id)).erreurs == [
        {"champ": "demandeur.nir", "message": "numéro invalide"}
    ]
    async with portail.unit_of_work() as uow:
        seconde = await uc.soumettre(uow, candidature_id, COMPTE, portail.settings, MAINTENANT)
    await publier(source, DemandeCommandeTraitee(**reponse, commande_id=seconde, acceptee=True))

    async def acceptee() -> bool:
        return bool((await etat(portail, candidature_id)).statut == "ACCEPTEE")

    await attendre(acceptee)
    # demandes has the document: the portail's copy is gone.
    assert (await etat(portail, candidature_id)).piece_contenu is None
    async with portail.db.session() as session:
        lignes = await repo.commandes_de(session, candidature_id, COMPTE)
    # Both sent at the same instant here: compared without order.
    assert sorted((c.statut, c.type) for c in lignes) == [
        ("ACCEPTEE", "portail.demande_soumise"),
        ("REFUSEE", "portail.demande_soumise"),
    ]

    # The snapshot's changeable part is kept; a purge leaves nothing.
    await publier(
        source,
        DemandeCreee(
            demande_id=candidature_id,
            version=1,
            departement="44",
            statut=StatutDemande.ACTIVE,
            compte_demandeur=COMPTE,
            snapshot=example_snapshot(),
        ),
    )

    async def modifiable() -> bool:
        async with portail.db.session() as session:
            return await repo.modifiable(session, candidature_id) is not None

    await attendre(modifiable)
    await publier(source, DemandePurgee(demande_id=candidature_id, version=9, departement="44"))

    async def purgee() -> bool:
        async with portail.db.session() as session:
            restes = [
                (await session.execute(sa.select(sa.func.count()).select_from(t))).scalar_one()
                for t in (candidatures, demandes_modifiables)
            ]
            return restes == [0, 0] and not await repo.commandes_de(session, candidature_id, COMPTE)

    await attendre(purgee)
