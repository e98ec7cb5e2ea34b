"""The search statement's plan with and without the covering indexes of `souhaits`.

    uv run python bench/bench_matching_index.py --base <URL> [--repetitions 7]

`--base`: a read model `bench_matching.py --base <URL>` loaded (keep it; this script
drops and re-creates the two indexes of `souhaits` in it, so never point it at a
service's database). The script starts matching on it (migrations to head), captures
the search statement of the Nantes vacancy for both perimeters (commune, EPCI), then,
alternately with the old indexes (lieu, actif) and with the covering ones of migration
0008, runs `EXPLAIN (ANALYZE, BUFFERS)` of each statement: medians of the statement's
execution time and of the pool's scan, with the load average. It leaves the covering
indexes (the schema of migration 0008).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import time
from typing import Any

import sqlalchemy as sa
from toit_matching.adapters import recherche_sql
from toit_matching.adapters.tables import SOUHAITS_INCLUS
from toit_matching.bootstrap import dependances
from toit_matching.domain.recherche import Perimetre
from toit_matching.service import service
from toit_matching.service_layer import candidats
from toit_matching.service_layer.acces import Acteur

from servicekit.auth import Principal
from servicekit.runtime import ServiceRuntime
from servicekit.testing import settings_for_tests
from servicekit.testing_auth import test_jwks

NANTES = "44109"
INDEX = {
    "avant": "CREATE INDEX ix_souhaits_{l} ON souhaits ({l}, actif)",
    "apres": "CREATE INDEX ix_souhaits_{l} ON souhaits ({l}, actif, departement, demande_id)"
    f" INCLUDE ({', '.join(SOUHAITS_INCLUS)})",
}
SCAN = re.compile(
    r"(Index Only Scan|Index Scan|Bitmap Heap Scan|Seq Scan)[^\n]* on souhaits s "
    r".*?actual time=[\d.]+\.\.([\d.]+) rows=(\d+)"
)


def charge() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


async def main(args: argparse.Namespace) -> None:
    os.environ["TOIT_JWKS_JSON"] = json.dumps(test_jwks())
    rt = ServiceRuntime(service, settings_for_tests(bus="memory"), database_url=args.base)
    await rt.start(seed=False, consume=False)
    try:
        deps = dependances(rt)
        requetes: list[tuple[str, dict[str, Any]]] = []
        originale = recherche_sql.rechercher

        async def capture(
            session: Any, c: recherche_sql.Criteres, pages: tuple[int, int, int, int]
        ) -> recherche_sql.ResultatSql:
            requetes.append(recherche_sql.requete(c, pages))
            return await originale(session, c, pages)

        recherche_sql.rechercher = capture  # type: ignore[assignment]
        async with rt.db.session() as s:
            vacance_id = (
                await s.execute(
                    sa.text(
                        "SELECT v.id FROM vacances v JOIN logements l ON l.id = v.logement_id"
                        " WHERE l.commune = :c LIMIT 1"
                    ),
                    {"c": NANTES},
                )
            ).scalar_one()
            reservataire = (
                await s.execute(
                    sa.text("SELECT reservataire_id FROM vacances WHERE id = :v"), {"v": vacance_id}
                )
            ).scalar_one()
        agent = Acteur(
            Principal(
                sub="bench",
                kind="agent",
                organisation=reservataire,
                roles=frozenset({"RESERVATAIRE"}),
                departements=frozenset({"44"}),
            )
        )
        for perimetre in (Perimetre.COMMUNE, Perimetre.EPCI):
            async with rt.unit_of_work() as uow:
                page = await candidats.rechercher(
                    uow,
                    deps,
                    agent,
                    vacance_id,
                    perimetre=perimetre,
                    filtres_souples=True,
                    debut=0,
                    nombre=20,
                    debut_exclues=0,
                )
            print(
                f"{perimetre}: {page.candidats_total + page.exclues_listees} demandes wish it,"
                f" {page.candidats_total} candidates"
            )
        recherche_sql.rechercher = originale  # type: ignore[assignment]
        print("load average", charge())
        for tour in range(args.tours):
            for etat in ("avant", "apres"):
                async with rt.db.engine.connect() as conn:
                    conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    for lieu in ("commune", "epci"):
                        await conn.execute(sa.text(f"DROP INDEX IF EXISTS ix_souhaits_{lieu}"))
                        await conn.execute(sa.text(INDEX[etat].format(l=lieu)))
                    await conn.execute(sa.text("VACUUM ANALYZE souhaits"))
                    taille = (
                        await conn.execute(
                            sa.text("SELECT pg_size_pretty(pg_relation_size('ix_souhaits_epci'))")
                        )
                    ).scalar_one()
                for (sql, params), lieu in zip(requetes, ("commune", "epci"), strict=True):
                    totaux, pools, noeud = [], [], ""
                    for _ in range(args.repetitions):
                        async with rt.db.session() as s:
                            plan = "\n".join(
                                (
                                    await s.execute(
                                        sa.text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params
                                    )
                                )
                                .scalars()
                                .all()
                            )
                        temps = re.search(r"Execution Time: ([\d.]+)", plan)
                        scan = SCAN.search(plan)
                        assert temps and scan, plan
                        totaux.append(float(temps.group(1)))
                        pools.append(float(scan.group(2)))
                        noeud = f"{scan.group(1)}, {scan.group(3)} rows"
                    print(
                        f"round {tour + 1} {etat} {lieu} (index {taille}): statement median"
                        f" {statistics.median(totaux):.1f} ms, pool scan median"
                        f" {statistics.median(pools):.1f} ms ({noeud}); load {charge()}",
                        flush=True,
                    )
    finally:
        await rt.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--tours", type=int, default=2)
    t = time.perf_counter()
    asyncio.run(main(parser.parse_args()))
    print(f"{time.perf_counter() - t:.0f} s")
