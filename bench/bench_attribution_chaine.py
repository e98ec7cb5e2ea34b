"""bench-attribution, part 2: the whole attribution chain through the real services.

    uv run python bench/bench_attribution_chaine.py --chaines 100

demandes, cotation and matching run in this process on the local PostgreSQL (one database
each) and RabbitMQ (one vhost), with their own code, consumers and outbox relays, as in
`make up` minus the HTTP network hop (the API is called through ASGI). The bench registers
the demandes through demandes' API (created, identity pièce, registered: they reach
matching and cotation through the bus), then, for each chain, one after the other:

    vacancy declared → oriented (bailleur's contingent) → candidates searched → designated
    → put on a physical session's agenda → CALEOL decision (attribution to rank 1) → offer
    accepted → lease signed → `attribution.prononcee` → demandes radiates the demande
    (motif attribution, SNE data kept) → matching's copy of the demande radiated

and it waits for the radiation to come back to matching before the next chain (the next
search must not see the attributaire). Reported: each step's p50/p95 (ms), the two
propagation delays (lease → demande radiated in demandes; lease → matching's copy radiated),
the chain's wall time and events/s (outbox rows of the three services), each compared with
ceilings measured in the same run: a GET of one vacancy through the same stack (the
cheapest request) and the raw broker rate (bench_bus.raw_ceiling). A year of the CREHA
territory (40,000 attributions) is extrapolated from the measured per-chain time: the
search here runs on a pool of a few hundred demandes, not 200,000 (bench-matching measures
the search at that scale), and the people's delays (vote, ten days to answer) are not
simulated."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import toit_matching  # noqa: E402
from bench_bus import raw_ceiling  # noqa: E402
from toit_cotation.adapters.tables import attributions as attributions_cotation  # noqa: E402
from toit_cotation.seed import seed as grilles_exemple  # noqa: E402
from toit_cotation.service import service as cotation_service  # noqa: E402
from toit_demandes.exemples import demande_exemple  # noqa: E402
from toit_demandes.service import service as demandes_service  # noqa: E402
from toit_matching.adapters.tables import demandes as copies_matching  # noqa: E402
from toit_matching.service import service as matching_service  # noqa: E402

from servicekit.logging import configure_logging  # noqa: E402
from servicekit.messaging.tables import outbox  # noqa: E402
from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import (  # noqa: E402
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)
from servicekit.testing_auth import auth_headers, test_jwks  # noqa: E402

AGENT = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"44"}, guichet="GUI44")
BAILLEUR = auth_headers(roles={"INSTRUCTEUR"}, organisation="bailleur-44", departements={"44"})
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
STOCK = Path(toit_matching.__file__).parents[2] / "exemples" / "patrimoine.csv"
ETAPES = (
    "declarer",
    "orienter",
    "rechercher",
    "designer",
    "inscrire",
    "decider",
    "accepter",
    "signer_bail",
)


def stock(unites: int) -> bytes:
    """The example stock's T3 unit, `unites` times with distinct RPLS ids."""
    lignes = STOCK.read_text(encoding="utf-8").splitlines()
    entete, modele = lignes[0], next(x for x in lignes[1:] if x.startswith("44109000101;"))
    corps = [modele.replace("44109000101", f"44109{900000 + i:06d}", 1) for i in range(unites)]
    return ("\n".join([entete, *corps]) + "\n").encode("utf-8")


def centiles(durees: list[float]) -> dict[str, float]:
    ordre = sorted(durees)
    return {
        "n": len(ordre),
        "p50": round(statistics.median(ordre), 1),
        "p95": round(ordre[max(0, int(0.95 * len(ordre)) - 1)], 1),
    }


async def attendre(sonde: Callable[[], Awaitable[Any]], delai: float = 120.0) -> Any:
    async with asyncio.timeout(delai):
        while not (trouve := await sonde()):
            await asyncio.sleep(0.01)
    return trouve


async def scalaire(runtime: ServiceRuntime, requete: Any) -> Any:
    async with runtime.db.session() as session:
        return (await session.execute(requete)).scalar()


async def evenements(runtimes: list[ServiceRuntime]) -> int:
    total = 0
    for rt in runtimes:
        total += int(await scalaire(rt, sa.select(sa.func.count()).select_from(outbox)))
    return total


async def enregistrer(client: httpx.AsyncClient, i: int) -> str:
    corps = demande_exemple()
    corps["demandeur"] = {**corps["demandeur"], "nom_naissance": f"BANC{i:05d}"}
    corps["logement_recherche"] = {**corps["logement_recherche"], "typologies": ["T3"]}
    r = await client.post("/api/demandes", json=corps, headers=AGENT)
    assert r.status_code == 201, r.text
    demande_id = str(r.json()["id"])
    r = await client.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=AGENT,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/demandes/{demande_id}/enregistrement", headers=AGENT)
    assert r.status_code == 200, r.text
    return demande_id


