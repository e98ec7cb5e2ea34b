"""Item 4 (indicators, first-quartile threshold, obligations) on hand-built read
models with known answers; items 6 and 7 (charts as SVG, fiche and bilan PDF, public
key figures published as an event and served publicly); exports recorded."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from toit_observatoire.adapters import repository, tables
from toit_observatoire.bootstrap import dependances
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.entrypoints import jobs
from toit_observatoire.service import service
from toit_observatoire.service_layer import indicateurs

from servicekit.messaging.tables import outbox
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers

pytestmark = pytest.mark.integration

RENNES_METROPOLE = "243500139"
RENNES = "35238"
GESTIONNAIRE = {"roles": {"GESTIONNAIRE_FICHIER"}, "departements": {"35"}, "sub": "gestionnaire"}


def _demande(
    depot: date,
    revenu: int,
    *,
    statut: str = "ACTIVE",
    mutation: bool = False,
    radiation: date | None = None,
) -> dict[str, Any]:
    return {
        "demande_id": uuid.uuid4(),
        "version": 1,
        "numero_unique": None,
        "departement": "35",
        "statut": statut,
        "commune": RENNES,
        "epci": RENNES_METROPOLE,
        "typologie": "T2",
        "typologies": "T2",
        "taille_menage": 2,
        "categorie_menage": 2,
        "unites_consommation": 1.5,
        "ressources_mensuelles": revenu * 1.5 / 12,
        "revenu_annuel_uc": revenu,
        "age_demandeur": 35,
        "situation_familiale": None,
        "type_logement_actuel": "LOCATAIRE_HLM" if mutation else "HEBERGE_CHEZ_TIERS",
        "motif_principal": None,
        "canal_depot": "GUICHET",
        "guichet": None,
        "mutation": mutation,
        "dalo": False,
        "prioritaire": False,
        "date_depot": depot,
        "mois_depot": f"{depot:%Y-%m}",
        "date_enregistrement": depot,
        "date_expiration": None,
        "date_radiation": radiation,
        "mois_radiation": f"{radiation:%Y-%m}" if radiation else None,
        "motif_radiation": "ATTRIBUTION" if radiation else None,
        "anciennete_mois": None,
        "maj_le": datetime.now(UTC),
    }


def _attribution(
    delai: int, *, qpv: bool, q1: bool, reservataire: str, dalo: bool = False
) -> dict[str, Any]:
    jour = date(2025, 7, 1)
    return {
        "attribution_id": str(uuid.uuid4()),
        "demande_id": None,
        "source": "matching",
        "departement": "35",
        "commune": RENNES,
        "epci": RENNES_METROPOLE,
        "date_attribution": jour,
        "mois": "2025-07",
        "annee": 2025,
        "typologie_demandee": "T3",
        "typologie_attribuee": "T3",
        "bailleur": None,
        "reservataire": reservataire,
        "qpv": qpv,
        "premier_quartile": q1,
        "relogement_anru": False,
        "revenu_annuel_uc": None,
        "dalo": dalo,
        "prioritaire": False,
        "mutation": False,
        "date_depot": jour - timedelta(days=delai),
        "delai_jours": delai,
    }


async def _fixtures(runtime: Any) -> None:
    revenus_2024 = [9000, 4000, 12000, 6000, 20000, 15000, 7000, 30000]
    demandes = [_demande(date(2024, 6, 1), r, mutation=i < 2) for i, r in enumerate(revenus_2024)]
    demandes += [_demande(date(2025, 3, 10), 50000) for _ in range(4)]
    demandes += [
        _demande(date(2024, 1, 1), 8000, statut="RADIEE", radiation=date(2025, 7, 1))
        for _ in range(6)
    ]
    attributions = [
        _attribution(300, qpv=False, q1=True, reservataire="ACTION_LOGEMENT", dalo=True),
        _attribution(400, qpv=False, q1=False, reservataire="ACTION_LOGEMENT"),
        _attribution(500, qpv=False, q1=False, reservataire="ACTION_LOGEMENT"),
        _attribution(600, qpv=False, q1=False, reservataire="ACTION_LOGEMENT"),
        _attribution(700, qpv=True, q1=True, reservataire="COMMUNE"),
        _attribution(800, qpv=True, q1=False, reservataire="COMMUNE"),
    ]
    async with runtime.db.engine.begin() as conn:
        await conn.execute(tables.rm_demande.insert(), demandes)
        await conn.execute(tables.rm_attribution.insert(), attributions)


async def test_indicators_on_known_fixtures(memory_runtime_factory: RuntimeFactory) -> None:
    runtime = await memory_runtime_factory(service)
    await _fixtures(runtime)
    headers = auth_headers(**GESTIONNAIRE)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    ) as http:
        r = await http.get(
            "/api/observatoire/indicateurs",
            params={"niveau": "epci", "code": RENNES_METROPOLE, "annee": 2025},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        jeu = r.json()
        assert jeu["stock"] == 12
        # 10 externes and 2 mutations: 2 is secret, and so is 10 (12 - 10 = 2).
        assert jeu["stock_externes"] is None and jeu["stock_mutations"] is None
        assert jeu["nouvelles_demandes"] == 4
        assert jeu["attributions"] == 6
        assert jeu["pression"] == 2.0
        # Stock on 31/12/2024: 8 deposited in 2024 + 6 radiated in 2025 = 14.
        assert jeu["taux_satisfaction"] == round(6 / (14 + 4), 4)
        assert jeu["delai_moyen_mois"] == round(550 / 30.4375, 2)
        assert jeu["delai_median_mois"] == round(550 / 30.4375, 2)
        # 12 demandes en cours: the lowest ⌈12/4⌉ = 3 are 4000, 6000, 7000.
        assert float(jeu["seuil_q1_calcule"]) == 7000
        assert jeu["seuil_q1_reference"]["placeholder"] is True
        assert jeu["seuil_q1_reference"]["valeur"] is None
        q1, qpv = jeu["obligations"]
        assert (q1["total"], q1["conformes"], q1["taux"], q1["atteinte"]) == (4, 1, 0.25, True)
        assert (qpv["total"], qpv["conformes"], qpv["taux"], qpv["atteinte"]) == (2, 1, 0.5, True)
        dalo = {o["libelle"]: o for o in jeu["obligations_dalo"]}
        al = dalo["DALO et prioritaires — ACTION_LOGEMENT"]
        assert (al["total"], al["conformes"], al["atteinte"], al["manquantes"]) == (4, 1, True, 0)
        commune = dalo["DALO et prioritaires — COMMUNE"]
        assert (commune["total"], commune["conformes"], commune["manquantes"]) == (2, 0, 1)
        # Radiations by motif: 6 attributions, not secret.
        assert jeu["radiations"]["valeurs"] == {"ATTRIBUTION": 6}

        # Outside the caller's territory: nothing.
        other = auth_headers(**{**GESTIONNAIRE, "departements": {"44"}})
        r = await http.get(
            "/api/observatoire/indicateurs",
            params={"niveau": "epci", "code": RENNES_METROPOLE, "annee": 2025},
            headers=other,
        )
        assert r.json()["stock"] == 0
        r = await http.get(
            "/api/observatoire/indicateurs",
            params={"niveau": "epci", "code": "999999999", "annee": 2025},
            headers=headers,
        )
        assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "code"

        # Chart as SVG, fiche and bilan as PDF; each PDF recorded as an export.
        svg = await http.get(
            "/api/observatoire/indicateurs/graphique.svg",
            params={"niveau": "epci", "code": RENNES_METROPOLE, "annee": 2025},
            headers=headers,
        )
        assert svg.status_code == 200 and svg.text.startswith("<svg")
        pdf = await http.get(
            f"/api/observatoire/fiches/epci/{RENNES_METROPOLE}.pdf",
            params={"annee": 2025},
            headers=headers,
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        bilan = await http.get(
            "/api/observatoire/bilan/departement/35.pdf", params={"annee": 2025}, headers=headers
        )
        assert bilan.status_code == 200 and bilan.content.startswith(b"%PDF")
        journal = (await http.get("/api/observatoire/exports", headers=headers)).json()
        assert {e["quoi"] for e in journal} == {
            f"fiche:epci:{RENNES_METROPOLE}:2025",
            "bilan:departement:35:2025",
        }
        assert all(e["qui"] == "gestionnaire" for e in journal)

        # Public key figures: published as an event, served without a token.
        await jobs.publier_chiffres_cles(runtime, date(2026, 1, 15))
        async with runtime.db.engine.connect() as conn:
            types = (await conn.execute(sa.select(outbox.c.event_type))).scalars().all()
        assert types.count("observatoire.chiffres_cles_publies") == 9
        r = await http.get("/api/observatoire/chiffres-cles", params={"commune": RENNES})
        assert r.status_code == 200, r.text
        figures = {c["typologie"]: c for c in r.json()["chiffres"]}
        assert figures[None]["demandes_en_cours"] == 12
        assert figures[None]["attributions_annee_precedente"] == 6
        assert figures[None]["delai_median_mois"] == round(550 / 30.4375, 1)
        assert figures["T2"]["demandes_en_cours"] == 12
        assert figures["T3"]["attributions_annee_precedente"] == 6
        r = await http.get("/api/observatoire/chiffres-cles", params={"commune": "35051"})
        assert r.status_code == 404


async def test_indicators_on_postgresql(runtime_factory: RuntimeFactory) -> None:
    """The same known answers with PostgreSQL's aggregates (percentile_cont)."""
    runtime = await runtime_factory(service)
    await _fixtures(runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    ) as http:
        r = await http.get(
            "/api/observatoire/indicateurs",
            params={"niveau": "epci", "code": RENNES_METROPOLE, "annee": 2025},
            headers=auth_headers(**GESTIONNAIRE),
        )
    jeu = r.json()
    assert (jeu["stock"], jeu["nouvelles_demandes"], jeu["attributions"]) == (12, 4, 6)
    assert jeu["taux_satisfaction"] == round(6 / 18, 4)
    assert jeu["delai_median_mois"] == round(550 / 30.4375, 2)
    assert float(jeu["seuil_q1_calcule"]) == 7000
    q1, qpv = jeu["obligations"]
    assert (q1["total"], q1["conformes"], qpv["total"], qpv["conformes"]) == (4, 1, 2, 1)

    # By typologie (demandes: wanted; attributions: attributed) and by réservataire.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    ) as http:
        params = {"niveau": "epci", "code": RENNES_METROPOLE, "annee": 2025}
        t3 = (
            await http.get(
                "/api/observatoire/indicateurs",
                params={**params, "typologie": "T3"},
                headers=auth_headers(**GESTIONNAIRE),
            )
        ).json()
        assert (t3["stock"], t3["attributions"]) == (0, 6)
        commune = (
            await http.get(
                "/api/observatoire/indicateurs",
                params={**params, "reservataire": "COMMUNE"},
                headers=auth_headers(**GESTIONNAIRE),
            )
        ).json()
        assert commune["attributions"] == 2
        bad = await http.get(
            "/api/observatoire/indicateurs",
            params={**params, "typologie": "T9"},
            headers=auth_headers(**GESTIONNAIRE),
        )
        assert bad.status_code == 422

    # The HTTP answer runs its statements on two connections sharing one snapshot: the
    # same set as one connection computes.
    db = dependances(runtime).db
    async with db.engine.connect() as conn, conn.begin():
        seul, deux = [
            await indicateurs.calculer(
                conn,
                "epci",
                RENNES_METROPOLE,
                2025,
                Perimetre(tout=True),
                seuil_secret=5,
                parallele=parallele,
            )
            for parallele in (None, functools.partial(repository.connexion_instantane, db.engine))
        ]
    assert seul == deux and seul.stock == 12
