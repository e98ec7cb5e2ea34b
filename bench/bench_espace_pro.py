"""bench-espace-pro: the espace professionnel's pages under load, beside the API calls
they make.

    make bench-espace-pro   (or: uv run python bench/bench_espace_pro.py --demandes 200000)

Setup: a fresh PostgreSQL database and RabbitMQ vhost, then `--demandes` demandes: the
first `--base` (10,000) generated (bench/generator) and imported by the demandes' own
import (`toit_demandes.entrypoints.import_masse`, `--importeurs` processes in parallel, one
set of départements each so that no two reserve the same numéro sequence); the rest are
bulk copies of those made in SQL (`dupliquer`: every table of the demandes database that
refers to demandes.id, read from the schema; new ids, numéros with a copy rank in their
guichet part, same names, dates and wishes), as fast as PostgreSQL writes rows: importing
200,000 through the domain takes tens of minutes on a shared 2-core machine. The
`demande.enregistree` events of the import are marked published rather than relayed (the
pages read the demandes database only). Then the demandes service (`toit-service run demandes`,
`--workers` processes) and the espace professionnel (`toit-espace-pro`, one process) as
their own uvicorn servers, behind the nginx gateway of `make up` (deploy/local/gateway.sh,
the same configuration, its own state directory and ports). The espace professionnel
calls the API through that gateway, as in the real topology.

The simulated users hold a session cookie as a login would leave it (encrypted with the
espace professionnel's secret, carrying a gestionnaire's access token signed with the
test key the service trusts): the login itself is not measured.

At `--clients` concurrent users (closed loop, `--duree` seconds each), through the gateway:
(a) the demande consultation page (/pro/demandes/{id}/demandeur: one GET /api/demandes/{id})
    and that API call alone;
(b) the search page (/pro/demandes?nom=…: one GET /api/demandes?nom=…&par_page=20)
    and that API call alone.
Reports p50/p95/p99 of each and the ratio page/API at p95 (what the page adds: session,
token, second hop through the gateway, HTML rendering). Target: page p95 ≤ 150 ms.
Each measure also gives the CPU time per request of the espace professionnel's and the
demandes' processes (from /proc: what a page costs whatever the machine's load).
Both series are measured twice: closed loop (a user clicks again as soon as the page
arrives: 20 users are then 20 requests always in flight, a saturation test whose latency is
20 ÷ throughput), then with `--reflexion` seconds (default 1) of reading between clicks,
exponentially distributed: 20 users at work.

Iterating: `--conserver` keeps the loaded database (its URL is printed) and
`--reprendre URL` measures on it again without loading (drop it afterwards, or end with a
run without --conserver).
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
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_demandes import (  # noqa: E402
    Clients,
    attendre,
    attendre_outbox_vide,
    demarrer,
    en_parallele,
    percentiles,
)
from generator import generate  # noqa: E402
from toit_demandes.service import service  # noqa: E402
from toit_ui import UISettings  # noqa: E402
from toit_ui.session import Session, SessionCodec  # noqa: E402

from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)
from servicekit.testing_auth import make_token, test_jwks  # noqa: E402

ROOT = BENCH.parent
# The environment's own scripts (not `uv run`, which may wait for uv's lock).
BIN = Path(sys.executable).parent
# deploy/local/common.sh's layout from this base: demandes on base+2, espace-pro on base+9.
PORT_BASE = 18200
SERVICE_PORT = PORT_BASE + 2
PRO_PORT = PORT_BASE + 9
GATEWAY_PORT = 18190
SECRET = "bench-espace-pro-secret-" + "x" * 16
DEPARTEMENTS = ["22", "29", "35", "56", "44", "49", "53", "72", "85"]


def cookie_de_session(jeton: str) -> tuple[str, str]:
    """The cookie a login would have set (name, value)."""
    codec = SessionCodec(UISettings(secret=SECRET, mode="test"))
    maintenant = time.time()
    session = Session(
        {
            "sid": "bench",
            "csrf": "bench",
            "created": maintenant,
            "auth": {
                "access": jeton,
                "access_exp": maintenant + 3600,
                "refresh": None,
                "refresh_exp": 0,
            },
            "user": {
                "id": "bench",
                "identifiant": "bench",
                "nom": "Bench",
                "organisation": "Bench",
                "roles": ["GESTIONNAIRE_FICHIER"],
                "departements": DEPARTEMENTS,
                "charte_a_accepter": False,
            },
        }
    )
    return codec.cookie_name, codec.encode(session, maintenant)


def cpu_s(racine: int) -> float:
    """CPU seconds (user + system) of a process and its descendants (uvicorn workers),
    from /proc: the cost of a request whatever the machine's load does to its latency."""
    enfants: dict[int, list[int]] = {}
    for entree in Path("/proc").iterdir():
        if not entree.name.isdigit():
            continue
        try:
            champs = (entree / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        enfants.setdefault(int(champs[1]), []).append(int(entree.name))
    total, pile = 0.0, [racine]
    while pile:
        pid = pile.pop()
        pile.extend(enfants.get(pid, []))
        try:
            champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")
    return total


def passerelle(dossier: Path, action: str) -> None:
    import subprocess

    env = {
        **os.environ,
        "TOIT_STATE_DIR": str(dossier / "passerelle"),
        "TOIT_SERVICE_PORT_BASE": str(PORT_BASE),
        "TOIT_GATEWAY_PORT": str(GATEWAY_PORT),
        "TOIT_ESPACE_PRO_PORT": str(PRO_PORT),
    }
    subprocess.run([str(ROOT / "deploy/local/gateway.sh"), action], env=env, check=True)


async def mesurer(base: str, args: argparse.Namespace, serveurs: dict[str, int]) -> dict[str, Any]:
    jeton = make_token(roles={"GESTIONNAIRE_FICHIER"}, departements=DEPARTEMENTS, expires_in=7200)
    api = Clients(base, {"Authorization": f"Bearer {jeton}"}, args.clients)
    nom_cookie, valeur = cookie_de_session(jeton)
    pages = Clients(base, {"Cookie": f"{nom_cookie}={valeur}"}, args.clients)
    resultats: dict[str, Any] = {}
    try:
        # Some demandes to open, and name prefixes to search.
        ids: list[str] = []
        for page in range(1, 6):
            reponse = await api[0].get("/api/demandes", params={"par_page": 200, "page": page})
            reponse.raise_for_status()
            ids += [d["id"] for d in reponse.json()["elements"]]
        noms = [p["demandeur"]["nom_naissance"][:4] for p in generate(200, seed=42)]
        essai = await pages[0].get(f"/pro/demandes/{ids[0]}/demandeur")
        assert essai.status_code == 200 and "Numéro unique" in essai.text, essai.text[:500]

        async def mesure(
            nom: str, clients: Clients, chemin: Any, reflexion: float = 0.0
        ) -> dict[str, Any]:
            durees: list[float] = []
            tailles: list[int] = []

            async def appel(index: int) -> None:
                url, params = chemin()
                debut = time.perf_counter()
                reponse = await clients[index].get(url, params=params)
                durees.append(time.perf_counter() - debut)
                assert reponse.status_code == 200, (url, reponse.status_code)
                tailles.append(len(reponse.content))
                if reflexion:  # the user reads the page before the next click
                    await asyncio.sleep(random.expovariate(1 / reflexion))

            await en_parallele(args.clients, 2, appel)  # warm-up
            durees.clear()
            avant = {serveur: cpu_s(pid) for serveur, pid in serveurs.items()}
            ecoule = await en_parallele(args.clients, args.duree, appel)
            cpu = {
                serveur: round(1000 * (cpu_s(pid) - avant[serveur]) / max(1, len(durees)), 2)
                for serveur, pid in serveurs.items()
            }
            return {
                "mesure": nom + (f" ({reflexion:g} s de réflexion)" if reflexion else ""),
                "req_par_s": round(len(durees) / ecoule, 1),
                "octets_moyens": round(sum(tailles) / max(1, len(tailles))),
                **percentiles(durees),
                "cpu_ms_par_requete": cpu,
            }

        def demande() -> str:
            return random.choice(ids)

        def nom() -> str:
            return random.choice(noms)

        def consultation() -> tuple[str, None]:
            return f"/pro/demandes/{demande()}/demandeur", None

        def consultation_api() -> tuple[str, None]:
            return f"/api/demandes/{demande()}", None

        def recherche() -> tuple[str, dict[str, Any]]:
            return "/pro/demandes", {"nom": nom()}

        def recherche_api() -> tuple[str, dict[str, Any]]:
            return "/api/demandes", {"nom": nom(), "tri": "date_depot", "page": 1, "par_page": 20}

        # Closed loop (each user clicks again as soon as the page arrives: the throughput
        # and the cost of a page), then, with --reflexion, users who read each page for
        # that long on average (exponential) before the next click.
        series = [("", 0.0)] + ([("_reflexion", args.reflexion)] if args.reflexion else [])
        for suffixe, reflexion in series:
            for cle, page_chemin, api_chemin, nom_page, nom_api in (
                (
                    "a_consultation",
                    consultation,
                    consultation_api,
                    "page de consultation",
                    "GET /api/demandes/{id}",
                ),
                (
                    "b_recherche",
                    recherche,
                    recherche_api,
                    "page de recherche",
                    "GET /api/demandes?nom=",
                ),
            ):
                page_ = await mesure(nom_page, pages, page_chemin, reflexion)
                api_ = await mesure(nom_api, api, api_chemin, reflexion)
                resultats[cle + suffixe] = {
                    "page": page_,
                    "api": api_,
                    "ratio_p95_page_sur_api": round(page_["p95_ms"] / api_["p95_ms"], 2),
                    "objectif_p95_page_ms": 150,
                }
    finally:
        await api.fermer()
        await pages.fermer()
    return resultats


def importer_en_parallele(tranches: list[Path], env: dict[str, str], dossier: Path) -> float:
    """One import process per file, all at once; the seconds until the last one ends."""
    import subprocess

    debut = time.perf_counter()
    processus = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "toit_demandes.entrypoints.import_masse",
                "--input",
                str(tranche),
                "--lot",
                "2000",
            ],
            env=env,
            stdout=(dossier / f"import-{i}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for i, tranche in enumerate(tranches)
    ]
    echecs = [p.args for p in processus if p.wait() != 0]
    import_s = time.perf_counter() - debut
    if echecs:
        for i in range(len(tranches)):
            print((dossier / f"import-{i}.log").read_text()[-2000:], file=sys.stderr)
        raise RuntimeError("import en échec")
    return import_s


