"""The search statement on PostgreSQL (adapters/recherche_sql.py) agrees with the domain's
evaluation of the whole pool (the embedded mode's path) on generated demandes: same
candidates in the same order, same excluded ones in the same order, same counts per
reason and totals, for several units, both perimeters, with and without the soft
filters, and for agents with a restricted territory."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from toit_matching.adapters import recherche_sql
from toit_matching.adapters.tables import demandes, logements, scores, souhaits, vacances
from toit_matching.bootstrap import dependances
from toit_matching.domain.demandeurs import champs_recherche, projeter, vue_en_json
from toit_matching.domain.recherche import LIBELLES_BESOINS, Perimetre
from toit_matching.service import service
from toit_matching.service_layer import candidats
from toit_matching.service_layer.acces import Acteur
from toit_matching.service_layer.copies_demandes import EtatDemande, suivre_demandes

from servicekit.auth import Principal
from servicekit.db import Database
from servicekit.migrations import upgrade
from servicekit.testing import RuntimeFactory, create_database, drop_database

NANTES, SAINT_HERBLAIN, SAINT_NAZAIRE = "44109", "44162", "44184"
NANTES_METROPOLE = "244400404"
ETAT = "etat-44"


def snapshot(h: random.Random) -> dict[str, Any]:
    annee = datetime.now(UTC).year
    personnes: list[dict[str, Any]] = [
        {"role": "DEMANDEUR", "date_naissance": f"{h.randint(1950, 2002)}-05-01"}
    ]
    if h.random() < 0.5:
        personnes.append(
            {
                "role": "CODEMANDEUR",
                "lien": h.choice(["CONJOINT", None, "PARENT"]),
                "date_naissance": f"{h.randint(1950, 2002)}-02-01",
            }
        )
    for _ in range(h.choice([0, 0, 1, 2, 3, 4])):
        # Around the UC scale's adult age (14) too.
        naissance = h.choice([h.randint(2005, annee), annee - 14, annee - 13, annee - 15])
        personnes.append(
            {"role": "ENFANT", "date_naissance": f"{naissance}-09-01", "a_charge": h.random() < 0.9}
        )
    a_naitre = int(h.random() < 0.1)
    rfr = h.choice([None, 0, h.randint(5_000, 60_000), h.randint(15_000, 30_000)])
    ressources = h.choice(
        [None, "0", str(h.randint(300, 4_500)), f"{h.randint(800, 2_500)}.{h.randint(0, 99):02}"]
    )
    return {
        "personnes": personnes,
        "enfants_a_naitre": a_naitre,
        "taille_menage": len(personnes) + a_naitre,
        "categorie_menage": h.choice([None, 1, 2, 3, 4, 5, 6, h.randint(1, 6)]),
        "revenu_fiscal_reference": None if rfr is None else str(rfr),
        "annee_revenu_fiscal": 2024,
        "ressources_mensuelles_totales": ressources,
        "logement_recherche": {
            "typologies": h.sample(["T1", "T2", "T3", "T4", "T5"], h.randint(1, 3)),
            "communes": h.sample([NANTES, SAINT_HERBLAIN, SAINT_NAZAIRE], h.randint(1, 2)),
            "besoins_accessibilite": h.sample(sorted(LIBELLES_BESOINS), h.choice([0, 0, 0, 1, 2])),
            "etage_max": h.choice([None, None, 0, 1, 3]),
        },
        "logement_actuel": {"type": "HEBERGE_CHEZ_TIERS", "commune": NANTES},
        "dalo": h.choice(
            [None, None, None, {"type": "LOGEMENT", "designe_par_prefet": h.random() < 0.5}]
        ),
        "priorites": [
            {"categorie": f"P{i}", "statut": h.choice(["VALIDEE", "DECLAREE", "REJETEE"])}
            for i in range(h.choice([0, 0, 1, 2]))
        ],
        # Few dates: ties in the ranking reach the last key (the id).
        "date_depot_initial": (date(2023, 1, 1) + timedelta(days=h.randint(0, 6) * 30)).isoformat(),
    }


IND, COL = "INDIVIDUEL", "COLLECTIF"
NM = NANTES_METROPOLE
UNITES = [
    # commune, epci, typologie, financement, étage, ascenseur, accessibilité, loyer, charges,
    # chauffage, eau
    (NANTES, NM, "T3", "PLUS", 2, True, "NON", "420.00", "90.00", COL, COL),
    (NANTES, NM, "T2", "PLAI", 0, False, "ADAPTE", "310.50", "60.00", IND, IND),
    (SAINT_HERBLAIN, NM, "T4", "PLS", 4, False, "ACCESSIBLE", "690.00", "140.00", IND, COL),
    (SAINT_NAZAIRE, "244400644", "T3", "PLUS", 1, True, "ADAPTABLE", "455.00", "75.00", COL, IND),
]


async def vacance(session: Any, n: int, unite: tuple[Any, ...], maintenant: datetime) -> UUID:
    """A unit of UNITES and its vacancy oriented to ETAT."""
    commune, epci, typo, fin, etage, asc, acc, loyer, charges, ch, eau = unite
    logement_id, vacance_id = uuid4(), uuid4()
    await session.execute(
        logements.insert().values(
            id=logement_id,
            rpls=f"4400000000{n}",
            bailleur_id="bailleur-44",
            adresse="1 rue du Test",
            commune=commune,
            epci=epci,
            departement="44",
            qpv=False,
            typologie=typo,
            surface_m2=60,
            etage=etage,
            ascenseur=asc,
            accessibilite=acc,
            financement=fin,
            loyer=loyer,
            charges=charges,
            chauffage=ch,
            eau=eau,
            empreinte="x",
            version=1,
            cree_le=maintenant,
            modifie_le=maintenant,
        )
    )
    await session.execute(
        vacances.insert().values(
            id=vacance_id,
            logement_id=logement_id,
            bailleur_id="bailleur-44",
            departement="44",
            type="PREAVIS",
            date_disponibilite=(maintenant + timedelta(days=30)).date(),
            annee_flux=maintenant.year,
            declaree_le=maintenant,
            statut="ORIENTEE",
            hors_flux=False,
            reservataire_id=ETAT,
            version=1,
        )
    )
    return vacance_id


async def test_matching_recherche_sql_egale_au_domaine(runtime_factory: RuntimeFactory) -> None:
    matching = await runtime_factory(service)
    assert matching.db.is_postgres  # the statement under test, not the embedded path
    deps = dependances(matching)
    h = random.Random(14)
    etats = [EtatDemande(uuid4(), 1, "44", "ACTIVE", None, snapshot(h)) for _ in range(300)]
    etats.append(EtatDemande(uuid4(), 2, "44", "RADIEE", None, snapshot(h)))
    async with matching.unit_of_work() as uow:
        await suivre_demandes(uow, etats, deps.referentiel.epci_de)
        await uow.commit()
    maintenant = datetime.now(UTC)
    vacances_ids = []
    async with matching.db.session() as session, session.begin():
        await session.execute(
            scores.insert(),
            [
                {
                    "demande_id": e.demande_id,
                    "epci": NANTES_METROPOLE,
                    "points": h.choice([10, 20, 20, 35.5]),
                    "criteres": [],
                    "grille_version": 1,
                    "version": 1,
                }
                for e in etats
                if h.random() < 0.7
            ],
        )
        for n, unite in enumerate(UNITES):
            vacances_ids.append(await vacance(session, n, unite, maintenant))

    def acteur(**k: Any) -> Acteur:
        return Acteur(
            Principal(
                sub="agent",
                kind="agent",
                organisation=ETAT,
                roles=frozenset({"RESERVATAIRE"}),
                departements=frozenset(k.pop("departements", {"44"})),
                **k,
            )
        )

    acteurs = [
        acteur(),
        acteur(communes=frozenset({SAINT_HERBLAIN})),
        acteur(epcis=frozenset({NANTES_METROPOLE})),
        acteur(departements={"35"}),
    ]

    def ids(evaluations: list[Any]) -> list[UUID]:
        return [e.demande.demande_id for e in evaluations]

    comparees = candidats_vus = 0
    codes: set[str] = set()
    # Every unit, both perimeters, with and without the soft filters for an agent of the
    # whole département; the restricted agents on two units.
    combinaisons = [
        (v, acteurs[0], p, souples)
        for v in vacances_ids
        for p in Perimetre
        for souples in (True, False)
    ] + [(v, a, Perimetre.EPCI, True) for v in vacances_ids[1:3] for a in acteurs[1:]]
    for vacance_id, a, perimetre, souples in combinaisons:
        async with matching.unit_of_work() as uow:
            domaine = await candidats.rechercher_en_memoire(
                uow, deps, a, vacance_id, perimetre, souples, 0, 1000, 0
            )
            for debut, nombre in ((0, 1000), (3, 7)):
                sql = await candidats.rechercher(
                    uow,
                    deps,
                    a,
                    vacance_id,
                    perimetre=perimetre,
                    filtres_souples=souples,
                    debut=debut,
                    nombre=nombre,
                    debut_exclues=debut,
                )
                cas = (vacance_id, a.principal, perimetre, souples, debut)
                fin = debut + nombre
                assert ids(sql.candidats) == ids(domaine.candidats[debut:fin]), cas
                assert ids(sql.exclues) == ids(domaine.exclues[debut:fin]), cas
                assert sql.comptes == domaine.comptes, cas
                assert (sql.candidats_total, sql.exclues_listees, sql.hors_souhait) == (
                    domaine.candidats_total,
                    domaine.exclues_listees,
                    domaine.hors_souhait,
                ), cas
                assert sql.actives == domaine.actives == 300
                comparees += 1
                codes |= set(sql.comptes)
                candidats_vus += len(sql.candidats)
    assert comparees == 2 * len(combinaisons)
    # The generated demandes reach every reason (the agreement is not a vacuous one).
    attendus = {
        "TYPOLOGIE_SOUHAITEE",
        "TYPOLOGIE_TAILLE",
        "ETAGE",
        "RESSOURCES_INCONNUES",
        "HORS_PERIMETRE",
        "TAUX_EFFORT_INCALCULABLE",
        "TAUX_EFFORT",
        "RESTE_A_VIVRE",
    }
    assert attendus <= codes, codes
    assert {c for c in codes if c.startswith("PLAFOND_")} == {
        "PLAFOND_PLUS",
        "PLAFOND_PLAI",
        "PLAFOND_PLS",
    }
    assert any(c.startswith("ACCESSIBILITE_") for c in codes)
    assert candidats_vus > 100


async def test_la_migration_0007_remplit_les_souhaits_existants() -> None:
    """A read model at 0006 (wished communes without the search's columns): 0007 fills
    them from the stored projections."""
    url = await create_database()
    base = Database(url)
    try:
        await upgrade(base, service.migrations, "0006")
        source = snapshot(random.Random(7))
        source["logement_recherche"]["communes"] = [NANTES]
        source["logement_recherche"]["besoins_accessibilite"] = ["ASCENSEUR"]
        source["dalo"] = {"type": "LOGEMENT", "designe_par_prefet": False}
        vue = projeter(uuid4(), 3, "44", "ACTIVE", None, source)
        async with base.engine.begin() as conn:
            await conn.execute(
                demandes.insert().values(
                    demande_id=vue.demande_id,
                    version=3,
                    departement="44",
                    statut="ACTIVE",
                    vue=vue_en_json(vue),
                    source=source,
                    recue_le=datetime.now(UTC),
                )
            )
            await conn.execute(
                souhaits.insert().values(
                    demande_id=vue.demande_id, commune=NANTES, epci=NANTES_METROPOLE, actif=True
                )
            )
        await upgrade(base, service.migrations, "head")
        async with base.engine.connect() as conn:
            ligne = (await conn.execute(sa.select(souhaits))).mappings().one()
        attendu = champs_recherche(vue)
        assert {k: ligne[k] for k in attendu} == attendu
        assert ligne["besoins"] == "|ASCENSEUR|" and ligne["dalo"] is True
    finally:
        await base.dispose()
        await drop_database(url)


async def test_le_vivier_se_lit_dans_l_index_seul(
    runtime_factory: RuntimeFactory, monkeypatch: Any
) -> None:
    """Migration 0008: the search statement reads its pool, for either perimeter, by an
    index-only scan of the covering index (no column it reads is missing from it). Scans
    of the table are disabled so that the plan does not depend on this table's size."""
    matching = await runtime_factory(service)
    deps = dependances(matching)
    h = random.Random(8)
    etats = [EtatDemande(uuid4(), 1, "44", "ACTIVE", None, snapshot(h)) for _ in range(60)]
    async with matching.unit_of_work() as uow:
        await suivre_demandes(uow, etats, deps.referentiel.epci_de)
        await uow.commit()
    async with matching.db.session() as session, session.begin():
        vacance_id = await vacance(session, 0, UNITES[0], datetime.now(UTC))
    async with matching.db.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text("VACUUM ANALYZE souhaits"))

    plans: list[str] = []
    originale = recherche_sql.rechercher

    async def expliquee(
        session: Any, c: recherche_sql.Criteres, pages: tuple[int, int, int, int]
    ) -> recherche_sql.ResultatSql:
        sql, params = recherche_sql.requete(c, pages)
        await session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        await session.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
        plan = (await session.execute(sa.text("EXPLAIN " + sql), params)).scalars().all()
        plans.append("\n".join(plan))
        return await originale(session, c, pages)

    monkeypatch.setattr(recherche_sql, "rechercher", expliquee)
    agent = Acteur(
        Principal(
            sub="agent",
            kind="agent",
            organisation=ETAT,
            roles=frozenset({"RESERVATAIRE"}),
            departements=frozenset({"44"}),
        )
    )
    for perimetre in (Perimetre.COMMUNE, Perimetre.EPCI):
        async with matching.unit_of_work() as uow:
            page = await candidats.rechercher(
                uow,
                deps,
                agent,
                vacance_id,
                perimetre=perimetre,
                filtres_souples=True,
                debut=0,
                nombre=10,
                debut_exclues=0,
            )
        assert page.actives == 60
    assert len(plans) == 2
    assert "Index Only Scan using ix_souhaits_commune on souhaits s" in plans[0], plans[0]
    assert "Index Only Scan using ix_souhaits_epci on souhaits s" in plans[1], plans[1]
