"""With the real PostgreSQL and RabbitMQ: designation → CALEOL session → remote vote (one
ballot per member, changeable, refused outside the commission or after the deadline, result
with quorum and the record of who voted what) → decisions a–e (reasons required) →
`caleol.decision_prise` → offer to rank 1 with the legal delay → silence = refusal (daily
job) → rank 2 accepts → lease (before the offer: 422; demande radiated: 409) →
`attribution.prononcee` with the SNE data; minutes signed by the president (PDF); export."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import sqlalchemy as sa
from toit_matching.adapters.tables import demandes, dossiers_caleol, offres
from toit_matching.entrypoints.jobs import echeances_des_offres
from toit_matching.service import service

from servicekit import ServiceDefinition
from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.messaging.tables import outbox
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from toit_contracts.enums import MotifRadiation, StatutDemande
from toit_contracts.events import (
    AttributionPrononcee,
    CaleolDecisionPrise,
    DemandeRadiee,
    IntegrationEvent,
    OffreAcceptee,
    OffreEmise,
    OffreRappelee,
    OffreRefusee,
)
from toit_contracts.events.cotation import CotationCalculee, CritereCote

from .test_matching_parcours import (
    BAILLEUR_H,
    ETAT,
    ETAT_H,
    EXEMPLES,
    attendre,
    cotation,
    creee,
    emetteur,
    publier,
    snapshot,
)

PRESIDENTE = "compte-presidente"
ADMIN = "compte-admin"
MAIRE = "compte-maire-nantes"
MAIRE_AILLEURS = "compte-maire-reze"
INTRUS = "compte-autre-commission"


def membre_h(compte: str) -> dict[str, str]:
    return auth_headers(sub=compte, roles={"MEMBRE_CALEOL"}, organisation="x", departements={"44"})


def collecteur() -> tuple[ServiceDefinition, list[IntegrationEvent]]:
    recus: list[IntegrationEvent] = []
    consumer = EventConsumer("chaine")

    @consumer.on(
        CaleolDecisionPrise,
        OffreEmise,
        OffreRappelee,
        OffreAcceptee,
        OffreRefusee,
        AttributionPrononcee,
    )
    async def recevoir(_ctx: HandlerContext, event: IntegrationEvent) -> None:
        recus.append(event)

    return ServiceDefinition(
        name="collecteur", migrations=emetteur.migrations, consumers=[consumer]
    ), recus


@pytest.fixture
async def env(
    runtime_factory: RuntimeFactory,
) -> AsyncIterator[
    tuple[ServiceRuntime, ServiceRuntime, list[IntegrationEvent], httpx.AsyncClient]
]:
    matching = await runtime_factory(service)
    definition, recus = collecteur()
    await runtime_factory(definition)
    source = await runtime_factory(emetteur)
    transport = httpx.ASGITransport(app=matching.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        yield matching, source, recus, client


def types(recus: list[IntegrationEvent]) -> list[str]:
    return [e.event_type for e in recus]


async def designer(client: httpx.AsyncClient, source: ServiceRuntime) -> tuple[str, list[UUID]]:
    r = await client.post(
        "/api/matching/patrimoine/imports?format=csv",
        content=(EXEMPLES / "patrimoine.csv").read_bytes(),
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    un, deux, trois = uuid4(), uuid4(), uuid4()
    await publier(
        source,
        creee(un, 15000, depot=date(2023, 3, 1)),
        creee(deux, 16000, depot=date(2022, 9, 1)),
        creee(trois, 17000, depot=date(2024, 1, 1)),
        cotation(un, 70),
        cotation(deux, 60),
        cotation(trois, 50),
    )
    annee = datetime.now(UTC).year
    r = await client.post(
        "/api/matching/conventions",
        json={
            "reservataire_id": ETAT,
            "reservataire_nom": "DDETS 44",
            "departement": "44",
            "annee": annee,
            "parts": {"ETAT_PRIORITAIRES": "25"},
        },
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    dispo = min(datetime.now(UTC).date() + timedelta(days=30), date(annee, 12, 31))
    r = await client.post(
        "/api/matching/vacances",
        json={"rpls": "44109000101", "type": "PREAVIS", "date_disponibilite": dispo.isoformat()},
        headers=BAILLEUR_H,
    )
    vacance = r.json()["id"]
    r = await client.post(
        f"/api/matching/vacances/{vacance}/orientation",
        json={"contingent": "ETAT_PRIORITAIRES", "reservataire_id": ETAT},
        headers={**BAILLEUR_H, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text

    async def trois_candidats() -> bool:
        r = await client.get(f"/api/matching/vacances/{vacance}/candidats", headers=ETAT_H)
        return len(r.json()["candidats"]) == 3

    await attendre(trois_candidats)
    r = await client.post(
        f"/api/matching/vacances/{vacance}/designation",
        json={"candidats": [str(un), str(deux), str(trois)]},
        headers=ETAT_H,
    )
    assert r.status_code == 201, r.text
    return vacance, [un, deux, trois]


async def nouvelle_seance(
    client: httpx.AsyncClient, commission: str, reference: str, jour: str, mode: str
) -> str:
    r = await client.post(
        f"/api/matching/commissions/{commission}/seances",
        json={"reference": reference, "date_seance": f"{jour}T10:00:00+02:00", "mode": mode},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def premier_quartile(demande_id: UUID, points: int) -> CotationCalculee:
    base = cotation(demande_id, points, version=2)
    return base.model_copy(
        update={
            "criteres": [
                *base.criteres,
                CritereCote(code="PREMIER_QUARTILE", libelle="Premier quartile", points=10),
            ]
        }
    )


async def test_caleol_vote_decision_offres_bail(env: Any) -> None:
    matching, source, recus, client = env
    vacance, (un, deux, trois) = await designer(client, source)
    # Rank 2's cotation for the unit's EPCI holds the first-quartile criterion: the SNE
    # data of its attribution say so (issue 17, Q1 flag from the data matching holds).
    await publier(source, premier_quartile(deux, 60))

    # 1. Commission, members (the maire of another commune does not sit for this unit).
    r = await client.post(
        "/api/matching/commissions",
        json={"nom": "CALEOL Atlantique Habitat — Nantes", "departement": "44"},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    commission = r.json()["id"]
    for compte, qualite, extra in (
        (PRESIDENTE, "ADMINISTRATEUR", {"president": True}),
        (ADMIN, "REPRESENTANT_LOCATAIRES", {}),
        (MAIRE, "MAIRE", {"commune": "44109"}),
        (MAIRE_AILLEURS, "MAIRE", {"commune": "44143"}),
    ):
        r = await client.post(
            f"/api/matching/commissions/{commission}/membres",
            json={"compte_id": compte, "nom": compte, "qualite": qualite, **extra},
            headers=BAILLEUR_H,
        )
        assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/matching/commissions/{commission}/membres",
        json={"compte_id": "y", "nom": "Préfet", "qualite": "PREFET", "president": True},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "president"
    seance = await nouvelle_seance(client, commission, "CAL-2026-01", "2026-06-02", "NUMERIQUE")
    r = await client.post(
        f"/api/matching/seances/{seance}/dossiers", json={"vacance_id": vacance}, headers=BAILLEUR_H
    )
    assert r.status_code == 201, r.text
    dossier = r.json()["id"]
    assert (
        await client.get(f"/api/matching/seances/{seance}", headers=membre_h(INTRUS))
    ).status_code == 404

    # 2. Remote vote: the president opens it; the dossier shows who sits, with what vote.
    limite = datetime.now(UTC) + timedelta(hours=25)
    url_vote = f"/api/matching/dossiers/{dossier}/vote"
    r = await client.post(
        url_vote, json={"date_limite": limite.isoformat()}, headers=membre_h(ADMIN)
    )
    assert r.status_code == 403
    r = await client.post(
        url_vote, json={"date_limite": limite.isoformat()}, headers=membre_h(PRESIDENTE)
    )
    assert r.status_code == 200, r.text
    r = await client.get(f"/api/matching/dossiers/{dossier}", headers=membre_h(PRESIDENTE))
    assert {m["compte_id"] for m in r.json()["siegeants"]} == {PRESIDENTE, ADMIN, MAIRE}
    assert r.json()["voix_preponderante"] == MAIRE

    bulletin = f"{url_vote}/bulletin"
    classement = {"choix": "ATTRIBUER", "rangs": [str(un), str(deux)]}
    assert (
        await client.put(bulletin, json=classement, headers=membre_h(PRESIDENTE))
    ).status_code == 200
    # Changed until the deadline: one ballot per member, the last one counts.
    await client.put(bulletin, json={"choix": "NE_PAS_ATTRIBUER"}, headers=membre_h(ADMIN))
    assert (await client.put(bulletin, json=classement, headers=membre_h(ADMIN))).status_code == 200
    # A maire sits for the units of their commune only: elsewhere the dossier is not theirs.
    r = await client.put(bulletin, json=classement, headers=membre_h(MAIRE_AILLEURS))
    assert r.status_code == 404 and r.json()["detail"] == "Dossier introuvable"
    r = await client.put(bulletin, json=classement, headers=membre_h(INTRUS))
    assert r.status_code == 404
    r = await client.put(
        bulletin, json={"choix": "ATTRIBUER", "rangs": [str(uuid4())]}, headers=membre_h(MAIRE)
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/matching/dossiers/{dossier}/messages",
        json={"texte": "Le rang 1 a déjà refusé une offre dans cette résidence ?"},
        headers=membre_h(MAIRE),
    )
    assert r.status_code == 201
    r = await client.post(
        f"/api/matching/dossiers/{dossier}/decision",
        json={"decisions": [{"demande_id": str(un), "sens": "ATTRIBUTION", "rang": 1}]},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 409 and "ouvert" in r.json()["detail"]

    # The deadline passes: the result is computed and recorded with who voted what.
    async with matching.db.session() as session:
        await session.execute(
            dossiers_caleol.update()
            .where(dossiers_caleol.c.id == UUID(dossier))
            .values(vote_limite=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()
    r = await client.put(bulletin, json=classement, headers=membre_h(MAIRE))
    assert r.status_code == 409 and "clos" in r.json()["detail"]
    r = await client.get(f"/api/matching/dossiers/{dossier}", headers=membre_h(MAIRE))
    resultat = r.json()["resultat"]
    assert resultat["choix"] == "ATTRIBUER" and resultat["quorum_atteint"]
    assert resultat["rangs"] == [str(un), str(deux)]
    votes = {v["nom"]: (v["choix"], v["modifications"]) for v in resultat["votes"]}
    assert votes == {PRESIDENTE: ("ATTRIBUER", 0), ADMIN: ("ATTRIBUER", 1)}
    assert r.json()["messages"][0]["texte"].startswith("Le rang 1")

    # 3. Decision: the law's reasons are required; the vote's result binds it.
    url_decision = f"/api/matching/dossiers/{dossier}/decision"
    sans_motif = [
        {"demande_id": str(un), "sens": "ATTRIBUTION_RANG", "rang": 1},
        {"demande_id": str(deux), "sens": "ATTRIBUTION_RANG", "rang": 2},
        {"demande_id": str(trois), "sens": "IRRECEVABILITE", "motifs": "plafond"},
    ]
    r = await client.post(url_decision, json={"decisions": sans_motif}, headers=BAILLEUR_H)
    assert r.status_code == 422
    assert {e["champ"] for e in r.json()["erreurs"]} == {
        "decisions[2].motifs",
        "decisions[2].fondement",
    }
    r = await client.post(
        url_decision,
        json={
            "decisions": [
                {
                    "demande_id": str(un),
                    "sens": "NON_ATTRIBUTION",
                    "motifs": "Taux d'effort trop élevé",
                }
            ]
        },
        headers=BAILLEUR_H,
    )
    assert r.status_code == 409  # the vote attributed
    complet = [
        *sans_motif[:2],
        {
            "demande_id": str(trois),
            "sens": "IRRECEVABILITE",
            "motifs": "Revenu fiscal de référence au-dessus du plafond PLUS (catégorie 3)",
            "fondement": "PLAFOND_RESSOURCES",
        },
    ]
    r = await client.post(url_decision, json={"decisions": complet}, headers=BAILLEUR_H)
    assert r.status_code == 200, r.text
    offre_1 = r.json()["offre"]
    assert offre_1["rang"] == 1 and offre_1["delai_jours"] == 10
    assert (
        date.fromisoformat(offre_1["date_limite"])
        - date.fromisoformat(offre_1["date_notification"])
    ).days >= 10

    async def recu(n: int) -> bool:
        return len(recus) >= n

    await attendre(lambda: recu(2))
    decision = next(e for e in recus if isinstance(e, CaleolDecisionPrise))
    assert [d.sens.value for d in decision.decisions] == [
        "ATTRIBUTION_RANG",
        "ATTRIBUTION_RANG",
        "IRRECEVABILITE",
    ]
    assert decision.decisions[2].sous_motif_irrecevabilite is not None

    # Rank 1 renounces meanwhile: the offer to a radiated demande cannot be accepted.
    await publier(
        source,
        DemandeRadiee(
            demande_id=un,
            version=2,
            departement="44",
            statut=StatutDemande.RADIEE,
            snapshot=snapshot(15000),
            motif=MotifRadiation.RENONCIATION,
            date_radiation=date.today(),
        ),
    )

    async def radiee() -> bool:
        async with matching.db.session() as session:
            statut = (
                await session.execute(
                    sa.select(demandes.c.statut).where(demandes.c.demande_id == un)
                )
            ).scalar_one()
        return bool(statut == "RADIEE")

    await attendre(radiee)
    r = await client.post(
        f"/api/matching/offres/{offre_1['id']}/reponse",
        json={"accepte": True, "date_reponse": offre_1["date_notification"]},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 409 and "radiée" in r.json()["detail"]

    # 4. Silence past the deadline = refusal (daily job, run twice: once only), then rank 2.
    lendemain = date.fromisoformat(offre_1["date_limite"]) + timedelta(days=1)
    await echeances_des_offres(matching, lendemain)
    await echeances_des_offres(matching, lendemain)
    await attendre(lambda: recu(4))
    refus = [e for e in recus if isinstance(e, OffreRefusee)]
    assert len(refus) == 1 and refus[0].tacite and refus[0].rang_suivant == 2
    async with matching.db.session() as session:
        lignes = (await session.execute(sa.select(offres).order_by(offres.c.rang))).mappings().all()
    assert [(o["rang"], o["statut"]) for o in lignes] == [(1, "REFUSEE"), (2, "EMISE")]
    offre_2 = lignes[1]
    # The reminder before its deadline (configuration: 3 days), once.
    veille = offre_2["date_limite"] - timedelta(days=2)
    await echeances_des_offres(matching, veille)
    await echeances_des_offres(matching, veille)
    await attendre(lambda: recu(5))
    rappels = [e for e in recus if isinstance(e, OffreRappelee)]
    assert len(rappels) == 1 and rappels[0].date_limite_reponse == offre_2["date_limite"]

    # 5. Rank 2 accepts; a lease before the offer is refused; then signed.
    r = await client.post(
        f"/api/matching/offres/{offre_2['id']}/reponse",
        json={"accepte": True, "date_reponse": lendemain.isoformat()},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 200, r.text
    url_bail = f"/api/matching/offres/{offre_2['id']}/bail"
    r = await client.post(
        url_bail,
        json={"date_signature": (lendemain - timedelta(days=30)).isoformat()},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "date_signature"
    bail = lendemain + timedelta(days=5)
    r = await client.post(
        url_bail,
        json={"date_signature": bail.isoformat(), "bailleur_siren": "732829320"},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    await attendre(lambda: recu(7))
    attribution = next(e for e in recus if isinstance(e, AttributionPrononcee))
    assert attribution.demande_id == deux and attribution.logement.rpls == "44109000101"
    assert attribution.logement.qpv and attribution.contingent == "ETAT_PRIORITAIRES"
    assert attribution.delai_attente_jours == (bail - date(2022, 9, 1)).days
    assert attribution.premier_quartile is True
    r = await client.get(f"/api/matching/flux?annee={datetime.now(UTC).year}", headers=BAILLEUR_H)
    etat = next(lg for lg in r.json()[0]["lignes"] if lg["contingent"] == "ETAT_PRIORITAIRES")
    assert etat["attribues"] == 1

    # 6. Minutes: signed by the president only, once every dossier is decided.
    url_pv = f"/api/matching/seances/{seance}/proces-verbal"
    assert (await client.post(f"{url_pv}/signature", headers=membre_h(ADMIN))).status_code == 403
    r = await client.post(f"{url_pv}/signature", headers=membre_h(PRESIDENTE))
    assert r.status_code == 200, r.text
    r = await client.get(f"{url_pv}.pdf", headers=membre_h(MAIRE))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")

    # 7. Export in the stock import's format.
    r = await client.get("/api/matching/export/attributions?format=csv", headers=BAILLEUR_H)
    assert r.status_code == 200 and "44109000101" in r.text and r.text.count("\n") == 2
    r = await client.get("/api/matching/export/decisions?format=json", headers=BAILLEUR_H)
    assert [d["decision"] for d in r.json()] == [
        "ATTRIBUTION_RANG",
        "ATTRIBUTION_RANG",
        "IRRECEVABILITE",
    ]


async def test_dernier_rang_refuse_la_vacance_revient_au_reservataire(env: Any) -> None:
    """Every ranked attributaire refuses (or the CALEOL attributes to nobody): the vacancy
    goes back to its réservataire, oriented again (`vacance.orientee`), and is designated
    and put on an agenda anew (primer §9.1.7: refusal → next rank or back to the
    réservataire), without those who refused it or that the CALEOL did not retain."""
    matching, source, recus, client = env
    vacance, (un, deux, trois) = await designer(client, source)
    r = await client.post(
        "/api/matching/commissions",
        json={"nom": "CALEOL Nantes", "departement": "44"},
        headers=BAILLEUR_H,
    )
    commission = r.json()["id"]
    seance = await nouvelle_seance(client, commission, "CAL-2026-02", "2026-06-09", "PRESENTIELLE")
    r = await client.post(
        f"/api/matching/seances/{seance}/dossiers", json={"vacance_id": vacance}, headers=BAILLEUR_H
    )
    dossier = r.json()["id"]
    r = await client.post(
        f"/api/matching/dossiers/{dossier}/decision",
        json={
            "decisions": [
                {"demande_id": str(un), "sens": "ATTRIBUTION_RANG", "rang": 1},
                {"demande_id": str(deux), "sens": "ATTRIBUTION_RANG", "rang": 2},
                {
                    "demande_id": str(trois),
                    "sens": "NON_ATTRIBUTION",
                    "motifs": "Typologie trop grande pour le ménage",
                },
            ]
        },
        headers=BAILLEUR_H,
    )
    assert r.status_code == 200, r.text
    offre = r.json()["offre"]
    for rang in (1, 2):
        r = await client.post(
            f"/api/matching/offres/{offre['id']}/reponse",
            json={
                "accepte": False,
                "motif": "LOCALISATION",
                "date_reponse": offre["date_notification"],
            },
            headers=BAILLEUR_H,
        )
        assert r.status_code == 200, r.text
        assert (r.json()["suivante"] is None) == (rang == 2)
        offre = r.json()["suivante"]
    r = await client.get(f"/api/matching/vacances/{vacance}", headers=BAILLEUR_H)
    assert r.json()["statut"] == "ORIENTEE"
    r = await client.get(f"/api/matching/vacances/{vacance}/designation", headers=ETAT_H)
    assert r.status_code == 404

    async with matching.db.session() as session:
        orientations = (
            await session.execute(
                sa.select(outbox.c.envelope)
                .where(outbox.c.event_type == "vacance.orientee")
                .order_by(outbox.c.id)
            )
        ).scalars()
        enveloppes = [json.loads(e) for e in orientations]
    # The first orientation by the bailleur, then the return to the same réservataire.
    assert [e["data"]["version"] for e in enveloppes] == [2, 4]
    assert enveloppes[1]["data"]["contingent"] == "ETAT_PRIORITAIRES"
    assert enveloppes[1]["data"]["reservataire_id"] == ETAT

    async def deux_refus() -> bool:
        return len([e for e in recus if isinstance(e, OffreRefusee)]) == 2

    await attendre(deux_refus)
    refus = [e for e in recus if isinstance(e, OffreRefusee)]
    assert [e.rang_suivant for e in refus] == [2, None]

    # The search does not propose again those who refused this unit (un, deux) or that
    # the CALEOL did not retain for it (trois): excluded, each with its reason.
    r = await client.get(f"/api/matching/vacances/{vacance}/candidats", headers=ETAT_H)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["candidats"] == []
    motifs = {UUID(e["demande_id"]): [x["motif"] for x in e["exclusions"]] for e in page["exclues"]}
    le = f"le {datetime.now(UTC).date():%d/%m/%Y}"
    assert motifs[un] == motifs[deux] == [f"exclue : a refusé l'offre de ce logement {le}"]
    assert motifs[trois] == [
        f"exclue : la CALEOL a décidé de ne pas lui attribuer ce logement {le}"
    ]
    comptes = {c["code"]: (c["motif"], c["nombre"]) for c in page["comptes_exclusions"]}
    assert comptes["REFUS_ANTERIEUR"] == (
        "a déjà refusé ce logement ou n'y a pas été retenue par la CALEOL",
        3,
    )
    # Nor can the réservataire designate them again.
    r = await client.post(
        f"/api/matching/vacances/{vacance}/designation",
        json={"candidats": [str(un), str(deux), str(trois)]},
        headers=ETAT_H,
    )
    assert r.status_code == 422 and "a refusé l'offre de ce logement" in r.text, r.text

    # A new household applies: the réservataire designates it, and the vacancy goes on a
    # new agenda.
    quatre = uuid4()
    await publier(source, creee(quatre, 15500), cotation(quatre, 40))

    async def un_candidat() -> bool:
        r = await client.get(f"/api/matching/vacances/{vacance}/candidats", headers=ETAT_H)
        return [UUID(c["demande_id"]) for c in r.json()["candidats"]] == [quatre]

    await attendre(un_candidat)
    r = await client.post(
        f"/api/matching/vacances/{vacance}/designation",
        json={"candidats": [str(quatre)], "exception": "PAS_ASSEZ_DE_CANDIDATS"},
        headers=ETAT_H,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/matching/seances/{seance}/dossiers", json={"vacance_id": vacance}, headers=BAILLEUR_H
    )
    assert r.status_code == 409 and "autre séance" in r.json()["detail"]
    autre = await nouvelle_seance(client, commission, "CAL-2026-03", "2026-06-16", "PRESENTIELLE")
    r = await client.post(
        f"/api/matching/seances/{autre}/dossiers",
        json={"vacance_id": vacance},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text

    # This time the commission attributes to nobody: no offer, the vacancy goes straight
    # back to its réservataire.
    motif = "Typologie inadaptée à la composition du ménage"
    r = await client.post(
        f"/api/matching/dossiers/{r.json()['id']}/decision",
        json={
            "decisions": [{"demande_id": str(quatre), "sens": "NON_ATTRIBUTION", "motifs": motif}]
        },
        headers=BAILLEUR_H,
    )
    assert r.status_code == 200, r.text
    assert r.json()["offre"] is None
    r = await client.get(f"/api/matching/vacances/{vacance}", headers=BAILLEUR_H)
    assert r.json()["statut"] == "ORIENTEE"
    r = await client.get(f"/api/matching/vacances/{vacance}/candidats", headers=ETAT_H)
    assert r.json()["candidats"] == []
    comptes = {c["code"]: c["nombre"] for c in r.json()["comptes_exclusions"]}
    assert comptes["REFUS_ANTERIEUR"] == 4
