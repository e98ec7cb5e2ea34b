"""bench-espace-pro: the espace professionnel's pages under load, beside the API calls
they make.

    make bench-espace-pro   (or: uv run python bench/bench_espace_pro.py --demandes 200000)

Setup: a fresh PostgreSQL database and RabbitMQ vhost; `--demandes` generated demandes
(bench/generator) bulk-imported; the demandes service (`toit-service run demandes`,
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
from toit_demandes.entrypoints.import_masse import importer  # noqa: E402
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


async def mesurer(base: str, args: argparse.Namespace) -> dict[str, Any]:
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

        async def mesure(nom: str, clients: Clients, chemin: Any) -> dict[str, Any]:
            durees: list[float] = []
            tailles: list[int] = []

            async def appel(index: int) -> None:
                url, params = chemin()
                debut = time.perf_counter()
                reponse = await clients[index].get(url, params=params)
                durees.append(time.perf_counter() - debut)
                assert reponse.status_code == 200, (url, reponse.status_code)
                tailles.append(len(reponse.content))

            await en_parallele(args.clients, 2, appel)  # warm-up
            durees.clear()
            ecoule = await en_parallele(args.clients, args.duree, appel)
            return {
                "mesure": nom,
                "req_par_s": round(len(durees) / ecoule, 1),
                "octets_moyens": round(sum(tailles) / max(1, len(tailles))),
                **percentiles(durees),
            }

        def demande() -> str:
            return random.choice(ids)

        def nom() -> str:
            return random.choice(noms)

        consultation_page = await mesure(
            "page de consultation",
            pages,
            lambda: (f"/pro/demandes/{demande()}/demandeur", None),
        )
        consultation_api = await mesure(
            "GET /api/demandes/{id}", api, lambda: (f"/api/demandes/{demande()}", None)
        )
        recherche_page = await mesure(
            "page de recherche", pages, lambda: ("/pro/demandes", {"nom": nom()})
        )
        recherche_api = await mesure(
            "GET /api/demandes?nom=",
            api,
            lambda: (
                "/api/demandes",
                {"nom": nom(), "tri": "date_depot", "page": 1, "par_page": 20},
            ),
        )
        for cle, page_, api_ in (
            ("a_consultation", consultation_page, consultation_api),
            ("b_recherche", recherche_page, recherche_api),
        ):
            resultats[cle] = {
                "page": page_,
                "api": api_,
                "ratio_p95_page_sur_api": round(page_["p95_ms"] / api_["p95_ms"], 2),
                "objectif_p95_page_ms": 150,
            }
    finally:
        await api.fermer()
        await pages.fermer()
    return resultats


async def main(args: argparse.Namespace) -> None:
    url = await create_database()
    vhost = await create_vhost()
    dossier = Path(tempfile.mkdtemp(prefix="bench-espace-pro-"))
    processus: list[Any] = []
    try:
        source = dossier / "demandes.jsonl"
        with source.open("w") as fichier:
            for payload in generate(args.demandes, seed=42):
                fichier.write(json.dumps(payload) + "\n")
        runtime = ServiceRuntime(service, settings_for_tests(bus="memory"), database_url=url)
        debut = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            await importer(runtime, source, 2000)
        import_s = time.perf_counter() - debut
        await runtime.db.dispose()
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
        publication_s = await attendre_outbox_vide(url)
        resultats = await mesurer(base, args)
        resultats["contexte"] = {
            "demandes_en_base": args.demandes,
            "import_s": round(import_s),
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
        await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demandes", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duree", type=float, default=15.0, help="secondes par mesure")
    parser.add_argument(
        "--workers", type=int, default=1, help="processus uvicorn du service demandes"
    )
    asyncio.run(main(parser.parse_args()))
