"""bench-abonnements: demande events fanned out to partners by webhooks and the pull feed.

    make bench-abonnements        (or: uv run python bench/bench_abonnements.py --evenements 5000)

Separate processes, as docker-compose.yml runs them: the producer
(bench/bench_abonnements_producteur.py, committing `demande.modifiee` events through its
outbox and relay, as demandes does), the abonnements API (`toit-service run abonnements`
with TOIT_ABONNEMENTS_LIVRAISON=false: consumer, fan-out into the logs, pull feed), the
abonnements deliverer (the same with `true`: webhooks), the partners' webhook receiver
(bench/abonnements_recepteur.py) and this one (the partners' pull readers).
`--un-processus` runs the API and the deliverer in one process instead (the default
topology of `make up`). 20 partners, each with a webhook subscription whose log it also
reads through the pull feed.

1. The raw aio-pika ceiling of bench-bus, measured in the same run (median of 2).
2. Throughput: N events committed as fast as 8 producers can; time until every partner
   has received every event by webhook and read it from the feed: internal events/s,
   partner deliveries/s, and the ratio of (deliveries + reads)/s to the ceiling; CPU
   seconds used by each process per delivery.
3. Latency at a steady 200 ev/s: internal commit (CloudEvent time) → partner receipt,
   p50/p95/p99, for webhooks and for the pull feed (readers polling every 0.5 s when idle).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_bus import percentile, raw_ceiling  # noqa: E402

from servicekit.logging import configure_logging  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
)
from servicekit.testing_auth import make_token, test_jwks  # noqa: E402


def port_libre() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def attendre_http(url: str, delai: float = 90) -> None:
    fin = time.monotonic() + delai
    async with httpx.AsyncClient() as client:
        while time.monotonic() < fin:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} ne répond pas")


def lancer(
    commande: list[str], env: dict[str, str], journal: Path, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        commande, env=env, cwd=cwd, stdout=journal.open("wb"), stderr=subprocess.STDOUT
    )


def cpu_secondes(pid: int) -> float:
    """User + system CPU time of a process (and of its waited-for children), in seconds."""
    champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(c) for c in champs[11:15]) / os.sysconf("SC_CLK_TCK")


async def produire(db: str, amqp: str, *options: str) -> dict[str, Any]:
    """Run the producer process to its end; its JSON line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "bench_abonnements_producteur.py"),
        "--database-url",
        db,
        "--amqp-url",
        amqp,
        *options,
        stdout=asyncio.subprocess.PIPE,
    )
    sortie, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"producteur : code {proc.returncode}")
    resultat: dict[str, Any] = json.loads(sortie.decode().strip().splitlines()[-1])
    return resultat


class Lecteurs:
    """The partners' pull readers: each reads its subscription's feed from its cursor."""

    def __init__(self, base: str, abonnements: list[tuple[str, str]], pause: float) -> None:
        self.base = base
        self.abonnements = abonnements  # (organisation, subscription)
        self.pause = pause
        self.lus = 0
        self.latences: list[float] = []
        self.arret = asyncio.Event()
        self.taches: list[asyncio.Task[None]] = []

    async def _lire(self, organisation: str, abonnement: str) -> None:
        jeton = make_token(
            roles={"PARTENAIRE_API"}, kind="client", organisation=organisation, expires_in=3600
        )
        headers = {"Authorization": f"Bearer {jeton}"}
        curseur: str | None = None
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            while not self.arret.is_set():
                params: dict[str, Any] = {"abonnement": abonnement, "limite": 1000}
                if curseur:
                    params["apres"] = curseur
                r = await client.get("/api/abonnements/flux", params=params, headers=headers)
                r.raise_for_status()
                page = r.json()
                maintenant = time.time()
                for e in page["evenements"]:
                    emis = datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
                    self.latences.append((maintenant - emis) * 1000)
                self.lus += len(page["evenements"])
                curseur = page["curseur_suivant"]
                if not page["encore"]:
                    await asyncio.sleep(self.pause)

    def demarrer(self) -> None:
        self.taches = [asyncio.create_task(self._lire(o, a)) for o, a in self.abonnements]

    async def arreter(self) -> None:
        self.arret.set()
        await asyncio.gather(*self.taches, return_exceptions=True)


