"""bench-demandes: the demandes API under load, beside a bare FastAPI endpoint.

    make bench-demandes   (or: uv run python bench/bench_demandes.py --demandes 200000)

Setup: a fresh PostgreSQL database and RabbitMQ vhost; `--demandes` generated demandes
(bench/generator) bulk-imported with their events; the demandes service started as its own
uvicorn server (`toit-service run demandes --workers N`, bus amqp; N = `--workers`, by default
the machine's cores) and, the same way, a bare FastAPI app with one JSON endpoint and no
database (the framework's ceiling); and in front of both, the nginx gateway of `make up`
(deploy/local/gateway.sh, the same configuration, with its own state directory and ports).
Every request goes through that gateway, as in the real topology; `--direct` bypasses it.

Each simulated client has its own HTTP connection (one httpx client each): 50 clients sharing
one httpx pool cost the load generator ~3 ms of CPU per request, on the same 2 cores as the
server. The load generator runs on uvloop when available.

The import stages one `demande.enregistree` event per demande in the outbox; the measures
start once the service has published them all (`import_en_masse.evenements_publies_s`), so that
they see the API in steady state, not beside a relay draining 200,000 events.

(a) create + register (POST /api/demandes, identity pièce, POST .../enregistrement) at
    `--clients` concurrent clients: demandes/s and p50/p95/p99 of each call;
(b) PATCH (JSON merge patch with If-Match) at `--clients` concurrent clients, closed loop:
    req/s and percentiles, beside the bare endpoint at the same concurrency, with the ratio;
(c) PATCH at a fixed 100 req/s (open loop, sends scheduled on the clock, latency counted
    from the scheduled time): p95 (target ≤ 50 ms), and the rate achieved;
(d) search by name prefix among the imported demandes: p50/p95 (target p95 ≤ 100 ms).
Needs the local PostgreSQL and RabbitMQ (`deploy/local/infra.sh start`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generator import generate  # noqa: E402
from toit_demandes.entrypoints.import_masse import importer  # noqa: E402
from toit_demandes.service import service  # noqa: E402

from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)
from servicekit.testing_auth import make_token, test_jwks  # noqa: E402

PDF = b"%PDF-1.4\n% bench\n%%EOF\n"
ROOT = BENCH.parent
# The local topology's port layout (deploy/local/common.sh) from this base: demandes on
# base+2; the bare app in observatoire's slot (base+5). The gateway on GATEWAY_PORT.
PORT_BASE = 18100
SERVICE_PORT = PORT_BASE + 2
BARE_PORT = PORT_BASE + 5
GATEWAY_PORT = 18090


def percentiles(durees: list[float]) -> dict[str, float]:
    if not durees:
        return {}
    ordre = sorted(durees)

    def p(q: float) -> float:
        return round(ordre[min(len(ordre) - 1, int(q * len(ordre)))] * 1000, 1)

    return {
        "n": len(ordre),
        "p50_ms": p(0.50),
        "p95_ms": p(0.95),
        "p99_ms": p(0.99),
        "moyenne_ms": round(statistics.fmean(ordre) * 1000, 1),
    }


def demarrer(commande: list[str], env: dict[str, str], journal: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        commande,
        env={**os.environ, **env},
        stdout=journal.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=BENCH.parent,
    )


async def attendre(url: str, delai: float = 90) -> None:
    async with httpx.AsyncClient() as client:
        fin = time.monotonic() + delai
        while time.monotonic() < fin:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} ne répond pas")


async def attendre_outbox_vide(url: str, delai: float = 1800) -> float:
    """Seconds until the service has published every event of the outbox."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    from servicekit.messaging.tables import outbox

    moteur = create_async_engine(url)
    debut = time.perf_counter()
    try:
        while time.perf_counter() - debut < delai:
            async with moteur.connect() as connexion:
                restants = (
                    await connexion.execute(
                        sa.select(sa.func.count())
                        .select_from(outbox)
                        .where(outbox.c.published_at.is_(None))
                    )
                ).scalar_one()
            if restants == 0:
                # 200,000 rows just left the outbox's pending index: until (auto)vacuum
                # removes their entries, every relay poll walks them. Steady state, as
                # autovacuum would have it shortly.
                async with moteur.connect() as connexion:
                    autocommit = await connexion.execution_options(isolation_level="AUTOCOMMIT")
                    await autocommit.exec_driver_sql("VACUUM (ANALYZE) outbox")
                return time.perf_counter() - debut
            await asyncio.sleep(1)
    finally:
        await moteur.dispose()
    raise RuntimeError("l'outbox ne se vide pas")