async def dupliquer(url: str, copies: int, reste: int) -> None:
    """`copies` SQL copies of every imported demande (the last one partial: `reste` rows),
    with the rows of every table that refers to demandes.id (read from the schema)."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    moteur = create_async_engine(url)
    try:
        async with moteur.begin() as connexion:
            tables = await connexion.run_sync(lambda sync: _tables_de_demandes(sa.MetaData(), sync))
            demandes, enfants = tables
            await connexion.exec_driver_sql(
                "CREATE TEMP TABLE origine AS SELECT id, row_number() OVER (ORDER BY id) AS rang "
                "FROM demandes"
            )
            for k in range(1, copies + 1):
                limite = "" if k < copies or not reste else f" AND o.rang <= {reste}"
                nouvel_id = f"md5(o.id::text || '-{k}')::uuid"
                colonnes = [c.name for c in demandes.columns]
                valeurs = [
                    nouvel_id
                    if c == "id"
                    else f"CASE WHEN d.numero_unique IS NULL THEN NULL ELSE "
                    f"left(d.numero_unique, 13) || 'C' || lpad('{k}', 2, '0') || "
                    f"right(d.numero_unique, 2) END"
                    if c == "numero_unique"
                    else f"d.{c}"
                    for c in colonnes
                ]
                await connexion.exec_driver_sql(
                    f"INSERT INTO demandes ({', '.join(colonnes)}) SELECT {', '.join(valeurs)} "
                    f"FROM demandes d JOIN origine o ON o.id = d.id WHERE true{limite}"
                )
                for table, colonne in enfants:
                    cols = [
                        c.name
                        for c in table.columns
                        if not (c.primary_key and c.autoincrement is True and c.name == "id")
                        and not (c.name == "id" and isinstance(c.type, sa.Integer))
                    ]
                    vals = [
                        nouvel_id
                        if c == colonne
                        else f"md5(t.{c}::text || '-{k}')::uuid"
                        if c == "id"
                        else f"t.{c}"
                        for c in cols
                    ]
                    await connexion.exec_driver_sql(
                        f"INSERT INTO {table.name} ({', '.join(cols)}) SELECT {', '.join(vals)} "
                        f"FROM {table.name} t JOIN origine o ON o.id = t.{colonne} "
                        f"WHERE true{limite}"
                    )
        async with moteur.connect() as connexion:
            autocommit = await connexion.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("demandes", *(t.name for t, _ in enfants)):
                await autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
    finally:
        await moteur.dispose()


def _tables_de_demandes(metadata: Any, connexion: Any) -> tuple[Any, list[tuple[Any, str]]]:
    """The demandes table, and (table, column) of every column referring to demandes.id."""
    metadata.reflect(connexion)
    enfants = [
        (table, fk.parent.name)
        for table in metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == "demandes" and fk.column.name == "id"
    ]
    return metadata.tables["demandes"], enfants


async def charger(url: str, dossier: Path, args: argparse.Namespace) -> float:
    """Generates the demandes, imports them with `--importeurs` processes (one set of
    départements each), marks their events published; returns the import's seconds."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    from servicekit.messaging.tables import outbox

    runtime = ServiceRuntime(service, settings_for_tests(bus="memory"), database_url=url)
    await runtime.migrate()
    await runtime.db.dispose()
    tranches = [dossier / f"demandes-{i}.jsonl" for i in range(args.importeurs)]
    fichiers = [t.open("w") for t in tranches]
    try:
        for payload in generate(min(args.base, args.demandes), seed=42):
            rang = DEPARTEMENTS.index(payload["departement"]) % args.importeurs
            fichiers[rang].write(json.dumps(payload) + "\n")
    finally:
        for f in fichiers:
            f.close()
    env = {
        **os.environ,
        "TOIT_DATABASE_URL_DEMANDES": url,
        "TOIT_MODE": "test",
        "TOIT_BUS": "memory",
        "TOIT_DATA_DIR": str(dossier),
        "TOIT_LOG_LEVEL": "WARNING",
    }
    import_s = importer_en_parallele(tranches, env, dossier)
    moteur = create_async_engine(url)
    try:
        async with moteur.begin() as connexion:
            await connexion.execute(
                outbox.update()
                .where(outbox.c.published_at.is_(None))
                .values(published_at=sa.func.now())
            )
    finally:
        await moteur.dispose()
    base = min(args.base, args.demandes)
    if args.demandes > base:
        copies, reste = divmod(args.demandes - base, base)
        await dupliquer(url, copies + (1 if reste else 0), reste)
    return import_s


