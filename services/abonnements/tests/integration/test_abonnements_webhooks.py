"""Webhooks against a real HTTP receiver on loopback, the real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid

import jsonschema
import pytest
import sqlalchemy as sa
from toit_abonnements.adapters.tables import journal, livraison
from toit_abonnements.service import service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from toit_contracts.enums import MotifDemande
from toit_contracts.events import MotifInvoque
from toit_contracts.profils import PROFILS, schema_enveloppe

from .abonnements_harness import (
    Recepteur,
    attendre,
    client,
    creer_abonnement,
    declarer_partenaire,
    modification,
    publier,
    publier_dans_l_ordre,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def runtime(runtime_factory: RuntimeFactory) -> ServiceRuntime:
    return await runtime_factory(service)


def verifier_schema(recepteur: Recepteur, complements: tuple[str, ...] = ()) -> None:
    """No field outside the profile, ever: every delivered payload against its schema."""
    for recu in recepteur.recus:
        envelope = recu.evenement
        schema = schema_enveloppe(envelope["type"], PROFILS["bailleur"], complements)
        jsonschema.validate(envelope, schema)


async def test_demande_modifiee_arrive_minimisee_et_signee(
    runtime: ServiceRuntime, recepteur: Recepteur
) -> None:
    async with client(runtime) as http:
        await declarer_partenaire(http)
        creation = await creer_abonnement(http, mode="WEBHOOK", url=recepteur.url)
    recepteur.secret = creation["secret"]
    assert creation["secret"].startswith("whsec_")

    demande = uuid.uuid4()
    event = modification(demande, 3)
    snapshot = event.snapshot.model_copy(
        update={
            "motifs": [
                MotifInvoque(motif=MotifDemande.VIOLENCES_FAMILIALES, principal=True),
                MotifInvoque(motif=MotifDemande.LOGEMENT_TROP_PETIT),
            ]
        }
    )
    ailleurs = modification(uuid.uuid4(), 1, departement="44")
    [source_id, _] = await publier(
        runtime, event.model_copy(update={"snapshot": snapshot}), ailleurs
    )

    async def recu() -> bool:
        return len(recepteur.recus) >= 1

    await attendre(recu)
    await asyncio.sleep(0.5)
    assert len(recepteur.recus) == 1  # the demande of the 44 is outside the perimeter
    [arrive] = recepteur.recus
    assert arrive.headers["content-type"] == "application/cloudevents+json"
    assert arrive.evenement["type"] == "demande.modifiee"
    assert arrive.evenement["subject"] == str(demande)
    assert arrive.evenement["id"] == arrive.headers["webhook-id"] != source_id
    data = arrive.evenement["data"]
    assert data["numero_unique"] == event.numero_unique
    assert data["snapshot"]["taille_menage"] == event.snapshot.taille_menage
    # Minimised: never the contact, the applicant's account, nationality, workplace,
    # nor the sensitive complements the subscription did not ask for.
    assert "contact" not in data["snapshot"] and "compte_demandeur" not in data
    assert all(
        "nationalite" not in p and "handicap" not in p for p in data["snapshot"]["personnes"]
    )
    assert [m["motif"] for m in data["snapshot"]["motifs"]] == ["LOGEMENT_TROP_PETIT"]
    verifier_schema(recepteur)


async def test_recepteur_en_panne_pendant_trois_relances_puis_tout_arrive_une_fois_dans_l_ordre(
    runtime: ServiceRuntime, recepteur: Recepteur
) -> None:
    async with client(runtime) as http:
        await declarer_partenaire(http)
        creation = await creer_abonnement(http, mode="WEBHOOK", url=recepteur.url)
    recepteur.secret = creation["secret"]
    recepteur.en_panne = True

    demandes = [uuid.uuid4() for _ in range(3)]
    await publier_dans_l_ordre(runtime, [[modification(d, v) for d in demandes] for v in (1, 2, 3)])

    async def trois_relances() -> bool:
        return recepteur.refus >= 4  # the first attempt and three retries

    await attendre(trois_relances)
    recepteur.en_panne = False

    async def tout_recu() -> bool:
        return len(recepteur.recus) >= 9

    await attendre(tout_recu)
    await asyncio.sleep(0.5)
    ids = [r.evenement["id"] for r in recepteur.recus]
    assert len(ids) == len(set(ids)) == 9  # once per id
    for d in demandes:
        versions = [
            r.evenement["data"]["version"]
            for r in recepteur.recus
            if r.evenement["subject"] == str(d)
        ]
        assert versions == [1, 2, 3]  # in order per demande
    sequences = [int(r.evenement["sequence"]) for r in recepteur.recus]
    assert sequences == sorted(sequences)
    verifier_schema(recepteur)

    async with runtime.unit_of_work() as uow:
        statuts = (
            await uow.session.execute(
                sa.select(livraison.c.statut, sa.func.count()).group_by(livraison.c.statut)
            )
        ).all()
    registre = dict(statuts)
    assert registre["LIVREE"] == 9 and registre["ECHEC"] >= 4


async def test_un_partenaire_lent_ne_ralentit_pas_le_bus(
    runtime: ServiceRuntime, recepteur: Recepteur
) -> None:
    async with client(runtime) as http:
        await declarer_partenaire(http)
        creation = await creer_abonnement(http, mode="WEBHOOK", url=recepteur.url)
    recepteur.secret = creation["secret"]
    recepteur.lenteur = 2.0
    debut = time.perf_counter()
    await publier(runtime, *(modification(uuid.uuid4(), 1) for _ in range(300)))

    async def journalises() -> bool:
        async with runtime.unit_of_work() as uow:
            n = await uow.session.scalar(sa.select(sa.func.count()).select_from(journal))
        return n == 300

    await attendre(journalises, timeout=20)
    # The 300 events entered the log while the partner took 2 s per request.
    assert time.perf_counter() - debut < 15
    assert len(recepteur.recus) <= 10


async def test_redirection_refusee_et_suspension_automatique(
    runtime_factory: RuntimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOIT_ABONNEMENTS_ABANDON_HEURES", str(1.5 / 3600))  # 1.5 s
    rt = await runtime_factory(service)
    redirige = Recepteur()

    async def rediriger(request):  # type: ignore[no-untyped-def]
        from starlette.responses import RedirectResponse

        return RedirectResponse("http://169.254.169.254/latest/meta-data", status_code=307)

    redirige._recevoir = rediriger  # type: ignore[method-assign]
    await redirige.demarrer()
    try:
        async with client(rt) as http:
            await declarer_partenaire(http)
            creation = await creer_abonnement(http, mode="WEBHOOK", url=redirige.url)
            abonnement_id = creation["abonnement"]["id"]
            await publier(rt, modification(uuid.uuid4(), 1), modification(uuid.uuid4(), 1))

            async def suspendu() -> bool:
                r = await http.get(
                    f"/api/abonnements/abonnements/{abonnement_id}/sante",
                    headers=gestionnaire(),
                )
                return r.json()["statut"] == "SUSPENDU"

            await attendre(suspendu)
            sante = (
                await http.get(
                    f"/api/abonnements/abonnements/{abonnement_id}/sante", headers=gestionnaire()
                )
            ).json()
            assert sante["lettres_mortes"] == 1
            assert "redirection refusée" in sante["motif_suspension"]
            mortes = (
                await http.get(
                    f"/api/abonnements/abonnements/{abonnement_id}/lettres-mortes",
                    headers=gestionnaire(),
                )
            ).json()
            assert [m["type"] for m in mortes] == ["demande.modifiee"]
            # The notice to the partner's contact is in the outbox.
            async with rt.unit_of_work() as uow:
                notices = (
                    await uow.session.execute(
                        sa.text(
                            "SELECT envelope FROM outbox WHERE event_type = 'abonnement.suspendu'"
                        )
                    )
                ).all()
            assert len(notices) == 1
    finally:
        await redirige.arreter()


def gestionnaire() -> dict[str, str]:
    from servicekit.testing_auth import auth_headers

    from .abonnements_harness import GESTIONNAIRE_35

    return auth_headers(**GESTIONNAIRE_35)


async def test_un_post_de_webhook_part_sans_attente_de_nagle(recepteur: Recepteur) -> None:
    """httpx writes a POST's headers and body in two sends: with Nagle's algorithm on, the
    body would wait for the receiver's delayed ACK (40 ms on Linux) on every delivery.
    asyncio sets TCP_NODELAY on each TCP transport; this checks the deliverer's socket."""
    import socket

    import httpx
    from toit_abonnements.adapters.webhooks import ClientWebhook, nouveau_secret
    from toit_abonnements.domain.ports import Envoi

    nodelay: list[int] = []

    class Transport(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            prise = response.extensions["network_stream"].get_extra_info("socket")
            nodelay.append(prise.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            return response

    recepteur.secret = nouveau_secret()
    webhooks = ClientWebhook(timeout=5, production=False, transport=Transport())
    envoi = modification(uuid.uuid4(), 1).to_cloudevent(source="/toit/demandes")
    try:
        [resultat] = await webhooks.envoyer(
            recepteur.url, [recepteur.secret], [Envoi(1, envoi.id, envoi.to_json_bytes())]
        )
    finally:
        await webhooks.fermer()
    assert resultat.livre, resultat
    assert len(recepteur.recus) == 1
    assert len(nodelay) == 1 and nodelay[0] != 0
