"""bench-observatoire: saved list with two groupings, the indicator set of one EPCI,
the rebuild of the read models from the archive, and the archive's disk per event.

    make bench-observatoire                       (N=1000000 demandes, A=300000 attributions)
    uv run python bench/bench_observatoire.py --demandes 300000 --attributions 90000

1. Read models filled by the generator (rows written straight into rm_demande and
   rm_attribution of a PostgreSQL database: the 1,000,000 demandes of the issue do
   not go through events here). Then through the service's HTTP app (in process,
   with a token): a saved list over demandes en cours of the département grouped by
   commune and typologie with count, %, mean and median of resources per UC
   (p50/p95 of --runs executions), and the indicator set of Rennes Métropole.
   Ceilings of the same run: a one-row answer of the same app (GET /domaines) and
   one count over the département's rows (the floor of any design reading them).
   `--base URL` reuses a database filled by an earlier run (kept, not dropped).
2. Rebuild: --events integration events (from the contracts, as the services
   publish them) appended to the RabbitMQ stream archive, then every read model
   rebuilt from offset 0 in an empty database: events/s, and the ratio to
   bench-bus's raw ceiling measured in the same run. Disk of the stream and of the
   embedded SQLite archive table, per million events.
Needs the local PostgreSQL and RabbitMQ (`deploy/local/infra.sh start`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_bus import raw_ceiling  # noqa: E402
from toit_observatoire.adapters import tables  # noqa: E402
from toit_observatoire.adapters.archive import ArchiveFlux, ArchiveTable  # noqa: E402
from toit_observatoire.bootstrap import TERRITOIRE, dependances  # noqa: E402
from toit_observatoire.generateur import communes, enveloppe, evenements  # noqa: E402
from toit_observatoire.service import service  # noqa: E402
from toit_observatoire.service_layer import modeles  # noqa: E402

from servicekit.db import Database  # noqa: E402
from servicekit.logging import configure_logging  # noqa: E402
from servicekit.messaging.transport import Delivery  # noqa: E402
from servicekit.migrations import upgrade  # noqa: E402
from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)
from servicekit.testing_auth import make_token, test_jwks  # noqa: E402

RENNES_METROPOLE = "243500139"
TYPOLOGIES = ("T1", "T2", "T3", "T4", "T5")
STATUTS = ("ACTIVE",) * 3 + ("RADIEE",)
MOTIFS = ("ATTRIBUTION", "RENONCIATION", "NON_RENOUVELLEMENT", "ABSENCE_DE_REPONSE")


def _demande_rows(
    n: int, rng: random.Random, places: list[tuple[str, str | None]]
) -> list[dict[str, Any]]:
    rows = []
    now = datetime.now(UTC)
    for _ in range(n):
        commune, epci = rng.choice(places)
        depot = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1400))
        statut = rng.choice(STATUTS)
        radiation = depot + timedelta(days=rng.randrange(30, 600)) if statut == "RADIEE" else None
        revenu = rng.randrange(2000, 40000)
        rows.append(
            {
                "demande_id": uuid.UUID(int=rng.getrandbits(128)),
                "version": 2,
                "numero_unique": None,
                "departement": "35",
                "statut": statut,
                "commune": commune,
                "epci": epci,
                "typologie": rng.choice(TYPOLOGIES),
                "typologies": None,
                "taille_menage": rng.randint(1, 6),
                "categorie_menage": rng.randint(1, 6),
                "unites_consommation": 1.5,
                "ressources_mensuelles": round(revenu * 1.5 / 12, 2),
                "revenu_annuel_uc": revenu,
                "age_demandeur": rng.randint(18, 90),
                "situation_familiale": None,
                "type_logement_actuel": "HEBERGE_CHEZ_TIERS",
                "motif_principal": None,
                "canal_depot": "GUICHET",
                "guichet": None,
                "mutation": rng.random() < 0.3,
                "dalo": rng.random() < 0.03,
                "prioritaire": rng.random() < 0.15,
                "date_depot": depot,
                "mois_depot": f"{depot:%Y-%m}",
                "date_enregistrement": depot,
                "date_expiration": depot + timedelta(days=365),
                "date_radiation": radiation,
                "mois_radiation": f"{radiation:%Y-%m}" if radiation else None,
                "motif_radiation": rng.choice(MOTIFS) if radiation else None,
                "anciennete_mois": None,
                "maj_le": now,
            }
        )
    return rows


def _attribution_rows(
    n: int, rng: random.Random, places: list[tuple[str, str | None]]
) -> list[dict[str, Any]]:
    rows = []
    for _ in range(n):
        commune, epci = rng.choice(places)
        jour = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1060))
        delai = rng.randrange(30, 1500)
        rows.append(
            {
                "attribution_id": uuid.uuid4().hex,
                "demande_id": None,
                "source": "matching",
                "departement": "35",
                "commune": commune,
                "epci": epci,
                "date_attribution": jour,
                "mois": f"{jour:%Y-%m}",
                "annee": jour.year,
                "typologie_demandee": rng.choice(TYPOLOGIES),
                "typologie_attribuee": rng.choice(TYPOLOGIES),
                "bailleur": None,
                "reservataire": rng.choice(("ACTION_LOGEMENT", "ETAT", "COMMUNE", "BAILLEUR")),
                "qpv": rng.random() < 0.3,
                "premier_quartile": rng.random() < 0.22,
                "relogement_anru": False,
                "revenu_annuel_uc": rng.randrange(2000, 40000),
                "dalo": rng.random() < 0.05,
                "prioritaire": rng.random() < 0.25,
                "mutation": rng.random() < 0.3,
                "date_depot": jour - timedelta(days=delai),
                "delai_jours": delai,
            }
        )
    return rows


async def _copy(db: Database, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Load rows with PostgreSQL's COPY (asyncpg's binary copy): the generator's
    1,000,000 demandes load in about a minute instead of ten with INSERTs."""
    columns = [c.name for c in table.columns]
    records = [tuple(row.get(c) for c in columns) for row in rows]
    async with db.engine.begin() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(table.name, records=records, columns=columns)


