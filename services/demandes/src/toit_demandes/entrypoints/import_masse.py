"""Bulk import of demandes from a JSON Lines file (one POST /api/demandes body a line), e.g.
the 200,000 of `make seed N=200000`:

    uv run python -m toit_demandes.entrypoints.import_masse --input bench/data/demandes-200000.jsonl

Writes to the demandes database of the environment (TOIT_DATABASE_URL_DEMANDES, else the
SQLite file of the data dir), after its migrations; events go to the outbox and are relayed
when the service runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from servicekit.logging import configure_logging
from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings
from toit_demandes import service_layer as uc
from toit_demandes.domain.demande import Intervenant


def _lots(chemin: Path, taille: int) -> Iterator[list[dict[str, Any]]]:
    lot: list[dict[str, Any]] = []
    with chemin.open(encoding="utf-8") as fichier:
        for ligne in fichier:
            if ligne.strip():
                lot.append(json.loads(ligne))
            if len(lot) == taille:
                yield lot
                lot = []
    if lot:
        yield lot


async def importer(runtime: ServiceRuntime, chemin: Path, taille_lot: int) -> int:
    await runtime.migrate()
    ctx = uc.commun.Contexte(Intervenant.automatique(), datetime.now(UTC))
    total = 0
    debut = time.perf_counter()
    for lot in _lots(chemin, taille_lot):
        async with runtime.unit_of_work() as uow:
            total += await uc.import_masse.importer_lot(uow, lot, ctx)
        print(
            f"{total} demandes importées ({total / (time.perf_counter() - debut):.0f}/s)",
            flush=True,
        )
    await _apres_import(runtime)
    return total


async def _apres_import(runtime: ServiceRuntime) -> None:
    """Statistics and visibility map of the loaded tables, as after any bulk load: searches
    read the name indexes alone only where the visibility map says the rows are visible
    (autovacuum would get there, later)."""
    if not runtime.db.is_postgres:
        return
    async with runtime.db.engine.connect() as connexion:
        autocommit = await connexion.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("demandes", "demande_communes", "demande_typologies", "demande_historique"):
            await autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--lot", type=int, default=1000, help="demandes par transaction")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging("WARNING", settings.log_json)
    from toit_demandes.service import service

    runtime = ServiceRuntime(service, settings)

    async def run() -> None:
        try:
            await importer(runtime, args.input, args.lot)
        finally:
            await runtime.db.dispose()

    asyncio.run(run())


if __name__ == "__main__":
    main()