async def en_parallele(
    clients: int, duree: float, appel: Callable[[int], Awaitable[None]]
) -> float:
    """Runs `appel(client)` in a loop on each client for `duree` seconds; returns elapsed."""
    fin = time.monotonic() + duree
    debut = time.perf_counter()

    async def boucle(index: int) -> None:
        while time.monotonic() < fin:
            await appel(index)

    await asyncio.gather(*[boucle(i) for i in range(clients)])
    return time.perf_counter() - debut


class Clients:
    """Simulated clients, each with its own connection, lent one request at a time."""

    def __init__(self, base: str, entetes: dict[str, str], nombre: int) -> None:
        self._libres: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        self.tous = [
            httpx.AsyncClient(
                base_url=base,
                headers=entetes,
                timeout=30,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            )
            for _ in range(nombre)
        ]
        for client in self.tous:
            self._libres.put_nowait(client)

    def __getitem__(self, index: int) -> httpx.AsyncClient:
        return self.tous[index % len(self.tous)]

    async def emprunter(self) -> httpx.AsyncClient:
        return await self._libres.get()

    def rendre(self, client: httpx.AsyncClient) -> None:
        self._libres.put_nowait(client)

    async def fermer(self) -> None:
        for client in self.tous:
            await client.aclose()


async def mesurer(base: str, bare: str, args: argparse.Namespace) -> dict[str, Any]:
    jeton = make_token(
        # The generated demandes carry their old dépôt dates: the gestionnaire's field.
        roles={"GESTIONNAIRE_FICHIER"},
        departements={"22", "29", "35", "56", "44", "49", "53", "72", "85"},
        guichet="BENCH",
        expires_in=3600,
    )
    entetes = {"Authorization": f"Bearer {jeton}"}
    resultats: dict[str, Any] = {}
    # The open loop may have more requests in flight than there are closed-loop clients.
    clients = Clients(base, entetes, args.clients * 2)
    try:
        # (a) create + register
        payloads = iter(generate(args.creations + args.clients, seed=7))
        durees: dict[str, list[float]] = {"creation": [], "piece": [], "enregistrement": []}
        crees: list[tuple[str, str]] = []
        restantes = args.creations

        async def chrono(nom: str, requete: Awaitable[httpx.Response]) -> httpx.Response:
            debut = time.perf_counter()
            reponse = await requete
            durees[nom].append(time.perf_counter() - debut)
            if reponse.status_code >= 300:
                raise RuntimeError(f"{nom}: {reponse.status_code} {reponse.text[:200]}")
            return reponse

        async def creer_enregistrer(index: int) -> None:
            nonlocal restantes
            client = clients[index]
            while restantes > 0:
                restantes -= 1
                cree = await chrono("creation", client.post("/api/demandes", json=next(payloads)))
                demande_id = cree.json()["id"]
                await chrono(
                    "piece",
                    client.post(
                        f"/api/demandes/{demande_id}/pieces",
                        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
                        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
                    ),
                )
                enregistree = await chrono(
                    "enregistrement", client.post(f"/api/demandes/{demande_id}/enregistrement")
                )
                crees.append((demande_id, enregistree.headers["etag"]))

        debut = time.perf_counter()
        await asyncio.gather(*[creer_enregistrer(i) for i in range(args.clients)])
        ecoule = time.perf_counter() - debut
        resultats["a_creation_enregistrement"] = {
            "demandes_par_s": round(len(crees) / ecoule, 1),
            **{nom: percentiles(d) for nom, d in durees.items()},
        }

        # (b) PATCH, closed loop, one demande per client
        etags = dict(crees)
        ids = list(etags)[: args.clients]
        patch_durees: list[float] = []
        conflits = 0

        async def patcher(index: int) -> None:
            nonlocal conflits
            demande_id = ids[index % len(ids)]
            corps = {"logement_recherche": {"loyer_max_mensuel": random.randint(300, 900)}}
            debut = time.perf_counter()
            reponse = await clients[index].patch(
                f"/api/demandes/{demande_id}",
                json=corps,
                headers={
                    "If-Match": etags[demande_id],
                    "Content-Type": "application/merge-patch+json",
                },
            )
            patch_durees.append(time.perf_counter() - debut)
            if reponse.status_code == 200:
                etags[demande_id] = reponse.headers["etag"]
            else:
                conflits += 1

        ecoule = await en_parallele(args.clients, args.duree, patcher)
        resultats["b_patch_boucle_fermee"] = {
            "clients": args.clients,
            "req_par_s": round(len(patch_durees) / ecoule, 1),
            "non_200": conflits,
            **percentiles(patch_durees),
        }

        # (c) PATCH at a fixed rate (open loop): each send is scheduled on the clock (a sleep
        # of 1/rate after each send would drift below the rate), and its latency counts from
        # its scheduled time, so that a late send is not hidden (coordinated omission).
        fixes: list[float] = []

        async def un_patch(demande_id: str, prevu: float) -> None:
            corps = {"logement_recherche": {"loyer_max_mensuel": random.randint(300, 900)}}
            client = await clients.emprunter()
            try:
                while True:
                    reponse = await client.patch(
                        f"/api/demandes/{demande_id}",
                        json=corps,
                        headers={"If-Match": etags[demande_id]},
                    )
                    if reponse.status_code == 200:
                        etags[demande_id] = reponse.headers["etag"]
                        fixes.append(time.perf_counter() - prevu)
                        return
                    etags[demande_id] = (await client.get(f"/api/demandes/{demande_id}")).headers[
                        "etag"
                    ]
            finally:
                clients.rendre(client)

        taches = []
        tous = [i for i, _ in crees]
        envois = int(args.debit * args.duree)
        depart = time.perf_counter() + 0.1
        for rang in range(envois):
            prevu = depart + rang / args.debit
            await asyncio.sleep(max(0.0, prevu - time.perf_counter()))
            taches.append(asyncio.create_task(un_patch(tous[rang % len(tous)], prevu)))
        envoi_s = time.perf_counter() - depart
        await asyncio.gather(*taches)
        resultats["c_patch_debit_fixe"] = {
            "req_par_s_visees": args.debit,
            "req_par_s_envoyees": round(envois / envoi_s, 1),
            **percentiles(fixes),
        }

        # (d) search by name among the imported demandes
        noms = [p["demandeur"]["nom_naissance"][:4] for p in generate(200, seed=42)]
        recherches: list[float] = []
        totaux: list[int] = []

        async def chercher(index: int) -> None:
            nom = noms[random.randrange(len(noms))]
            debut = time.perf_counter()
            reponse = await clients[index].get(
                "/api/demandes", params={"nom": nom, "par_page": 20, "tri": "nom"}
            )
            recherches.append(time.perf_counter() - debut)
            totaux.append(reponse.json()["total"])

        ecoule = await en_parallele(10, args.duree, chercher)
        resultats["d_recherche_par_nom"] = {
            "demandes_en_base": args.demandes,
            "clients": 10,
            "req_par_s": round(len(recherches) / ecoule, 1),
            "resultats_moyens": round(statistics.fmean(totaux)),
            **percentiles(recherches),
        }

    finally:
        await clients.fermer()
    nus = Clients(bare, entetes, args.clients)
    try:
        nues: list[float] = []

        async def patch_nu(index: int) -> None:
            debut = time.perf_counter()
            await nus[index].patch(
                f"/api/observatoire/nu/{index}",
                json={"loyer_max_mensuel": 500},
                headers={"If-Match": '"1"'},
            )
            nues.append(time.perf_counter() - debut)

        ecoule = await en_parallele(args.clients, args.duree, patch_nu)
        resultats["b_endpoint_nu"] = {
            "clients": args.clients,
            "req_par_s": round(len(nues) / ecoule, 1),
            **percentiles(nues),
        }
    finally:
        await nus.fermer()
    resultats["b_ratio_patch_sur_nu"] = round(
        resultats["b_patch_boucle_fermee"]["req_par_s"] / resultats["b_endpoint_nu"]["req_par_s"], 3
    )
    return resultats