async def fill(db: Database, demandes: int, attributions: int) -> float:
    rng = random.Random(42)
    places = [(c, TERRITOIRE.epci_de(c)) for c in communes("35", 200)]
    # Rennes weighs as a big city does.
    places += [places[0]] * 60
    started = time.perf_counter()
    chunk = 50_000
    for offset in range(0, demandes, chunk):
        rows = _demande_rows(min(chunk, demandes - offset), rng, places)
        await _copy(db, tables.rm_demande, rows)
        print(f"\r  rm_demande {offset + len(rows):,}/{demandes:,}", end="", file=sys.stderr)
    for offset in range(0, attributions, chunk):
        rows = _attribution_rows(min(chunk, attributions - offset), rng, places)
        await _copy(db, tables.rm_attribution, rows)
        print(
            f"\r  rm_attribution {offset + len(rows):,}/{attributions:,}   ",
            end="",
            file=sys.stderr,
        )
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        # VACUUM as autovacuum does after a bulk load: the visibility map lets the lists
        # grouped by commune read their covering index alone (index-only scan).
        await conn.execute(sa.text("VACUUM ANALYZE"))
    print(file=sys.stderr)
    return time.perf_counter() - started


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


async def timed(
    http: httpx.AsyncClient, method: str, path: str, runs: int, **kwargs: Any
) -> dict[str, float]:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await http.request(method, path, **kwargs)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:500]
    return {
        "p50_ms": round(statistics.median(durations), 1),
        "p95_ms": round(_pct(durations, 0.95), 1),
        "max_ms": round(max(durations), 1),
    }