def service(
    port: int, env: dict[str, str], livraison: bool, journal: Path
) -> subprocess.Popen[bytes]:
    """`toit-service run abonnements` in a process of its own (no `uv` wrapper: its CPU time
    is read from /proc)."""
    return lancer(
        [
            sys.executable,
            "-c",
            "from servicekit.cli import main; main()",
            "run",
            "abonnements",
            "--port",
            str(port),
        ],
        {**env, "TOIT_ABONNEMENTS_LIVRAISON": "true" if livraison else "false"},
        journal,
    )


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    plafonds: list[float] = []
    vhost_plafond = await create_vhost()
    try:
        for _ in range(2):
            plafonds.append(await raw_ceiling(vhost_plafond, args.plafond_evenements))
    finally:
        await delete_vhost(vhost_plafond)
    plafond = statistics.median(plafonds)
    print(f"… plafond brut {plafonds}", file=sys.stderr, flush=True)

    db_producteur, db_abonnements, amqp_url = (
        await create_database(),
        await create_database(),
        await create_vhost(),
    )
    port_api, port_livreur, port_recepteur = port_libre(), port_libre(), port_libre()
    env = {
        **os.environ,
        "TOIT_MODE": "test",
        "TOIT_BUS": "amqp",
        "TOIT_AMQP_URL": amqp_url,
        "TOIT_DATABASE_URL": db_abonnements,
        # Read before TOIT_DATABASE_URL (Settings.database_url_for), and exported by
        # `infra.sh env` for the shared toit_abonnements database: without this line the
        # service ran on that database, fanning out to every subscription earlier runs left.
        "TOIT_DATABASE_URL_ABONNEMENTS": db_abonnements,
        "TOIT_JWKS_JSON": json.dumps(test_jwks()),
        "TOIT_JWKS_URL": "",
        "TOIT_LOG_LEVEL": "WARNING",
        "TOIT_ABONNEMENTS_INTERVALLE": "0.02",
        "TOIT_ABONNEMENTS_LOT": "500",
    }
    journal = ROOT / ".data" / "bench-abonnements"
    journal.mkdir(parents=True, exist_ok=True)
    processus: dict[str, subprocess.Popen[bytes]] = {
        "api": service(port_api, env, args.un_processus, journal / "api.log")
    }
    await attendre_http(f"http://127.0.0.1:{port_api}/api/abonnements/healthz")  # migrated
    if not args.un_processus:
        processus["livreur"] = service(port_livreur, env, True, journal / "livreur.log")
    processus["recepteur"] = lancer(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "abonnements_recepteur:app",
            "--port",
            str(port_recepteur),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        dict(os.environ),
        journal / "recepteur.log",
        cwd=ROOT / "bench",
    )
    base = f"http://127.0.0.1:{port_api}"
    recepteur = f"http://127.0.0.1:{port_recepteur}"
    resultats: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(),
        "partenaires": args.partenaires,
        "processus": "un (API + livreur)" if args.un_processus else "API, livreur séparés",
        "charge_debut": [round(x, 2) for x in os.getloadavg()],
    }
    lecteurs: Lecteurs | None = None
    try:
        if not args.un_processus:
            await attendre_http(f"http://127.0.0.1:{port_livreur}/api/abonnements/healthz")
        await attendre_http(f"{recepteur}/stats")
        gestionnaire = {
            "Authorization": "Bearer "
            + make_token(roles={"GESTIONNAIRE_FICHIER"}, departements={"35"}, expires_in=7200)
        }
        abonnements: list[tuple[str, str]] = []
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=gestionnaire) as client:
            for i in range(args.partenaires):
                organisation = str(uuid.uuid4())
                r = await client.post(
                    "/api/abonnements/partenaires",
                    json={
                        "organisation_id": organisation,
                        "nom": f"Partenaire {i}",
                        "contact_email": f"p{i}@example.org",
                        "roles": ["INSTRUCTEUR"],
                        "habilitation": {"departements": ["35"]},
                    },
                )
                r.raise_for_status()
                r = await client.post(
                    "/api/abonnements/abonnements",
                    json={
                        "organisation_id": organisation,
                        "nom": f"SI {i}",
                        "types": ["demande.modifiee"],
                        "perimetre": {"departements": ["35"]},
                        "profil": "bailleur",
                        "mode": "WEBHOOK",
                        "url": f"{recepteur}/hook/{i}",
                    },
                )
                r.raise_for_status()
                abonnements.append((organisation, r.json()["abonnement"]["id"]))
        lecteurs = Lecteurs(base, abonnements, pause=args.pause_flux)
        lecteurs.demarrer()

        async def recus() -> int:
            async with httpx.AsyncClient() as client:
                return int((await client.get(f"{recepteur}/stats")).json()["recus"])

        # 2. Throughput.
        attendus = args.evenements * args.partenaires
        cpu_avant = {nom: cpu_secondes(p.pid) for nom, p in processus.items()}
        cpu_bench_avant = time.process_time()
        debut = time.perf_counter()
        production = asyncio.create_task(
            produire(db_producteur, amqp_url, "--evenements", str(args.evenements))
        )
        dernier = 0.0
        complet = False
        while time.perf_counter() - debut < args.delai_max:
            livres = await recus()
            if livres >= attendus and lecteurs.lus >= attendus and production.done():
                complet = True
                break
            if time.perf_counter() - dernier > 10:
                dernier = time.perf_counter()
                print(
                    f"… {time.perf_counter() - debut:.0f} s : {livres} reçus par webhook, "
                    f"{lecteurs.lus} lus dans le flux sur {attendus}",
                    file=sys.stderr,
                    flush=True,
                )
            await asyncio.sleep(0.2)
        # Incomplete within --delai-max: the rates over the window are still figures.
        duree = time.perf_counter() - debut
        livres, lus = await recus(), lecteurs.lus
        cpu = {nom: cpu_secondes(p.pid) - cpu_avant[nom] for nom, p in processus.items()}
        cpu["lecteurs (ce processus)"] = time.process_time() - cpu_bench_avant
        produits = await production
        async with httpx.AsyncClient() as client:
            await client.delete(f"{recepteur}/latences")
            stats = (await client.get(f"{recepteur}/stats")).json()
        lecteurs.latences.clear()
        resultats.update(
            evenements=args.evenements,
            production_s=produits["secondes"],
            complet=complet,
            duree_s=round(duree, 1),
            livraisons_webhook=livres,
            lectures_flux=lus,
            attendues=attendus,
            evenements_internes_par_s=round(min(livres, lus) / args.partenaires / duree),
            livraisons_webhook_par_s=round(livres / duree),
            lectures_flux_par_s=round(lus / duree),
            doublons_webhook=stats["doublons"],
            plafond_bus_par_s=round(plafond),
            plafonds=[round(p) for p in plafonds],
            ratio_livraisons_plafond=round((livres + lus) / duree / plafond, 3),
            cpu_ms_par_livraison={
                nom: round(1000 * c / max(1, livres), 3) for nom, c in cpu.items()
            },
            charge_apres_debit=[round(x, 2) for x in os.getloadavg()],
        )
        print(json.dumps(resultats, ensure_ascii=False), file=sys.stderr, flush=True)
        if not complet:
            print(json.dumps(resultats, indent=2, ensure_ascii=False))
            return  # a backlog remains: a latency at a steady rate would measure it

        # 3. Latency at a steady rate.
        deja = await recus()
        lus = lecteurs.lus
        produits = await produire(
            db_producteur,
            amqp_url,
            "--debit",
            str(args.debit),
            "--secondes",
            str(args.secondes),
        )
        n = produits["evenements"]
        fin = time.monotonic() + args.attente_latence
        while (
            await recus() < deja + n * args.partenaires or lecteurs.lus < lus + n * args.partenaires
        ) and time.monotonic() < fin:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        async with httpx.AsyncClient() as client:
            webhook = sorted((await client.get(f"{recepteur}/latences")).json())
        flux = sorted(lecteurs.latences)
        resultats.update(
            debit=args.debit,
            debit_atteint=produits["debit"],
            webhook_attendus=n * args.partenaires,
            webhook_echantillons=len(webhook),
            webhook_p50_ms=round(percentile(webhook, 0.5), 1),
            webhook_p95_ms=round(percentile(webhook, 0.95), 1),
            webhook_p99_ms=round(percentile(webhook, 0.99), 1),
            flux_echantillons=len(flux),
            flux_p50_ms=round(percentile(flux, 0.5), 1),
            flux_p95_ms=round(percentile(flux, 0.95), 1),
            flux_p99_ms=round(percentile(flux, 0.99), 1),
            charge_fin=[round(x, 2) for x in os.getloadavg()],
        )
        print(json.dumps(resultats, indent=2, ensure_ascii=False))
    finally:
        if lecteurs is not None:
            await lecteurs.arreter()
        for p in processus.values():
            p.terminate()
        for p in processus.values():
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        await drop_database(db_producteur)
        await drop_database(db_abonnements)
        await delete_vhost(amqp_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evenements", type=int, default=5000)
    parser.add_argument("--partenaires", type=int, default=20)
    parser.add_argument("--debit", type=int, default=200)
    parser.add_argument("--secondes", type=int, default=15)
    parser.add_argument("--delai-max", type=float, default=900, help="throughput phase, s")
    parser.add_argument("--attente-latence", type=float, default=60)
    parser.add_argument("--plafond-evenements", type=int, default=10_000)
    parser.add_argument("--pause-flux", type=float, default=0.5)
    parser.add_argument(
        "--un-processus",
        action="store_true",
        help="the API and the deliverer in one process (make up's topology)",
    )
    asyncio.run(main(parser.parse_args()))