class Chronometre:
    def __init__(self) -> None:
        self.mesures: dict[str, list[float]] = {e: [] for e in ETAPES}

    async def __call__(self, etape: str, appel: Awaitable[httpx.Response], attendu: int) -> Any:
        t0 = time.perf_counter()
        r = await appel
        self.mesures[etape].append((time.perf_counter() - t0) * 1000)
        assert r.status_code == attendu, f"{etape}: {r.status_code} {r.text}"
        return r.json()


async def chaine(
    m: httpx.AsyncClient,
    chrono: Chronometre,
    seance: str,
    rpls: str,
    jour: date,
) -> tuple[str, float]:
    """One vacancy from its declaration to the lease; returns the attributaire and the
    moment the lease was signed (perf_counter)."""
    v = await chrono(
        "declarer",
        m.post(
            "/api/matching/vacances",
            json={"rpls": rpls, "type": "PREAVIS", "date_disponibilite": jour.isoformat()},
            headers=BAILLEUR,
        ),
        201,
    )
    await chrono(
        "orienter",
        m.post(
            f"/api/matching/vacances/{v['id']}/orientation",
            json={"contingent": "BAILLEUR"},
            headers={**BAILLEUR, "If-Match": f'"{v["version"]}"'},
        ),
        200,
    )
    trouves = await chrono(
        "rechercher", m.get(f"/api/matching/vacances/{v['id']}/candidats", headers=BAILLEUR), 200
    )
    classement = [str(c["demande_id"]) for c in trouves["candidats"]][:3]
    assert classement, "aucun candidat"
    designation: dict[str, Any] = {"candidats": classement}
    if len(classement) < 3:
        designation["exception"] = "PAS_ASSEZ_DE_CANDIDATS"
    await chrono(
        "designer",
        m.post(f"/api/matching/vacances/{v['id']}/designation", json=designation, headers=BAILLEUR),
        201,
    )
    dossier = await chrono(
        "inscrire",
        m.post(
            f"/api/matching/seances/{seance}/dossiers",
            json={"vacance_id": v["id"]},
            headers=BAILLEUR,
        ),
        201,
    )
    decisions = [
        {"demande_id": d, "sens": "ATTRIBUTION_RANG", "rang": rang}
        for rang, d in enumerate(classement, start=1)
    ]
    decide = await chrono(
        "decider",
        m.post(
            f"/api/matching/dossiers/{dossier['id']}/decision",
            json={"decisions": decisions},
            headers=BAILLEUR,
        ),
        200,
    )
    offre = decide["offre"]
    await chrono(
        "accepter",
        m.post(
            f"/api/matching/offres/{offre['id']}/reponse",
            json={"accepte": True, "date_reponse": offre["date_notification"]},
            headers=BAILLEUR,
        ),
        200,
    )
    await chrono(
        "signer_bail",
        m.post(
            f"/api/matching/offres/{offre['id']}/bail",
            json={"date_signature": offre["date_notification"]},
            headers=BAILLEUR,
        ),
        201,
    )
    return str(offre["demande_id"]), time.perf_counter()


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    os.environ["TOIT_JWKS_JSON"] = json.dumps(test_jwks())  # the tokens of auth_headers
    amqp = await create_vhost()
    urls = [await create_database() for _ in range(3)]
    donnees = Path(tempfile.mkdtemp(prefix="bench-attribution-"))
    settings = settings_for_tests(bus="amqp", amqp_url=amqp, data_dir=donnees)
    demandes = ServiceRuntime(demandes_service, settings, database_url=urls[0])
    cotation = ServiceRuntime(cotation_service, settings, database_url=urls[1])
    matching = ServiceRuntime(matching_service, settings, database_url=urls[2])
    runtimes = [demandes, cotation, matching]
    resultats: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(),
        "chaines": args.chaines,
        "demandes": args.chaines + args.marge,
    }
    clients: list[httpx.AsyncClient] = []
    try:
        for rt in runtimes:
            await rt.start(seed=False)
        await grilles_exemple(cotation)
        d, m = (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=rt.app(manage_lifespan=False)),
                base_url="http://toit.test",
                timeout=120,
            )
            for rt in (demandes, matching)
        )
        clients = [d, m]
        t0 = time.perf_counter()
        for i in range(args.chaines + args.marge):
            await enregistrer(d, i)
        resultats["enregistrement_s"] = round(time.perf_counter() - t0, 1)
        r = await m.post(
            "/api/matching/patrimoine/imports?format=csv",
            content=stock(args.chaines),
            headers=BAILLEUR,
        )
        assert r.status_code == 201, r.text
        r = await m.post(
            "/api/matching/commissions",
            json={"nom": "CALEOL banc d'essai", "departement": "44"},
            headers=BAILLEUR,
        )
        commission = r.json()["id"]
        r = await m.post(
            f"/api/matching/commissions/{commission}/seances",
            json={
                "reference": "BANC-1",
                "date_seance": datetime.now(UTC).isoformat(),
                "mode": "PRESENTIELLE",
            },
            headers=BAILLEUR,
        )
        seance = r.json()["id"]

        # Every demande and its score have reached matching before the first search.
        async def toutes_arrivees() -> bool:
            n = await scalaire(
                matching,
                sa.select(sa.func.count())
                .select_from(copies_matching)
                .where(copies_matching.c.statut == "ACTIVE"),
            )
            return bool(n == args.chaines + args.marge)

        await attendre(toutes_arrivees, 300)
        await asyncio.sleep(2)  # the scores that follow each registration
        jour = min(date.today() + timedelta(days=30), date(date.today().year, 12, 31))
        chrono = Chronometre()
        vers_demandes: list[float] = []
        vers_matching: list[float] = []
        evenements_avant = await evenements(runtimes)
        debut = time.perf_counter()
        for i in range(args.chaines):
            attributaire, bail = await chaine(m, chrono, seance, f"44109{900000 + i:06d}", jour)

            async def radiee_demandes(ident: str = attributaire) -> bool:
                statut = await scalaire(
                    demandes, sa.text(f"SELECT statut FROM demandes WHERE id = '{ident}'")
                )
                return bool(statut == "RADIEE")

            async def radiee_matching(ident: str = attributaire) -> bool:
                statut = await scalaire(
                    matching,
                    sa.select(copies_matching.c.statut).where(
                        copies_matching.c.demande_id == ident
                    ),
                )
                return bool(statut == "RADIEE")

            await attendre(radiee_demandes)
            vers_demandes.append((time.perf_counter() - bail) * 1000)
            await attendre(radiee_matching)
            vers_matching.append((time.perf_counter() - bail) * 1000)
        mur = time.perf_counter() - debut

        async def cotation_a_tout() -> bool:
            n = await scalaire(
                cotation, sa.select(sa.func.count()).select_from(attributions_cotation)
            )
            return bool(n == args.chaines)

        await attendre(cotation_a_tout)
        sne = await scalaire(demandes, sa.text("SELECT count(*) FROM demande_attributions"))
        assert sne == args.chaines, sne
        produits = await evenements(runtimes) - evenements_avant

        # Ceilings, same run: the cheapest request through the same stack, the raw broker.
        vacance = (await m.get("/api/matching/vacances", headers=BAILLEUR)).json()[0]["id"]
        plafond_http = []
        for _ in range(200):
            t = time.perf_counter()
            r = await m.get(f"/api/matching/vacances/{vacance}", headers=BAILLEUR)
            plafond_http.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        plafond_bus = await raw_ceiling(amqp, args.plafond_evenements)
        p_http = centiles(plafond_http)
        etapes = {e: centiles(v) for e, v in chrono.mesures.items()}
        for valeurs in etapes.values():
            valeurs["ratio_p50_au_plafond_http"] = round(valeurs["p50"] / p_http["p50"], 1)
        par_chaine = mur / args.chaines
        resultats.update(
            {
                "etapes_ms": etapes,
                "bail_vers_demande_radiee_ms": centiles(vers_demandes),
                "bail_vers_copie_matching_radiee_ms": centiles(vers_matching),
                "plafond_http_get_vacance_ms": p_http,
                "chaine": {
                    "mur_s": round(mur, 1),
                    "par_chaine_s": round(par_chaine, 3),
                    "evenements": produits,
                    "evenements_par_seconde": round(produits / mur, 1),
                    "plafond_bus_par_seconde": round(plafond_bus),
                    "ratio_au_plafond_bus": round(produits / mur / plafond_bus, 4),
                    "annee_creha_40000_extrapolee_h": round(40_000 * par_chaine / 3600, 1),
                },
                "cotation_attributions": args.chaines,
                "demandes_sne_enregistrees": sne,
            }
        )
    finally:
        for c in clients:
            await c.aclose()
        for rt in reversed(runtimes):
            if rt.started:
                await rt.stop()
        await delete_vhost(amqp)
        for url in urls:
            await drop_database(url)
    print(json.dumps(resultats, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--chaines", type=int, default=100)
    parser.add_argument("--marge", type=int, default=5, help="demandes beyond the chains")
    parser.add_argument("--plafond-evenements", type=int, default=5_000)
    asyncio.run(main(parser.parse_args()))
