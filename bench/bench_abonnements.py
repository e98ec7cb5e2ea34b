"""bench-abonnements: demande events fanned out to partners by webhooks and the pull feed.

    make bench-abonnements        (or: uv run python bench/bench_abonnements.py --evenements 5000)

Three processes: this one (a producer committing DemandeModifiee events through its outbox
and relay, and the partners' pull readers), the abonnements service (`toit-service run
abonnements`, its consumer, logs and push deliverer) and the partners' webhook receiver
(bench/abonnements_recepteur.py). 20 partners, each with a webhook subscription whose log
it also reads through the pull feed.

1. The raw aio-pika ceiling of bench-bus, measured in the same run (median of 2).
2. Throughput: N events committed as fast as 8 producers can; time until every partner
   has received every event by webhook and read it from the feed: internal events/s,
   partner deliveries/s, and the ratio of internal events/s to the ceiling.
3. Latency at a steady 200 ev/s: internal commit (CloudEvent time) → partner receipt,
   p50/p99, for webhooks and for the pull feed (readers polling every 0.5 s when idle).
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
sys.path.insert(0, str(ROOT / "libs/servicekit/tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_bus import percentile, raw_ceiling  # noqa: E402
from bus_service import definition  # noqa: E402

from servicekit.logging import configure_logging  # noqa: E402
from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)
from servicekit.testing_auth import make_token, test_jwks  # noqa: E402
from toit_contracts.events import DemandeModifiee  # noqa: E402
from toit_contracts.examples import example_events  # noqa: E402

EXEMPLE = example_events()["demande.modifiee"]
assert isinstance(EXEMPLE, DemandeModifiee)


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


async def produire(runtime: ServiceRuntime, n: int, producteurs: int = 8) -> None:
    async def producteur(p: int) -> None:
        for _ in range(n // producteurs + (1 if p < n % producteurs else 0)):
            async with runtime.unit_of_work() as uow:
                uow.publish(EXEMPLE.model_copy(update={"demande_id": uuid.uuid4(), "version": 1}))
                await uow.commit()

    await asyncio.gather(*(producteur(p) for p in range(producteurs)))


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


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    plafonds: list[float] = []
    vhost_plafond = await create_vhost()
    try:
        for _ in range(2):
            plafonds.append(await raw_ceiling(vhost_plafond, 10_000))
    finally:
        await delete_vhost(vhost_plafond)
    plafond = statistics.median(plafonds)
    print(f"… plafond brut {plafonds}", file=sys.stderr, flush=True)

    db_producteur, db_abonnements, amqp_url = (
        await create_database(),
        await create_database(),
        await create_vhost(),
    )
    port_service, port_recepteur = port_libre(), port_libre()
    env = {
        **os.environ,
        "TOIT_MODE": "test",
        "TOIT_BUS": "amqp",
        "TOIT_AMQP_URL": amqp_url,
        "TOIT_DATABASE_URL": db_abonnements,
        "TOIT_JWKS_JSON": json.dumps(test_jwks()),
        "TOIT_JWKS_URL": "",
        "TOIT_LOG_LEVEL": "WARNING",
        "TOIT_ABONNEMENTS_INTERVALLE": "0.02",
        "TOIT_ABONNEMENTS_LOT": "500",
    }
    journal = ROOT / ".data" / "bench-abonnements"
    journal.mkdir(parents=True, exist_ok=True)
    processus = [
        lancer(
            ["uv", "run", "toit-service", "run", "abonnements", "--port", str(port_service)],
            env,
            journal / "service.log",
        ),
        lancer(
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
        ),
    ]
    producteur = ServiceRuntime(
        definition, settings_for_tests(bus="amqp", amqp_url=amqp_url), database_url=db_producteur
    )
    base = f"http://127.0.0.1:{port_service}"
    recepteur = f"http://127.0.0.1:{port_recepteur}"
    resultats: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(),
        "partenaires": args.partenaires,
    }
    lecteurs: Lecteurs | None = None
    try:
        await attendre_http(f"{base}/api/abonnements/healthz")
        await attendre_http(f"{recepteur}/stats")
        await producteur.start(consume=False, seed=False)
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
        debut = time.perf_counter()
        await produire(producteur, args.evenements)
        production = time.perf_counter() - debut
        dernier = 0.0
        while await recus() < attendus or lecteurs.lus < attendus:
            if time.perf_counter() - dernier > 10:
                dernier = time.perf_counter()
                print(
                    f"… {time.perf_counter() - debut:.0f} s : {await recus()} reçus par webhook, "
                    f"{lecteurs.lus} lus dans le flux sur {attendus}",
                    file=sys.stderr,
                    flush=True,
                )
            if time.perf_counter() - debut > args.delai_max:
                raise RuntimeError(f"incomplet : {await recus()} reçus, {lecteurs.lus} lus")
            await asyncio.sleep(0.2)
        duree = time.perf_counter() - debut
        async with httpx.AsyncClient() as client:
            await client.delete(f"{recepteur}/latences")
            stats = (await client.get(f"{recepteur}/stats")).json()
        lecteurs.latences.clear()
        resultats.update(
            evenements=args.evenements,
            production_s=round(production, 1),
            duree_s=round(duree, 1),
            evenements_internes_par_s=round(args.evenements / duree),
            livraisons_webhook_par_s=round(attendus / duree),
            lectures_flux_par_s=round(attendus / duree),
            doublons_webhook=stats["doublons"],
            plafond_bus_par_s=round(plafond),
            plafonds=[round(p) for p in plafonds],
            ratio_evenements_internes_plafond=round(args.evenements / duree / plafond, 3),
            ratio_livraisons_plafond=round(2 * attendus / duree / plafond, 3),
        )

        # 3. Latency at a steady rate.
        deja = await recus()
        n = args.debit * args.secondes
        intervalle = 1 / args.debit
        debut = time.perf_counter()
        for i in range(n):
            async with producteur.unit_of_work() as uow:
                uow.publish(EXEMPLE.model_copy(update={"demande_id": uuid.uuid4(), "version": 1}))
                await uow.commit()
            pause = debut + (i + 1) * intervalle - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
        fin = time.monotonic() + 120
        while (await recus() < deja + n * args.partenaires) and time.monotonic() < fin:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        async with httpx.AsyncClient() as client:
            webhook = sorted((await client.get(f"{recepteur}/latences")).json())
        flux = sorted(lecteurs.latences)
        resultats.update(
            debit=args.debit,
            debit_atteint=round(n / (time.perf_counter() - debut)),
            webhook_echantillons=len(webhook),
            webhook_p50_ms=round(percentile(webhook, 0.5), 1),
            webhook_p99_ms=round(percentile(webhook, 0.99), 1),
            flux_echantillons=len(flux),
            flux_p50_ms=round(percentile(flux, 0.5), 1),
            flux_p99_ms=round(percentile(flux, 0.99), 1),
            charge=os.getloadavg()[0],
        )
        print(json.dumps(resultats, indent=2, ensure_ascii=False))
    finally:
        if lecteurs is not None:
            await lecteurs.arreter()
        await producteur.stop()
        for p in processus:
            p.terminate()
        for p in processus:
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
    parser.add_argument("--delai-max", type=float, default=900)
    parser.add_argument("--pause-flux", type=float, default=0.5)
    asyncio.run(main(parser.parse_args()))