def passerelle(
    dossier: Path, action: str, port_base: int = PORT_BASE, port_passerelle: int = GATEWAY_PORT
) -> None:
    """Start or stop the bench's own instance of the local nginx gateway."""
    env = {
        **os.environ,
        "TOIT_STATE_DIR": str(dossier / "passerelle"),
        "TOIT_SERVICE_PORT_BASE": str(port_base),
        "TOIT_GATEWAY_PORT": str(port_passerelle),
    }
    subprocess.run([str(ROOT / "deploy/local/gateway.sh"), action], env=env, check=True)


@dataclass
class Banc:
    """What `demandes_importees` prepared: a database holding the imported demandes, a
    broker vhost, a temporary folder, and the processes to stop at the end."""

    url: str
    vhost: str
    dossier: Path
    import_s: float = 0.0
    processus: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, mode: str, **autres: str) -> dict[str, str]:
        """The environment of the service processes started on this bench."""
        return {
            "TOIT_DATABASE_URL_DEMANDES": self.url,
            "TOIT_BUS": "amqp",
            "TOIT_AMQP_URL": self.vhost,
            "TOIT_MODE": mode,
            "TOIT_JWKS_JSON": json.dumps(test_jwks()),
            "TOIT_DATA_DIR": str(self.dossier),
            "TOIT_LOG_LEVEL": "WARNING",
            **autres,
        }

    def demarrer(
        self, commande: list[str], env: dict[str, str], journal: str
    ) -> subprocess.Popen[bytes]:
        processus = demarrer(commande, env, self.dossier / journal)
        self.processus.append(processus)
        return processus


