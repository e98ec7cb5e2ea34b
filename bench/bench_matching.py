"""bench-matching: candidate search, comparateur, stock import and read-model rebuild.

    make bench-matching   (or: uv run python bench/bench_matching.py --demandes 200000)

On the local PostgreSQL and RabbitMQ, with the matching service's own code:
(a) import of 50,000 units (one CSV file through the HTTP route, report included);
(b) candidate search for one vacancy, p50/p95 over vacancies in several communes
    (the HTTP route in-process: authentication, search, trace of the page, JSON);
(c) comparateur for 10 candidates, p50/p95;
(d) read-model rebuild: demande events published to the broker (the demandes service's
    outbox and relay), consumed by matching from an empty read model: events/s, and
    the ratio to the raw broker ceiling (bench_bus.raw_ceiling) measured in the same run;
    and the rebuild of the projections from the stored sources (`reconstruire`);
(e) the same read model rebuilt from scratch from the event archive (the RabbitMQ stream
    bound to every event, as `toit-matching rejouer` does): events/s and ratio to the
    same ceiling.
The demandes come from the seed generator (bench/generator); they are loaded into the
read model with the consumer's own batch code (suivre_demandes), then the generated scores
for Nantes Métropole are written as `cotation.calculee` would. Needs the local
PostgreSQL and RabbitMQ (`deploy/local/infra.sh start`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_bus import raw_ceiling  # noqa: E402
from bench_cotation import snapshot_de  # noqa: E402
from generator import generate  # noqa: E402
from toit_matching.adapters.tables import demandes, scores, vacances  # noqa: E402
from toit_matching.bootstrap import Referentiel, dependances  # noqa: E402
from toit_matching.entrypoints.events import rejouer_archive  # noqa: E402
from toit_matching.entrypoints.seed import stock_demo  # noqa: E402
from toit_matching.service import service  # noqa: E402
from toit_matching.service_layer.copies_demandes import (  # noqa: E402
    EtatDemande,
    reconstruire,
    suivre_demandes,
)

from servicekit import ServiceDefinition  # noqa: E402
from servicekit.logging import configure_logging  # noqa: E402
from servicekit.messaging.flux import LecteurFlux, MessageFlux  # noqa: E402
from servicekit.messaging.tables import outbox  # noqa: E402
from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)
from servicekit.testing_auth import auth_headers, trusted_test_key  # noqa: E402,F401
from toit_contracts.enums import StatutDemande  # noqa: E402
from toit_contracts.events import DemandeCreee  # noqa: E402
from toit_contracts.examples import example_contact  # noqa: E402

BAILLEUR = "bench-bailleur-44"
NANTES_METROPOLE = "244400404"
REF = Referentiel()


def snapshot(p: dict[str, Any]) -> dict[str, Any]:
    """The generated payload as a snapshot, with the derived values matching reads."""
    s = snapshot_de(p)
    rfr = sum(r["montant"] for r in p.get("revenu_fiscal_reference") or ())
    s["revenu_fiscal_reference"] = str(rfr) if rfr else None
    s["annee_revenu_fiscal"] = 2024
    s["categorie_menage"] = min(s["taille_menage"], 6)
    s["logement_actuel"]["commune"] = p["logement_actuel"].get("commune_insee")
    return s


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def charger_demandes(
    runtime: ServiceRuntime, snapshots: list[dict[str, Any]], deps: list[str]
) -> list[UUID]:
    ids = []
    for debut in range(0, len(snapshots), 2000):
        etats = []
        for s, dep in zip(snapshots[debut : debut + 2000], deps[debut : debut + 2000], strict=True):
            demande_id = uuid4()
            ids.append(demande_id)
            etats.append(EtatDemande(demande_id, 1, dep, "ACTIVE", None, s))
        async with runtime.unit_of_work() as uow:
            await suivre_demandes(uow, etats, REF.epci_de)
            await uow.commit()
    return ids


async def ecrire_scores(
    runtime: ServiceRuntime, ids: list[UUID], snapshots: list[dict[str, Any]]
) -> int:
    """Scores for Nantes Métropole, for the demandes wishing one of its communes."""
    hasard = random.Random(3)
    lignes = []
    for demande_id, s in zip(ids, snapshots, strict=True):
        if any(REF.epci_de(c) == NANTES_METROPOLE for c in s["logement_recherche"]["communes"]):
            points = Decimal(hasard.randint(0, 400)) / 4
            lignes.append(
                {
                    "demande_id": demande_id,
                    "epci": NANTES_METROPOLE,
                    "points": points,
                    "criteres": [
                        {"code": "ANCIENNETE", "libelle": "Ancienneté", "points": str(points)}
                    ],
                    "grille_version": 1,
                    "version": 1,
                }
            )
    async with runtime.db.session() as session, session.begin():
        for debut in range(0, len(lignes), 5000):
            await session.execute(scores.insert(), lignes[debut : debut + 5000])
    return len(lignes)


async def bench_service(
    args: argparse.Namespace, snapshots: list[dict[str, Any]], deps: list[str]
) -> dict[str, Any]:
    resultats: dict[str, Any] = {}
    url = args.base or await create_database()
    amqp = await create_vhost()
    matching = ServiceRuntime(
        service, settings_for_tests(bus="amqp", amqp_url=amqp), database_url=url
    )
    emetteur_db = await create_database()
    emetteur = ServiceRuntime(
        ServiceDefinition(name="emetteur", migrations=service.migrations),
        settings_for_tests(bus="amqp", amqp_url=amqp),
        database_url=emetteur_db,
    )
    archive = LecteurFlux(amqp, MessageFlux, nom_connexion="bench-matching")
    try:
        # Queues declared, nothing consumed yet: the events of (d) wait in the broker. The
        # archive stream (as the observatoire declares it) keeps them for (e).
        await archive.declarer()
        await matching.start(seed=False, consume=False)
        if args.base:
            # A reused read model keeps its demandes; the stock is imported again.
            async with matching.db.session() as session, session.begin():
                await session.execute(
                    sa.text("TRUNCATE logements, imports_stock, vacances, designations CASCADE")
                )
        await emetteur.start(seed=False)
        dependances(matching)
        transport = httpx.ASGITransport(app=matching.app(manage_lifespan=False))
        client = httpx.AsyncClient(transport=transport, base_url="http://bench.test", timeout=600)
        bailleur = auth_headers(
            roles={"INSTRUCTEUR"},
            organisation=BAILLEUR,
            departements=set(REF_DEPS),
            expires_in=6 * 3600,
        )
        reservataire = auth_headers(
            roles={"RESERVATAIRE"},
            organisation="bench-etat",
            departements=set(REF_DEPS),
            expires_in=6 * 3600,
        )

        # (a) import of the units
        contenu = stock_demo(args.logements, graine=11)
        debut = time.perf_counter()
        cpu = time.process_time()
        r = await client.post(
            "/api/matching/patrimoine/imports?format=csv&nom_fichier=bench.csv",
            content=contenu,
            headers=bailleur,
        )
        duree = time.perf_counter() - debut
        cpu = time.process_time() - cpu
        assert r.status_code == 201, r.text[:300]
        debut = time.perf_counter()
        r2 = await client.post(
            "/api/matching/patrimoine/imports?format=csv", content=contenu, headers=bailleur
        )
        duree_noop = time.perf_counter() - debut
        resultats["import"] = {
            "logements": args.logements,
            "octets": len(contenu),
            "secondes": round(duree, 2),
            "cpu_processus_s": round(cpu, 2),
            "crees": r.json()["crees"],
            "reimport_inchanges": r2.json()["inchanges"],
            "reimport_secondes": round(duree_noop, 2),
        }
        print(json.dumps(resultats, indent=2), flush=True)

        # Read model: the generated demandes, through the consumer's batch code (or, with
        # --base, the read model a previous run loaded, kept as it is).
        debut = time.perf_counter()
        async with matching.db.session() as session:
            deja = (
                await session.execute(sa.select(sa.func.count()).select_from(demandes))
            ).scalar_one()
        if args.base and deja == len(snapshots):
            ids, n_scores = [], -1
        else:
            ids = await charger_demandes(matching, snapshots, deps)
            n_scores = await ecrire_scores(matching, ids, snapshots)
        chargement = time.perf_counter() - debut
        # The steady state autovacuum keeps (visibility map for index-only scans).
        async with matching.db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text("VACUUM ANALYZE"))
        async with matching.db.session() as session:
            actives_44 = (
                await session.execute(
                    sa.select(sa.func.count())
                    .select_from(demandes)
                    .where(demandes.c.departement == "44")
                )
            ).scalar_one()
        resultats["modele_lu"] = {
            "demandes": len(ids) or deja,
            "dont_44": actives_44,
            "chargement_s": round(chargement, 1),
            "demandes_par_seconde": round(len(ids) / chargement) if ids else "repris (--base)",
            "scores": n_scores,
        }
        print(json.dumps(resultats, indent=2), flush=True)

        # Vacancies in several communes (Nantes, its métropole, elsewhere in 44).
        communes = ["44109", "44162", "44143", "44190", "44184", "44020", "44035", "44047"]
        async with matching.db.session() as session:
            rpls = {}
            for commune in communes:
                row = (
                    await session.execute(
                        sa.text(
                            "SELECT rpls FROM logements WHERE commune = :c"
                            " AND typologie IN ('T2','T3') LIMIT 1"
                        ),
                        {"c": commune},
                    )
                ).first()
                if row:
                    rpls[commune] = row[0]
        vacances_ids = []
        dispo = (datetime.now(UTC) + timedelta(days=30)).date()
        for numero in rpls.values():
            r = await client.post(
                "/api/matching/vacances",
                json={"rpls": numero, "type": "PREAVIS", "date_disponibilite": dispo.isoformat()},
                headers=bailleur,
            )
            vacances_ids.append(r.json()["id"])
        async with matching.db.session() as session, session.begin():
            await session.execute(
                vacances.update().values(
                    statut="ORIENTEE", contingent="ETAT_PRIORITAIRES", reservataire_id="bench-etat"
                )
            )

        # Ceiling measured in the same run: the cheapest read of the same HTTP stack
        # (authentication, one indexed row, JSON): GET /vacances/{id}.
        plafond_ms: list[float] = []
        for _ in range(args.tours * 2):
            for vacance_id in vacances_ids:
                debut = time.perf_counter()
                r = await client.get(f"/api/matching/vacances/{vacance_id}", headers=reservataire)
                plafond_ms.append((time.perf_counter() - debut) * 1000)
                assert r.status_code == 200, r.text[:300]
        resultats["plafond_lecture_vacance"] = {
            "appels": len(plafond_ms),
            "p50_ms": round(percentile(plafond_ms, 0.5), 1),
            "p95_ms": round(percentile(plafond_ms, 0.95), 1),
        }

        # (b) candidate search. Cold: the first search of each vacancy (no evaluation
        # cached for it; the demandes' projections are read from the database for the
        # first vacancy); warm: the following searches (paging, back from the comparateur).
        tailles: dict[str, int] = {}
        durees: list[float] = []
        froids: list[float] = []
        dependances(matching).evaluations.evaluations.clear()
        for tour in range(args.tours):
            for vacance_id in vacances_ids:
                debut = time.perf_counter()
                r = await client.get(
                    f"/api/matching/vacances/{vacance_id}/candidats", headers=reservataire
                )
                (froids if tour == 0 else durees).append((time.perf_counter() - debut) * 1000)
                assert r.status_code == 200, r.text[:300]
                page = r.json()
                tailles[page["commune_nom"]] = (
                    page["candidats_total"] + page["exclues_total"] - page["hors_souhait"]
                )
        resultats["recherche"] = {
            "vacances": len(vacances_ids),
            "froid_appels": len(froids),
            "froid_p50_ms": round(percentile(froids, 0.5), 1),
            "froid_p95_ms": round(percentile(froids, 0.95), 1),
            "chaud_appels": len(durees),
            "chaud_p50_ms": round(percentile(durees, 0.5), 1),
            "chaud_p95_ms": round(percentile(durees, 0.95), 1),
            "ratio_p95_froid_plafond": round(
                percentile(froids, 0.95) / percentile(plafond_ms, 0.95), 2
            ),
            "ratio_p95_chaud_plafond": round(
                percentile(durees, 0.95) / percentile(plafond_ms, 0.95), 2
            ),
            "demandes_souhaitant_la_commune": tailles,
        }
        print(json.dumps(resultats, indent=2), flush=True)

        # (c) comparateur for 10 candidates
        durees = []
        for vacance_id in vacances_ids:
            r = await client.get(
                f"/api/matching/vacances/{vacance_id}/candidats",
                params={"par_page": 10},
                headers=reservataire,
            )
            dix = [c["demande_id"] for c in r.json()["candidats"]][:10]
            if len(dix) < 10:
                dix += [c["demande_id"] for c in r.json()["exclues"]][: 10 - len(dix)]
            if len(dix) < 10:
                continue
            for _ in range(args.tours):
                debut = time.perf_counter()
                r = await client.get(
                    f"/api/matching/vacances/{vacance_id}/comparateur",
                    params=[("demandes", d) for d in dix],
                    headers=reservataire,
                )
                durees.append((time.perf_counter() - debut) * 1000)
                assert r.status_code == 200, r.text[:300]
        resultats["comparateur"] = {
            "appels": len(durees),
            "p50_ms": round(percentile(durees, 0.5), 1),
            "p95_ms": round(percentile(durees, 0.95), 1),
            "ratio_p95_plafond": round(percentile(durees, 0.95) / percentile(plafond_ms, 0.95), 2),
        }
        print(json.dumps(resultats, indent=2), flush=True)

        if args.evenements == 0:
            await client.aclose()
            return resultats

        # (d) rebuild of the projections from the stored sources
        debut = time.perf_counter()
        refaites = await reconstruire(matching.unit_of_work, REF.epci_de)
        duree = time.perf_counter() - debut
        resultats["reconstruction_projections"] = {
            "demandes": refaites,
            "secondes": round(duree, 1),
            "demandes_par_seconde": round(refaites / duree),
        }
        print(json.dumps(resultats, indent=2), flush=True)

        # (d) rebuild from the bus: N demande events into an empty read model.
        async with matching.db.session() as session, session.begin():
            await session.execute(
                sa.text("TRUNCATE souhaits, scores, designations, vacances CASCADE")
            )
            await session.execute(sa.text("DELETE FROM demandes"))
        n = min(args.evenements, len(snapshots))
        contact = example_contact().model_dump(mode="json")
        for debut_lot in range(0, n, 1000):
            async with emetteur.unit_of_work() as uow:
                for s, dep in zip(
                    snapshots[debut_lot : debut_lot + 1000],
                    deps[debut_lot : debut_lot + 1000],
                    strict=True,
                ):
                    uow.publish(
                        DemandeCreee.model_validate(
                            {
                                "demande_id": str(uuid4()),
                                "version": 1,
                                "departement": dep,
                                "statut": StatutDemande.ACTIVE,
                                "snapshot": {**s, "contact": contact},
                            }
                        )
                    )
                await uow.commit()
        limite = time.monotonic() + 1800
        while time.monotonic() < limite:
            async with emetteur.db.session() as session:
                restant = (
                    await session.execute(
                        sa.select(sa.func.count())
                        .select_from(outbox)
                        .where(outbox.c.published_at.is_(None))
                    )
                ).scalar_one()
            if restant == 0:
                break
            await asyncio.sleep(0.5)
        await emetteur.stop()
        await matching.stop()
        consommateur = ServiceRuntime(
            service, settings_for_tests(bus="amqp", amqp_url=amqp), database_url=url
        )
        debut = time.perf_counter()
        await consommateur.start(migrate=False, seed=False, relay=False)
        while time.monotonic() < limite:
            async with consommateur.db.session() as session:
                vus = (
                    await session.execute(sa.select(sa.func.count()).select_from(demandes))
                ).scalar_one()
            if vus >= n:
                break
            await asyncio.sleep(0.2)
        duree = time.perf_counter() - debut
        # (e) the same read model rebuilt from scratch from the event archive (the stream
        # bound to every event, declared before (d) published): `toit-matching rejouer`.
        rejeu = await rejouer_archive(consommateur.unit_of_work, archive)
        await consommateur.stop()
        plafond = await raw_ceiling(amqp, args.plafond_evenements)
        resultats["reconstruction_bus"] = {
            "evenements": n,
            "secondes": round(duree, 1),
            "evenements_par_seconde": round(n / duree),
            "plafond_brut_par_seconde": round(plafond),
            "ratio": round(n / duree / plafond, 3),
        }
        resultats["rejeu_archive"] = {
            "evenements_lus": rejeu.lus,
            "appliques": rejeu.appliques,
            "secondes": round(rejeu.secondes, 1),
            "evenements_par_seconde": round(rejeu.par_seconde),
            "ratio_au_plafond_brut": round(rejeu.par_seconde / plafond, 3),
        }
        await client.aclose()
    finally:
        for rt in (matching, emetteur):
            if rt.started:
                await rt.stop()
        await archive.fermer()
        await delete_vhost(amqp)
        if not args.base:
            await drop_database(url)
        await drop_database(emetteur_db)
    return resultats


REF_DEPS = ("22", "29", "35", "44", "49", "53", "56", "72", "85")


async def demandes_en_base(url: str) -> int:
    from sqlalchemy.ext.asyncio import create_async_engine

    moteur = create_async_engine(url)
    try:
        async with moteur.connect() as conn:
            return int((await conn.execute(sa.text("SELECT count(*) FROM demandes"))).scalar_one())
    except Exception:
        return 0
    finally:
        await moteur.dispose()


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    import os

    from servicekit.testing_auth import test_jwks

    os.environ["TOIT_JWKS_JSON"] = json.dumps(test_jwks())
    debut = time.perf_counter()
    snapshots: list[dict[str, Any]]
    if args.base and args.evenements == 0 and await demandes_en_base(args.base) == args.demandes:
        # The reused read model holds them already: nothing to generate.
        snapshots, deps = [{}] * args.demandes, [""] * args.demandes
    else:
        payloads = list(generate(args.demandes, args.seed))
        snapshots = [snapshot(p) for p in payloads]
        deps = [p["departement"] for p in payloads]
        del payloads
    gc.collect()
    gc.freeze()
    resultats: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(),
        "demandes": args.demandes,
        "generation_s": round(time.perf_counter() - debut, 1),
    }
    resultats.update(await bench_service(args, snapshots, deps))
    print(json.dumps(resultats, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--demandes", type=int, default=200_000)
    parser.add_argument("--logements", type=int, default=50_000)
    parser.add_argument(
        "--evenements", type=int, default=50_000, help="demande events of (d); 0: skip (d)"
    )
    parser.add_argument("--plafond-evenements", type=int, default=20_000)
    parser.add_argument("--tours", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--base",
        help="database URL to reuse and keep: its read model is loaded once (same --demandes "
        "and --seed), later runs measure again without the 5-8 minutes of loading",
    )
    asyncio.run(main(parser.parse_args()))


__all__ = ["date"]