async def scan_ceiling(db: Database, runs: int) -> dict[str, float]:
    """The floor of any design that reads the département's rows: one count over them
    (same database, same run)."""
    durations = []
    for _ in range(runs):
        async with db.engine.connect() as conn:
            started = time.perf_counter()
            await conn.execute(
                sa.select(sa.func.count()).where(tables.rm_demande.c.departement == "35")
            )
            durations.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(durations), 1),
        "p95_ms": round(_pct(durations, 0.95), 1),
    }


async def queries(args: argparse.Namespace, amqp_url: str) -> dict[str, Any]:
    url = args.base or await create_database()
    runtime = ServiceRuntime(
        service, settings_for_tests(bus="amqp", amqp_url=amqp_url), database_url=url
    )
    try:
        await runtime.start(seed=False)
        dependances(runtime).arret.set()  # the follower has nothing to apply here
        async with runtime.db.engine.connect() as conn:
            filled = (
                await conn.execute(sa.select(sa.func.count(tables.rm_demande.c.demande_id)))
            ).scalar()
        fill_s = (
            None
            if args.base and filled
            else await fill(runtime.db, args.demandes, args.attributions)
        )
        token = make_token(roles={"GESTIONNAIRE_FICHIER"}, departements={"35"})
        headers = {"Authorization": f"Bearer {token}"}
        app = runtime.app(manage_lifespan=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
        ) as http:
            created = await http.post(
                "/api/observatoire/listes",
                headers=headers,
                json={
                    "titre": "Demandes en cours par commune et typologie",
                    "reference": "BENCH",
                    "definition": {
                        "domaine": "demandes_en_cours",
                        "regroupements": ["commune", "typologie"],
                        "agregats": [
                            {"fonction": "nombre"},
                            {"fonction": "pourcentage"},
                            {"fonction": "moyenne", "champ": "revenu_annuel_uc"},
                            {"fonction": "mediane", "champ": "revenu_annuel_uc"},
                        ],
                    },
                },
            )
            assert created.status_code == 201, created.text
            liste = created.json()["id"]
            await http.post(f"/api/observatoire/listes/{liste}/executions", headers=headers)
            list_timing = await timed(
                http,
                "POST",
                f"/api/observatoire/listes/{liste}/executions",
                args.runs,
                headers=headers,
            )
            params = {"niveau": "epci", "code": RENNES_METROPOLE, "annee": 2025}
            await http.get("/api/observatoire/indicateurs", params=params, headers=headers)
            indicators_timing = await timed(
                http,
                "GET",
                "/api/observatoire/indicateurs",
                args.runs,
                params=params,
                headers=headers,
            )
            jeu = (
                await http.get("/api/observatoire/indicateurs", params=params, headers=headers)
            ).json()
            http_ceiling = await timed(
                http, "GET", "/api/observatoire/domaines", args.runs, headers=headers
            )
        scan = await scan_ceiling(runtime.db, args.runs)
        return {
            "fill_s": None if fill_s is None else round(fill_s, 1),
            "liste_deux_regroupements": list_timing,
            "indicateurs_epci": indicators_timing,
            "ceiling_http_domaines": http_ceiling,
            "ceiling_scan_departement": scan,
            "ratio_liste_to_scan_p50": round(list_timing["p50_ms"] / scan["p50_ms"], 2),
            "ratio_indicateurs_to_scan_p50": round(indicators_timing["p50_ms"] / scan["p50_ms"], 2),
            "epci_stock": jeu["stock"],
            "epci_attributions_2025": jeu["attributions"],
        }
    finally:
        await runtime.stop()
        if not args.base:
            await drop_database(url)


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _sqlite_size(path: Path) -> int:
    """The database file and its WAL, then removed."""
    size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-*"))
    path.unlink()
    return size


def _stream_dirs(vhost: str) -> list[Path]:
    state = Path(os.environ.get("TOIT_STATE_DIR", ROOT / ".data/infra"))
    base = state / "rabbitmq" / "mnesia"
    return [p for p in base.glob("*/stream/*") if vhost in p.name and "archive" in p.name]