async def main(args: argparse.Namespace) -> None:
    url = args.reprendre or await create_database()
    vhost = await create_vhost()
    dossier = Path(tempfile.mkdtemp(prefix="bench-espace-pro-"))
    processus: list[Any] = []
    try:
        debut = time.perf_counter()
        # A database kept by an earlier run (--conserver) is measured again as it is.
        import_s = 0.0 if args.reprendre else await charger(url, dossier, args)
        chargement_s = time.perf_counter() - debut
        print(
            f"{args.demandes} demandes chargées en {time.perf_counter() - debut:.0f} s "
            f"(import {import_s:.0f} s)",
            file=sys.stderr,
        )
        env = {
            "TOIT_DATABASE_URL_DEMANDES": url,
            "TOIT_BUS": "amqp",
            "TOIT_AMQP_URL": vhost,
            # Not production: its checks refuse the provisional reference data.
            "TOIT_MODE": "test",
            "TOIT_JWKS_JSON": json.dumps(test_jwks()),
            "TOIT_DATA_DIR": str(dossier),
            "TOIT_LOG_LEVEL": "WARNING",
            "TOIT_UI_SECRET": SECRET,
            "TOIT_UI_GATEWAY_URL": f"http://127.0.0.1:{GATEWAY_PORT}",
        }
        processus.append(
            demarrer(
                [str(BIN / "toit-espace-pro"), "--port", str(PRO_PORT)],
                env,
                dossier / "espace-pro.log",
            )
        )
        processus.append(
            demarrer(
                [
                    str(BIN / "toit-service"),
                    "run",
                    "demandes",
                    "--port",
                    str(SERVICE_PORT),
                    "--workers",
                    str(args.workers),
                ],
                env,
                dossier / "demandes.log",
            )
        )
        passerelle(dossier, "start")
        base = f"http://127.0.0.1:{GATEWAY_PORT}"
        try:
            await attendre(f"http://127.0.0.1:{SERVICE_PORT}/api/demandes/readyz", 300)
            await attendre(f"{base}/pro/healthz", 120)
        except RuntimeError:
            for journal in ("demandes.log", "espace-pro.log"):
                print(f"--- {journal}", (dossier / journal).read_text()[-3000:], file=sys.stderr)
            raise
        publication_s = await attendre_outbox_vide(url)  # nothing left: marked published
        serveurs = {"espace_pro": processus[0].pid, "demandes": processus[1].pid}
        resultats = await mesurer(base, args, serveurs)
        resultats["contexte"] = {
            "demandes_en_base": args.demandes,
            "importees": min(args.base, args.demandes),
            "copiees_en_sql": max(0, args.demandes - args.base),
            "chargement_s": round(chargement_s),
            "import_s": round(import_s),
            "importeurs": args.importeurs,
            "evenements_publies_s": round(publication_s),
            "clients": args.clients,
            "duree_s_par_mesure": args.duree,
            "workers_demandes": args.workers,
            "processus_espace_pro": 1,
            "via": f"nginx :{GATEWAY_PORT}",
            "charge_machine_1min": os.getloadavg()[0],
        }
        print(json.dumps(resultats, indent=2, ensure_ascii=False))
    finally:
        with contextlib.suppress(Exception):
            passerelle(dossier, "stop")
        for p in processus:
            p.terminate()
            p.wait(timeout=30)
        shutil.rmtree(dossier, ignore_errors=True)
        await delete_vhost(vhost)
        if args.conserver:
            print(f"base conservée : --reprendre {url}", file=sys.stderr)
        else:
            await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demandes", type=int, default=200_000)
    parser.add_argument(
        "--base", type=int, default=10_000, help="demandes importées (le reste : copies SQL)"
    )
    parser.add_argument("--importeurs", type=int, default=3, help="processus d'import en parallèle")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duree", type=float, default=15.0, help="secondes par mesure")
    parser.add_argument(
        "--reflexion",
        type=float,
        default=1.0,
        help="secondes de lecture entre deux clics (moyenne) de la seconde série ; 0 : aucune",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processus uvicorn du service demandes"
    )
    parser.add_argument(
        "--conserver",
        action="store_true",
        help="garder la base chargée (pour --reprendre ; à supprimer ensuite)",
    )
    parser.add_argument(
        "--reprendre", metavar="URL", help="mesurer sur la base gardée par un --conserver"
    )
    asyncio.run(main(parser.parse_args()))