@contextlib.asynccontextmanager
async def demandes_importees(prefixe: str, nombre: int) -> AsyncIterator[Banc]:
    """A fresh database and vhost with `nombre` generated demandes bulk-imported (their
    events staged in the outbox); afterwards the processes started through the bench are
    stopped and the database, vhost and folder removed."""
    banc = Banc(
        await create_database(), await create_vhost(), Path(tempfile.mkdtemp(prefix=prefixe))
    )
    try:
        source = banc.dossier / "demandes.jsonl"
        with source.open("w") as fichier:
            for payload in generate(nombre, seed=42):
                fichier.write(json.dumps(payload) + "\n")
        runtime = ServiceRuntime(service, settings_for_tests(bus="memory"), database_url=banc.url)
        debut = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):  # progress lines; stdout is the JSON
            await importer(runtime, source, 2000)
        banc.import_s = time.perf_counter() - debut
        await runtime.db.dispose()
        yield banc
    finally:
        for p in banc.processus:
            p.terminate()
            p.wait(timeout=30)
        shutil.rmtree(banc.dossier, ignore_errors=True)
        await delete_vhost(banc.vhost)
        await drop_database(banc.url)


async def main(args: argparse.Namespace) -> None:
    async with demandes_importees("bench-demandes-", args.demandes) as banc:
        dossier = banc.dossier
        # Not production: since the reference data flag provisional figures (issue 11),
        # TOIT_MODE=production refuses to start; the bench then had no figures at all.
        env = banc.env("test")
        banc.demarrer(
            [
                "uv",
                "run",
                "uvicorn",
                "bench_demandes_nu:app",
                "--app-dir",
                str(BENCH),
                "--port",
                str(BARE_PORT),
                "--no-access-log",
                "--log-level",
                "warning",
                "--workers",
                str(args.workers),
            ],
            env,
            "nu.log",
        )
        if args.direct:
            base, bare = f"http://127.0.0.1:{SERVICE_PORT}", f"http://127.0.0.1:{BARE_PORT}"
        else:
            passerelle(dossier, "start")
            base = bare = f"http://127.0.0.1:{GATEWAY_PORT}"
        try:
            for essai in range(3):  # the shared local broker may be restarting
                service_ = banc.demarrer(
                    [
                        "uv",
                        "run",
                        "toit-service",
                        "run",
                        "demandes",
                        "--port",
                        str(SERVICE_PORT),
                        "--workers",
                        str(args.workers),
                    ],
                    env,
                    f"service-{essai}.log",
                )
                try:
                    await attendre(f"http://127.0.0.1:{SERVICE_PORT}/api/demandes/readyz")
                    break
                except RuntimeError:
                    service_.terminate()
                    if essai == 2:
                        raise
            await attendre(f"{bare}/api/observatoire/nu/healthz")
            publication_s = await attendre_outbox_vide(banc.url)
            resultats = await mesurer(base, bare, args)
            resultats["import_en_masse"] = {
                "demandes": args.demandes,
                "duree_s": round(banc.import_s),
                "demandes_par_s": round(args.demandes / banc.import_s),
                "evenements_publies_s": round(publication_s),
            }
            resultats["via"] = "processus direct" if args.direct else f"nginx :{GATEWAY_PORT}"
            resultats["workers"] = args.workers
            print(json.dumps(resultats, indent=2, ensure_ascii=False))
        finally:
            if not args.direct:
                passerelle(dossier, "stop")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demandes", type=int, default=200_000)
    parser.add_argument("--creations", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duree", type=float, default=20.0, help="secondes par mesure")
    parser.add_argument("--debit", type=float, default=100.0, help="PATCH/s en boucle ouverte")
    parser.add_argument(
        "--direct", action="store_true", help="requêtes aux processus, sans la passerelle nginx"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processus uvicorn du service et de l'endpoint nu (défaut : les cœurs)",
    )
    try:
        import uvloop  # the load generator's own overhead, kept low
    except ImportError:
        asyncio.run(main(parser.parse_args()))
    else:
        uvloop.run(main(parser.parse_args()))
