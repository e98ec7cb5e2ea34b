"""bench-portail: the espace personnel under load through the gateway, beside a static
file served the same way (the ceiling).

    make bench-portail   (or: uv run python bench/bench_portail.py --demandes 20000)

Setup: a fresh PostgreSQL database holding the portail's read model for `--demandes`
demandes (each with its account, a cotation in one or two EPCI with its breakdown, five
historique lines and a pièce: what demandes' and cotation's events would have left),
written straight into the tables, plus `--attributions` anonymous leases of the last
twelve months spread over the EPCI and typologies (the average waiting time); the
portail (`toit-service run portail`, one process) behind the nginx gateway of
`make up` (deploy/local/gateway.sh: the same configuration, its own state directory and
ports).

The simulated households hold a session cookie as a login would leave it (encrypted
with the portail's secret), each for its own account: the login is not measured.

At `--clients` concurrent households (closed loop, `--duree` seconds each), through the
gateway: (a) `/mon-espace` (the account's demandes and cotations), (b) the suivi page
`/mon-espace/demande/{id}` (avancement, positions — one index-only count per EPCI —,
average waiting time, pièces, historique), (c) the ceiling: `/static/toit.css`, served by
the same process through the same gateway. Reports p50/p95/p99 and the ratio of each
page's p95 to the ceiling's. Target: espace personnel p95 ≤ 100 ms at 50 users.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import sqlalchemy as sa  # noqa: E402
from bench_demandes import Clients, attendre, demarrer, en_parallele, percentiles  # noqa: E402
from toit_portail.adapters import tables  # noqa: E402
from toit_portail.service import service  # noqa: E402
from toit_ui import UISettings  # noqa: E402
from toit_ui.session import Session, SessionCodec  # noqa: E402

from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import create_database, drop_database, settings_for_tests  # noqa: E402

ROOT = BENCH.parent
BIN = Path(sys.executable).parent
# deploy/local/common.sh's layout from this base: the portail on base+6.
PORT_BASE = 18300
SERVICE_PORT = PORT_BASE + 6
GATEWAY_PORT = 18290
SECRET = "bench-portail-secret-" + "x" * 16
EPCI = ["244400404", "244400644", "200067635", "243500139", "200071678"]
TYPOLOGIES = ["T1", "T2", "T3", "T4", "T5"]
CRITERES = [
    ("ANCIENNETE", "Ancienneté de la demande"),
    ("SUROCCUPATION", "Suroccupation du logement actuel"),
    ("RESSOURCES_MODESTES", "Ressources modestes"),
    ("TAUX_EFFORT", "Taux d'effort excessif"),
]


def ratio(page: dict[str, Any], plafond: dict[str, Any]) -> float:
    return round(page["p95_ms"] / plafond["p95_ms"], 2)


def charge() -> list[str]:
    with open("/proc/loadavg") as fichier:
        return fichier.read().split()[:3]


def compte(i: int) -> str:
    return f"bench-compte-{i}"


def cookie(i: int) -> tuple[str, str]:
    """The cookie a login of household i would have set (name, value)."""
    codec = SessionCodec(UISettings(secret=SECRET, mode="test"))
    maintenant = time.time()
    session = Session(
        {
            "sid": f"bench-{i}",
            "csrf": "bench",
            "created": maintenant,
            "auth": {
                "access": "bench",
                "access_exp": maintenant + 7200,
                "refresh": None,
                "refresh_exp": 0,
            },
            "user": {"id": compte(i), "identifiant": f"menage{i}@example.org", "nom": "Ménage"},
        }
    )
    return codec.cookie_name, codec.encode(session, maintenant)


async def remplir(runtime: ServiceRuntime, n: int, n_attributions: int) -> list[uuid.UUID]:
    """The read model of n demandes, as the events would have left it."""
    hasard = random.Random(15)
    ids = [uuid.UUID(int=hasard.getrandbits(128)) for _ in range(n)]
    maintenant = datetime.now(UTC)
    lot = 2000
    for debut in range(0, n, lot):
        demandes, cotations, historique, pieces = [], [], [], []
        for i in range(debut, min(n, debut + lot)):
            demande_id = ids[i]
            depot = date(2025, 1, 1) + timedelta(days=hasard.randint(0, 600))
            typologie = hasard.choice(TYPOLOGIES)
            demandes.append(
                {
                    "demande_id": demande_id,
                    "version": 3,
                    "departement": "44",
                    "statut": "ACTIVE",
                    "compte_demandeur": compte(i),
                    "numero_unique": f"0440{depot:%m%y}{i % 1_000_000:06d}GP44A",
                    "date_depot_initial": depot,
                    "date_enregistrement": depot,
                    "date_expiration": depot + timedelta(days=365),
                    "typologie": typologie,
                }
            )
            for epci in hasard.sample(EPCI, hasard.choice([1, 2])):
                points = [hasard.randint(0, 40) for _ in CRITERES]
                cotations.append(
                    {
                        "demande_id": demande_id,
                        "epci": epci,
                        "version": 1,
                        "points": sum(points),
                        "criteres": [
                            {"code": c, "libelle": lib, "points": str(p)}
                            for (c, lib), p in zip(CRITERES, points, strict=True)
                        ],
                        "grille_version": 1,
                        "calculee_le": maintenant,
                        "typologie": typologie,
                        "comparable": True,
                    }
                )
            for k, (type_, libelle) in enumerate(
                [
                    ("demande.creee", "Demande créée"),
                    ("demande.piece_deposee", "Pièce justificative déposée"),
                    ("demande.enregistree", "Demande enregistrée"),
                    ("demande.modifiee", "Demande modifiée"),
                    ("designation.effectuee", "Candidature présentée pour un logement"),
                ]
            ):
                historique.append(
                    {
                        "cle": f"{demande_id}:{k}",
                        "demande_id": demande_id,
                        "date": maintenant - timedelta(days=30 - k),
                        "type": type_,
                        "libelle": libelle,
                        "detail": None,
                    }
                )
            pieces.append(
                {
                    "piece_id": uuid.uuid4(),
                    "demande_id": demande_id,
                    "type_piece": "PIECE_IDENTITE",
                    "depot_en_ligne": False,
                    "deposee_le": maintenant - timedelta(days=29),
                }
            )
        async with runtime.db.session() as session:
            for table, lignes in (
                (tables.demandes, demandes),
                (tables.cotations, cotations),
                (tables.historique, historique),
                (tables.pieces, pieces),
            ):
                await session.execute(table.insert(), lignes)
            await session.commit()
    aujourd_hui = date.today()
    attributions = [
        {
            "attribution_id": uuid.UUID(int=hasard.getrandbits(128)),
            "epci": hasard.choice(EPCI),
            "typologie": hasard.choice(TYPOLOGIES),
            "date_signature": aujourd_hui - timedelta(days=hasard.randint(0, 364)),
            "delai_jours": int(hasard.lognormvariate(6, 0.5)),
        }
        for _ in range(n_attributions)
    ]
    async with runtime.db.session() as session:
        if attributions:
            await session.execute(tables.attributions.insert(), attributions)
        await session.execute(sa.text("ANALYZE"))
        await session.commit()
    return ids


def passerelle(dossier: Path, action: str) -> None:
    import subprocess

    env = {
        **os.environ,
        "TOIT_STATE_DIR": str(dossier / "passerelle"),
        "TOIT_SERVICE_PORT_BASE": str(PORT_BASE),
        "TOIT_GATEWAY_PORT": str(GATEWAY_PORT),
        "TOIT_ESPACE_PRO_PORT": str(PORT_BASE + 9),
    }
    subprocess.run([str(ROOT / "deploy/local/gateway.sh"), action], env=env, check=True)


async def mesurer(base: str, ids: list[uuid.UUID], args: argparse.Namespace) -> dict[str, Any]:
    # One household per client: each client's cookie is its own account's.
    foyers = random.Random(7).sample(range(len(ids)), args.clients)
    clients = [Clients(base, {"Cookie": "=".join(cookie(i))}, 1) for i in foyers]
    resultats: dict[str, Any] = {}
    try:
        essai = await clients[0][0].get("/mon-espace")
        assert essai.status_code == 200 and "Ma demande" in essai.text, essai.text[:500]
        essai = await clients[0][0].get(f"/mon-espace/demande/{ids[foyers[0]]}")
        assert essai.status_code == 200 and "Position" in essai.text, essai.text[:500]
        assert "mois</strong> (médiane" in essai.text  # the average waiting time

        async def mesure(nom: str, chemin: Any) -> dict[str, Any]:
            durees: list[float] = []

            async def appel(index: int) -> None:
                url = chemin(index)
                debut = time.perf_counter()
                reponse = await clients[index][0].get(url)
                durees.append(time.perf_counter() - debut)
                assert reponse.status_code == 200, (url, reponse.status_code)

            await en_parallele(args.clients, 2, appel)  # warm-up
            durees.clear()
            ecoule = await en_parallele(args.clients, args.duree, appel)
            return {
                "mesure": nom,
                "req_par_s": round(len(durees) / ecoule, 1),
                **percentiles(durees),
            }

        plafond = await mesure("plafond : /static/toit.css", lambda _i: "/static/toit.css")
        espace = await mesure("/mon-espace", lambda _i: "/mon-espace")
        suivi = await mesure(
            "/mon-espace/demande/{id}", lambda i: f"/mon-espace/demande/{ids[foyers[i]]}"
        )
        resultats = {
            "plafond": plafond,
            "a_mon_espace": {
                **espace,
                "ratio_p95_sur_plafond": round(espace["p95_ms"] / plafond["p95_ms"], 2),
            },
            "b_suivi": {
                **suivi,
                "ratio_p95_sur_plafond": round(suivi["p95_ms"] / plafond["p95_ms"], 2),
            },
            "objectif_p95_ms": 100,
        }
    finally:
        for c in clients:
            await c.fermer()
    return resultats


async def main(args: argparse.Namespace) -> None:
    url = await create_database()
    dossier = Path(tempfile.mkdtemp(prefix="bench-portail-"))
    processus: list[Any] = []
    try:
        runtime = ServiceRuntime(service, settings_for_tests(bus="memory"), database_url=url)
        await runtime.migrate()
        debut = time.perf_counter()
        ids = await remplir(runtime, args.demandes, args.attributions)
        remplissage_s = time.perf_counter() - debut
        await runtime.db.dispose()
        env = {
            "TOIT_DATABASE_URL_PORTAIL": url,
            "TOIT_BUS": "memory",
            "TOIT_MODE": "test",
            "TOIT_DATA_DIR": str(dossier),
            "TOIT_LOG_LEVEL": "WARNING",
            "TOIT_UI_SECRET": SECRET,
            "TOIT_UI_GATEWAY_URL": f"http://127.0.0.1:{GATEWAY_PORT}",
        }
        processus.append(
            demarrer(
                [
                    str(BIN / "toit-service"),
                    "run",
                    "portail",
                    "--port",
                    str(SERVICE_PORT),
                    "--workers",
                    str(args.workers),
                ],
                env,
                dossier / "portail.log",
            )
        )
        passerelle(dossier, "start")
        base = f"http://127.0.0.1:{GATEWAY_PORT}"
        try:
            await attendre(f"http://127.0.0.1:{SERVICE_PORT}/api/portail/readyz", 300)
            await attendre(f"{base}/static/toit.css", 60)
        except RuntimeError:
            print("--- portail.log", (dossier / "portail.log").read_text()[-3000:], file=sys.stderr)
            raise
        charge_avant = charge()
        resultats = await mesurer(base, ids, args)
        resultats["contexte"] = {
            "demandes_en_base": args.demandes,
            "attributions_en_base": args.attributions,
            "remplissage_s": round(remplissage_s, 1),
            "clients": args.clients,
            "duree_s_par_mesure": args.duree,
            "workers_portail": args.workers,
            "via": f"nginx :{GATEWAY_PORT}",
            "loadavg_avant": charge_avant,
            "loadavg_apres": charge(),
        }
        print(json.dumps(resultats, indent=2, ensure_ascii=False))
    finally:
        with contextlib.suppress(Exception):
            passerelle(dossier, "stop")
        for p in processus:
            p.terminate()
            p.wait(timeout=30)
        shutil.rmtree(dossier, ignore_errors=True)
        await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demandes", type=int, default=20_000)
    parser.add_argument("--attributions", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duree", type=float, default=15.0, help="secondes par mesure")
    parser.add_argument("--workers", type=int, default=1, help="processus uvicorn du portail")
    asyncio.run(main(parser.parse_args()))