async def rebuild(args: argparse.Namespace, amqp_url: str) -> dict[str, Any]:
    vhost = amqp_url.rsplit("/", 1)[1]
    archive = ArchiveFlux(amqp_url)
    await archive.declarer()
    bodies: list[tuple[str, str, bytes]] = []
    for event, at in evenements(args.events // 3, seed=9):
        envelope = enveloppe(event, at)
        bodies.append((envelope.id, envelope.type, envelope.to_json_bytes()))
        if len(bodies) >= args.events:
            break
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.declare_exchange(
        "toit.events", aio_pika.ExchangeType.TOPIC, durable=True
    )
    for offset in range(0, len(bodies), 1000):
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        body, message_id=mid, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
                    ),
                    routing_key=rk,
                )
                for mid, rk, body in bodies[offset : offset + 1000]
            )
        )
    await connection.close()
    await asyncio.sleep(1.0)
    dirs = _stream_dirs(vhost)
    stream_bytes = sum(_du(d) for d in dirs) if dirs else None
    mean_body = statistics.fmean(len(b) for _, _, b in bodies)

    # Embedded archive table (SQLite) with the same events.
    sqlite_path = Path(f"/tmp/bench-observatoire-{os.getpid()}.db")
    sqlite_db = Database(f"sqlite+aiosqlite:///{sqlite_path}")
    await upgrade(sqlite_db, Path(service.migrations))
    table = ArchiveTable(sqlite_db)
    for offset in range(0, len(bodies), 1000):
        await table.archiver(
            [Delivery(m, rk, b, {}) for m, rk, b in bodies[offset : offset + 1000]]
        )
    await sqlite_db.dispose()
    sqlite_bytes = _sqlite_size(sqlite_path)

    url = await create_database()
    db = Database(url)
    try:
        await upgrade(db, Path(service.migrations))
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            applied = await modeles.reconstruire(
                db, archive, TERRITOIRE, limite=args.batch, reprendre=False
            )
            runs.append(applied / (time.perf_counter() - started))
            assert applied == len(bodies), (applied, len(bodies))
        async with db.engine.connect() as conn:
            demandes = (
                await conn.execute(sa.select(sa.func.count()).select_from(tables.rm_demande))
            ).scalar()
    finally:
        await archive.fermer()
        await db.dispose()
        await drop_database(url)
    ceilings = [await raw_ceiling(amqp_url, args.ceiling_events) for _ in range(args.repeat)]
    rate = statistics.median(runs)
    ceiling = statistics.median(ceilings)

    def per_million(size: int | None) -> int | None:
        return None if size is None else round(size / len(bodies) * 1_000_000 / 2**20)

    return {
        "events": len(bodies),
        "rm_demande_rows": demandes,
        "mean_event_bytes": round(mean_body),
        "rebuild_events_per_s": round(rate),
        "rebuild_runs": [round(r) for r in runs],
        "bus_raw_ceiling_events_per_s": round(ceiling),
        "ratio_to_ceiling": round(rate / ceiling, 3),
        "stream_mib_per_million": per_million(stream_bytes),
        "sqlite_archive_mib_per_million": per_million(sqlite_bytes),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demandes", type=int, default=1_000_000)
    parser.add_argument("--attributions", type=int, default=300_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--ceiling-events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument(
        "--base",
        help="database URL to reuse (migrated, filled on first use, kept): iterate on the "
        "queries without filling 1,000,000 rows each time",
    )
    args = parser.parse_args()
    configure_logging("WARNING", True)
    os.environ["TOIT_JWKS_JSON"] = json.dumps(test_jwks())
    load = os.getloadavg()
    amqp_url = await create_vhost()
    try:
        result: dict[str, Any] = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "loadavg_1m_at_start": round(load[0], 2),
            "demandes": args.demandes,
            "attributions": args.attributions,
        }
        if not args.skip_queries:
            result.update(await queries(args, amqp_url))
        if not args.skip_rebuild:
            result.update(await rebuild(args, amqp_url))
        result["loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    finally:
        await delete_vhost(amqp_url)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
