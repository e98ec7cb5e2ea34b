"""bench-attribution: one year of attributions of the CREHA territory reaching cotation.

    make bench-attribution   (or: uv run python bench/bench_attribution.py --attributions 40000)

420,000 attributions a year is the national rate; the CREHA territory makes about 40,000
(an estimate: 200,000 demandes divided by a tension of about 5). On the local PostgreSQL and
RabbitMQ, with the services' own code:
(a) the year's `attribution.prononcee` events (the SNE data of each lease) are published
    through an outbox and its relay, then consumed by cotation's `attributions` consumer
    from its queue (inbox, batch insert): wall time, events/s and the ratio to the raw
    broker ceiling (bench_bus.raw_ceiling) measured in the same run;
(b) the waiting-time query for one demande (cotation's `delai_attente.pour`: the average and
    median for its EPCI and typology over the last twelve months) on those 40,000
    attributions: p50/p95 over 500 queries; the target is p95 ≤ 50 ms.
Not measured here: the matching side of the chain (sessions, votes, decisions, offers) is
per-dossier work done by people over weeks; its events are a few per attribution.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_bus import raw_ceiling  # noqa: E402
from toit_cotation.adapters.tables import attributions  # noqa: E402
from toit_cotation.service import service as cotation  # noqa: E402
from toit_cotation.service_layer import delai_attente  # noqa: E402

from servicekit import ServiceDefinition  # noqa: E402
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
from toit_contracts.enums import CategorieMenage, Typologie  # noqa: E402
from toit_contracts.events import AttributionPrononcee  # noqa: E402
from toit_contracts.events.attributions import LogementAttribue  # noqa: E402

# EPCI of the territory's large towns (Nantes, Rennes, Brest, Angers, Le Mans) and their
# weight, then "other": an approximation of where attributions happen.
EPCIS = ["244400404", "243500139", "242900314", "244900015", "247200132"]
TYPOLOGIES = [Typologie.T1, Typologie.T2, Typologie.T3, Typologie.T4, Typologie.T5]
POIDS_TYPO = [12, 30, 33, 19, 6]


def attribution(hasard: random.Random, aujourd_hui: date) -> AttributionPrononcee:
    signature = aujourd_hui - timedelta(days=hasard.randrange(365))
    delai = int(hasard.lognormvariate(6.0, 0.7))  # median ~400 days
    typologie = hasard.choices(TYPOLOGIES, POIDS_TYPO)[0]
    return AttributionPrononcee(
        attribution_id=uuid4(),
        version=1,
        demande_id=uuid4(),
        departement="44",
        vacance_id=uuid4(),
        offre_id=uuid4(),
        dossier_id=uuid4(),
        bailleur_id="bench-bailleur",
        logement=LogementAttribue(
            rpls=f"44{hasard.randrange(10**9):09d}",
            adresse="1 rue du Banc d'essai",
            commune="44109",
            epci=hasard.choice(EPCIS),
            typologie=typologie,
            surface_m2=Decimal("60.00"),
            qpv=hasard.random() < 0.25,
            financement="PLUS",
            loyer=Decimal("420.00"),
            charges=Decimal("90.00"),
        ),
        contingent="ETAT_PRIORITAIRES",
        date_decision=signature - timedelta(days=30),
        date_offre=signature - timedelta(days=25),
        date_signature_bail=signature,
        mutation_interne=False,
        dalo=False,
        categorie_menage=CategorieMenage.TROIS,
        taille_menage=3,
        date_depot_initial=signature - timedelta(days=delai),
        delai_attente_jours=delai,
    )


async def compter(runtime: ServiceRuntime, requete: Any) -> int:
    async with runtime.db.session() as session:
        return int((await session.execute(requete)).scalar_one())


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    hasard = random.Random(args.seed)
    aujourd_hui = datetime.now(UTC).date()
    events = [attribution(hasard, aujourd_hui) for _ in range(args.attributions)]
    url = await create_database()
    emetteur_db = await create_database()
    amqp = await create_vhost()
    settings = settings_for_tests(bus="amqp", amqp_url=amqp)
    consommateur = ServiceRuntime(cotation, settings, database_url=url)
    emetteur = ServiceRuntime(
        ServiceDefinition(name="matching", migrations=cotation.migrations),
        settings,
        database_url=emetteur_db,
    )
    resultats: dict[str, Any] = {"at": datetime.now(UTC).isoformat(), "n": len(events)}
    try:
        # Queues declared, nothing consumed yet: the year waits in the broker.
        await consommateur.start(seed=False, consume=False)
        await emetteur.start(seed=False)
        debut = time.perf_counter()
        for i in range(0, len(events), 1000):
            async with emetteur.unit_of_work() as uow:
                for e in events[i : i + 1000]:
                    uow.publish(e)
                await uow.commit()
        while await compter(
            emetteur,
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)),
        ):
            await asyncio.sleep(0.5)
        publication = time.perf_counter() - debut
        await emetteur.stop()
        await consommateur.stop()
        lecteur = ServiceRuntime(cotation, settings, database_url=url)
        debut = time.perf_counter()
        await lecteur.start(migrate=False, seed=False, relay=False)
        while await compter(lecteur, sa.select(sa.func.count()).select_from(attributions)) < len(
            events
        ):
            await asyncio.sleep(0.2)
        consommation = time.perf_counter() - debut
        plafond = await raw_ceiling(amqp, args.plafond_evenements)
        resultats["chaine_bus"] = {
            "publication_outbox_relais_s": round(publication, 1),
            "consommation_s": round(consommation, 1),
            "evenements_par_seconde": round(len(events) / consommation),
            "plafond_brut_par_seconde": round(plafond),
            "ratio": round(len(events) / consommation / plafond, 3),
            "mur_total_s": round(publication + consommation, 1),
        }
        durees = []
        for _ in range(args.requetes):
            epci, typo = hasard.choice(EPCIS), hasard.choices(TYPOLOGIES, POIDS_TYPO)[0]
            t0 = time.perf_counter()
            async with lecteur.unit_of_work() as uow:
                delai = await delai_attente.pour(uow, epci, None, typo.value, aujourd_hui)
            durees.append((time.perf_counter() - t0) * 1000)
            assert delai["disponible"]
        durees.sort()
        resultats["delai_attente_ms"] = {
            "requetes": len(durees),
            "p50": round(statistics.median(durees), 2),
            "p95": round(durees[int(0.95 * len(durees)) - 1], 2),
            "objectif_p95": 50,
        }
        await lecteur.stop()
    finally:
        for rt in (consommateur, emetteur):
            if rt.started:
                await rt.stop()
        await delete_vhost(amqp)
        await drop_database(url)
        await drop_database(emetteur_db)
    print(json.dumps(resultats, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--attributions", type=int, default=40_000)
    parser.add_argument("--requetes", type=int, default=500)
    parser.add_argument("--plafond-evenements", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=17)
    asyncio.run(main(parser.parse_args()))
