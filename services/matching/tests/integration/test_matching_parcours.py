"""With the real PostgreSQL and RabbitMQ: stock import (report, all-or-nothing, re-run is
a no-op), read models fed by demande and cotation events, vacancy and orientation under a
convention, candidate search with its exclusions, a demande that leaves the ceiling
disappearing within a second, comparateur, designation publishing
`designation.effectuee`, the refusals of issue 14 and the consultation trace."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import sqlalchemy as sa
from toit_matching.adapters.tables import logements
from toit_matching.service import service

from servicekit import ServiceDefinition
from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.messaging.tables import consultation
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import assert_access_matrix, auth_headers
from toit_contracts.enums import CategorieMenage, MotifRadiation, StatutDemande, Typologie
from toit_contracts.events import (
    CotationCalculee,
    CritereCote,
    DemandeCreee,
    DemandeModifiee,
    DemandeRadiee,
    DesignationEffectuee,
    IntegrationEvent,
)
from toit_contracts.examples import example_snapshot

EXEMPLES = Path(__file__).parents[2] / "exemples"
MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_matching" / "migrations"
BAILLEUR = "bailleur-44"
ETAT = "etat-44"
NANTES_METROPOLE = "244400404"

BAILLEUR_H = auth_headers(roles={"INSTRUCTEUR"}, organisation=BAILLEUR, departements={"44"})
AUTRE_BAILLEUR_H = auth_headers(roles={"INSTRUCTEUR"}, organisation="autre", departements={"44"})
ETAT_H = auth_headers(roles={"RESERVATAIRE"}, organisation=ETAT, departements={"44"})
AUTRE_RESERVATAIRE_H = auth_headers(roles={"RESERVATAIRE"}, organisation="al", departements={"44"})

emetteur = ServiceDefinition(name="emetteur", migrations=MIGRATIONS)


def collecteur() -> tuple[ServiceDefinition, list[DesignationEffectuee]]:
    recues: list[DesignationEffectuee] = []
    consumer = EventConsumer("designations")

    @consumer.on(DesignationEffectuee)
    async def recevoir(_ctx: HandlerContext, event: DesignationEffectuee) -> None:
        recues.append(event)

    return ServiceDefinition(name="collecteur", migrations=MIGRATIONS, consumers=[consumer]), recues


async def publier(runtime: ServiceRuntime, *events: IntegrationEvent) -> None:
    async with runtime.unit_of_work() as uow:
        for event in events:
            uow.publish(event)
        await uow.commit()


def snapshot(
    rfr: int, *, communes: tuple[str, ...] = ("44109",), depot: date = date(2024, 1, 1)
) -> Any:
    base = example_snapshot()
    recherche = base.logement_recherche.model_copy(
        update={
            "communes": list(communes),
            "typologies": [Typologie.T3, Typologie.T4],
            "besoins_accessibilite": [],
        }
    )
    return base.model_copy(
        update={
            "logement_recherche": recherche,
            "revenu_fiscal_reference": Decimal(rfr),
            "categorie_menage": CategorieMenage.TROIS,
            "taille_menage": 3,
            "date_depot_initial": depot,
            "dalo": None,
        }
    )


def creee(demande_id: UUID, rfr: int, **k: Any) -> DemandeCreee:
    return DemandeCreee(
        demande_id=demande_id,
        version=1,
        departement="44",
        statut=StatutDemande.ACTIVE,
        numero_unique=None,
        snapshot=snapshot(rfr, **k),
    )


def cotation(demande_id: UUID, points: int, version: int = 1) -> CotationCalculee:
    return CotationCalculee(
        demande_id=demande_id,
        version=version,
        demande_version=1,
        epci=NANTES_METROPOLE,
        grille_id=uuid4(),
        grille_version=1,
        points=Decimal(points),
        criteres=[CritereCote(code="ANCIENNETE", libelle="Ancienneté", points=Decimal(points))],
        input_hash="x",
    )


async def attendre(predicat: Any, delai: float = 10.0) -> float:
    limite = time.monotonic() + delai
    while True:
        if await predicat():
            return time.monotonic()
        if time.monotonic() > limite:
            raise AssertionError("condition non atteinte")
        await asyncio.sleep(0.02)


@pytest.fixture
async def env(
    runtime_factory: RuntimeFactory,
) -> AsyncIterator[
    tuple[ServiceRuntime, ServiceRuntime, list[DesignationEffectuee], httpx.AsyncClient]
]:
    matching = await runtime_factory(service)
    definition, recues = collecteur()
    await runtime_factory(definition)
    source = await runtime_factory(emetteur)
    transport = httpx.ASGITransport(app=matching.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        yield matching, source, recues, client


async def test_matching_parcours_complet(env: Any) -> None:
    matching, source, recues, client = env

    # 1. Import: the file with errors is refused whole, with each line named.
    r = await client.post(
        "/api/matching/patrimoine/imports?format=csv&nom_fichier=erreurs.csv",
        content=(EXEMPLES / "patrimoine-erreurs.csv").read_bytes(),
        headers=BAILLEUR_H,
    )
    assert r.status_code == 422, r.text
    assert [(e["ligne"], e["champ"]) for e in r.json()["erreurs"]] == [
        (3, "commune_insee"),
        (4, "loyer"),
        (5, "typologie"),
        (6, "rpls"),
    ]
    async with matching.db.session() as session:
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(logements))
        ).scalar_one() == 0

    # The example file is accepted; importing it again changes nothing.
    contenu = (EXEMPLES / "patrimoine.csv").read_bytes()
    url = "/api/matching/patrimoine/imports?format=csv&nom_fichier=patrimoine.csv"
    r = await client.post(url, content=contenu, headers=BAILLEUR_H)
    assert r.status_code == 201, r.text
    assert (r.json()["crees"], r.json()["modifies"]) == (4, 0)
    r = await client.post(url, content=contenu, headers=BAILLEUR_H)
    assert (r.json()["crees"], r.json()["modifies"], r.json()["inchanges"]) == (0, 0, 4)
    async with matching.db.session() as session:
        versions = (await session.execute(sa.select(logements.c.version))).scalars().all()
    assert set(versions) == {1}
    # Another bailleur cannot take these units over, nor see them.
    r = await client.post(url, content=contenu, headers=AUTRE_BAILLEUR_H)
    assert r.status_code == 422 and "appartient à un autre bailleur" in r.text
    assert (
        await client.get("/api/matching/patrimoine/logements/44109000101", headers=AUTRE_BAILLEUR_H)
    ).status_code == 404

    # Push API: one unit, idempotent, If-Match checked.
    unite = {
        "adresse": "9 rue Neuve",
        "commune_insee": "44109",
        "typologie": "T3",
        "surface_m2": "66",
        "financement": "PLUS",
        "loyer": "430",
        "charges": "90",
        "etage": "1",
    }
    r = await client.put(
        "/api/matching/patrimoine/logements/44109000777", json=unite, headers=BAILLEUR_H
    )
    assert r.status_code == 201 and r.headers["etag"] == '"1"'
    r = await client.put(
        "/api/matching/patrimoine/logements/44109000777", json=unite, headers=BAILLEUR_H
    )
    assert r.status_code == 200 and r.headers["x-toit-effet"] == "inchange"
    r = await client.put(
        "/api/matching/patrimoine/logements/44109000777",
        json={**unite, "loyer": "-5"},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "loyer"
    r = await client.put(
        "/api/matching/patrimoine/logements/44109000777",
        json={**unite, "loyer": "440"},
        headers={**BAILLEUR_H, "If-Match": '"7"'},
    )
    assert r.status_code == 412

    # 2. Read models: demandes and scores from the bus only.
    riche, modeste, lointaine, ancienne = uuid4(), uuid4(), uuid4(), uuid4()
    await publier(
        source,
        creee(riche, 40000, depot=date(2023, 1, 1)),
        creee(modeste, 15000, depot=date(2025, 1, 1)),
        creee(lointaine, 15000, communes=("44162",)),
        creee(ancienne, 20000, depot=date(2019, 5, 1)),
        cotation(modeste, 60),
        cotation(riche, 40),
        cotation(ancienne, 40),
    )

    # 3. Vacancy, convention, orientation (with the suggested contingent).
    r = await client.post(
        "/api/matching/conventions",
        json={
            "reservataire_id": ETAT,
            "reservataire_nom": "DDETS 44",
            "departement": "44",
            "annee": datetime.now(UTC).year,
            "parts": {"ETAT_PRIORITAIRES": "25"},
        },
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    dispo = (datetime.now(UTC) + timedelta(days=30)).date()
    if dispo.year != datetime.now(UTC).year:
        dispo = date(datetime.now(UTC).year, 12, 31)
    r = await client.post(
        "/api/matching/vacances",
        json={"rpls": "44109000101", "type": "PREAVIS", "date_disponibilite": dispo.isoformat()},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    vacance = r.json()["id"]
    r = await client.get(f"/api/matching/vacances/{vacance}", headers=BAILLEUR_H)
    assert r.json()["suggestion"]["contingent"] in ("ETAT_PRIORITAIRES", "BAILLEUR")
    assert (
        await client.get(f"/api/matching/vacances/{vacance}", headers=ETAT_H)
    ).status_code == 404
    r = await client.post(
        f"/api/matching/vacances/{vacance}/orientation",
        json={"contingent": "ACTION_LOGEMENT", "reservataire_id": "al"},
        headers=BAILLEUR_H,
    )
    assert r.status_code == 422  # no convention reserves it
    r = await client.post(
        f"/api/matching/vacances/{vacance}/orientation",
        json={"contingent": "ETAT_PRIORITAIRES", "reservataire_id": ETAT},
        headers={**BAILLEUR_H, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    assert (
        await client.get(f"/api/matching/vacances/{vacance}", headers=AUTRE_RESERVATAIRE_H)
    ).status_code == 404
    r = await client.get(f"/api/matching/flux?annee={dispo.year}", headers=BAILLEUR_H)
    etat_ligne = next(lg for lg in r.json()[0]["lignes"] if lg["contingent"] == "ETAT_PRIORITAIRES")
    assert (r.json()[0]["base"], etat_ligne["orientes"]) == (1, 1)

    # 4. Candidate search by the réservataire, every exclusion explained.
    async def candidats() -> dict[str, Any]:
        r = await client.get(f"/api/matching/vacances/{vacance}/candidats", headers=ETAT_H)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def quatre_connues() -> bool:
        page = await candidats()
        return page["candidats_total"] + page["exclues_total"] == 4

    await attendre(quatre_connues)
    page = await candidats()
    assert [c["demande_id"] for c in page["candidats"]] == [str(modeste), str(ancienne)]
    # Excluded by the storage's pre-filter: counted and listed with its reason explained.
    assert [x["demande_id"] for x in page["exclues"]] == [str(riche)]
    assert page["exclues_listees"] == 1
    (exclusion,) = page["exclues"][0]["exclusions"]
    assert exclusion["code"] == "PLAFOND_PLUS"
    assert exclusion["motif"].startswith("exclue : ressources au-dessus du plafond PLUS")
    assert "catégorie 3" in exclusion["motif"]
    comptes = {c["code"]: c["nombre"] for c in page["comptes_exclusions"]}
    assert comptes == {"PLAFOND_PLUS": 1, "COMMUNE": 1}
    assert page["candidats"][0]["budget"]["taux_effort"] is not None

    # A demande modified above the ceiling disappears within a second.
    debut = time.monotonic()
    await publier(
        source,
        DemandeModifiee(
            demande_id=ancienne,
            version=2,
            departement="44",
            statut=StatutDemande.ACTIVE,
            snapshot=snapshot(50000, depot=date(2019, 5, 1)),
        ),
    )

    async def partie() -> bool:
        return str(ancienne) not in [c["demande_id"] for c in (await candidats())["candidats"]]

    fin = await attendre(partie)
    assert fin - debut < 1.0, f"{fin - debut:.3f} s"
    # A stale copy (version 1 again) is dropped.
    await publier(source, creee(ancienne, 20000, depot=date(2019, 5, 1)))
    await asyncio.sleep(0.3)
    assert str(ancienne) not in [c["demande_id"] for c in (await candidats())["candidats"]]

    # 5. Comparateur: taux d'effort, APL stated as an estimate, distance.
    r = await client.get(
        f"/api/matching/vacances/{vacance}/comparateur",
        params=[("demandes", str(modeste)), ("demandes", str(riche))],
        headers=ETAT_H,
    )
    assert r.status_code == 200, r.text
    assert "Estimation indicative" in r.json()["avertissement_apl"]
    assert r.json()["colonnes"][0]["score"] == "60.00"
    assert r.json()["colonnes"][1]["exclusions"][0]["code"] == "PLAFOND_PLUS"

    # 6. Designation: refusals, then success and the event.
    base = f"/api/matching/vacances/{vacance}/designation"
    r = await client.post(base, json={"candidats": [str(modeste), str(modeste)]}, headers=ETAT_H)
    assert r.status_code == 409
    r = await client.post(base, json={"candidats": [str(riche)]}, headers=ETAT_H)
    assert r.status_code == 422 and "plafond" in r.text
    await publier(
        source,
        DemandeRadiee(
            demande_id=lointaine,
            version=2,
            departement="44",
            statut=StatutDemande.RADIEE,
            snapshot=snapshot(15000, communes=("44162",)),
            motif=MotifRadiation.RENONCIATION,
            date_radiation=date(2026, 1, 2),
        ),
    )
    await asyncio.sleep(0.3)
    r = await client.post(base, json={"candidats": [str(lointaine)]}, headers=ETAT_H)
    assert r.status_code == 409 and "non active" in r.text
    r = await client.post(base, json={"candidats": [str(modeste)]}, headers=ETAT_H)
    assert r.status_code == 422 and "indiquez l'exception" in r.text  # one candidate only
    r = await client.post(
        base,
        json={"candidats": [str(modeste)], "exception": "PAS_ASSEZ_DE_CANDIDATS"},
        headers=ETAT_H,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        base,
        json={"candidats": [str(modeste)], "exception": "PAS_ASSEZ_DE_CANDIDATS"},
        headers=ETAT_H,
    )
    assert r.status_code == 409  # already designated
    await attendre(lambda: _vrai(len(recues) == 1))
    assert recues[0].candidats[0].demande_id == modeste and recues[0].reservataire_id == ETAT

    # Every candidate list read is traced.
    async with matching.db.session() as session:
        traces = (
            await session.execute(
                sa.select(consultation.c.record_id, consultation.c.reason).where(
                    consultation.c.organisation_id == ETAT
                )
            )
        ).all()
    assert {str(modeste), str(riche)} <= {t.record_id for t in traces}
    assert any("comparateur" in (t.reason or "") for t in traces)


async def _vrai(valeur: bool) -> bool:
    return valeur


async def test_matching_access_matrix(memory_runtime_factory: RuntimeFactory) -> None:
    runtime = await memory_runtime_factory(service)
    await assert_access_matrix(runtime.app(manage_lifespan=False), path_params={"rpls": "X1"})


async def test_matching_import_au_dela_du_mega_octet(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    """The stock import path accepts files beyond servicekit's default 1 MiB body bound."""
    from toit_matching.entrypoints.seed import stock_demo

    runtime = await memory_runtime_factory(service)
    contenu = stock_demo(9000, graine=7)
    assert len(contenu) > 1024 * 1024
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        r = await client.post(
            "/api/matching/patrimoine/imports?format=csv", content=contenu, headers=BAILLEUR_H
        )
        assert r.status_code == 201, r.text[:500]
        assert r.json()["crees"] == 9000
        r = await client.post(
            "/api/matching/vacances", content=b"x" * (1024 * 1024 + 1), headers=BAILLEUR_H
        )
        assert r.status_code == 413
