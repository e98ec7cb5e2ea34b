"""Bulk import of demandes from a JSON Lines file (one POST /api/demandes body a line), e.g.
the 200,000 of `make seed N=200000`:

    uv run python -m toit_demandes.entrypoints.import_masse --input bench/data/demandes-200000.jsonl

Writes to the demandes database of the environment (TOIT_DATABASE_URL_DEMANDES, else the
SQLite file of the data dir), after its migrations; events go to the outbox and are relayed
when the service runs.

Migration from another fichier (`--migration`): each line also holds the `numero_unique` the
other fichier gave (and, when renewed, `date_dernier_renouvellement`); numéro, dépôt date and
ancienneté are kept, no attestation is sent (the household has one), and the line report
(`--rapport`, CSV: ligne;numero_unique;motif) says which lines were refused and why:

    uv run python -m toit_demandes.entrypoints.import_masse --migration \
        --input reprise.jsonl --rapport reprise-refus.csv
"""

from __future__ import annotations

import argparse
import asyncio
import csv
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


def _lignes_numerotees(chemin: Path, taille: int) -> Iterator[list[tuple[int, Any]]]:
    """Batches of (line number, parsed JSON or the error text), blank lines skipped."""
    lot: list[tuple[int, Any]] = []
    with chemin.open(encoding="utf-8") as fichier:
        for numero, ligne in enumerate(fichier, start=1):
            if not ligne.strip():
                continue
            try:
                lot.append((numero, json.loads(ligne)))
            except ValueError as exc:
                lot.append((numero, f"ligne JSON illisible : {exc}"))
            if len(lot) == taille:
                yield lot
                lot = []
    if lot:
        yield lot


async def migrer(
    runtime: ServiceRuntime, chemin: Path, taille_lot: int, rapport: Path | None = None
) -> uc.import_masse.BilanMigration:
    """Imports a file of another fichier's demandes (see the module's docstring)."""
    await runtime.migrate()
    ctx = uc.commun.Contexte(Intervenant.automatique(), datetime.now(UTC))
    bilan = uc.import_masse.BilanMigration()
    for lot in _lignes_numerotees(chemin, taille_lot):
        lisibles = [(n, ligne) for n, ligne in lot if isinstance(ligne, dict)]
        for n, ligne in lot:
            if not isinstance(ligne, dict):
                motif = ligne if isinstance(ligne, str) else "objet JSON attendu"
                bilan.refusees.append(uc.import_masse.LigneRefusee(n, None, motif))
        async with runtime.unit_of_work() as uow:
            resultat = await uc.import_masse.migrer_lot(uow, lisibles, ctx)
        bilan.importees += resultat.importees
        bilan.refusees.extend(resultat.refusees)
        print(f"{bilan.importees} demandes reprises, {len(bilan.refusees)} refusées", flush=True)
    bilan.refusees.sort(key=lambda r: r.ligne)
    if rapport is not None:
        with rapport.open("w", encoding="utf-8", newline="") as sortie:
            ecrivain = csv.writer(sortie, delimiter=";")
            ecrivain.writerow(["ligne", "numero_unique", "motif"])
            for refus in bilan.refusees:
                ecrivain.writerow([refus.ligne, refus.numero_unique or "", refus.motif])
    await _apres_import(runtime)
    return bilan


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
    parser.add_argument(
        "--migration",
        action="store_true",
        help="reprise d'un autre fichier : numéros et dates conservés, aucune attestation",
    )
    parser.add_argument("--rapport", type=Path, help="rapport des lignes refusées (CSV)")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging("WARNING", settings.log_json)
    from toit_demandes.service import service

    runtime = ServiceRuntime(service, settings)

    async def run() -> None:
        try:
            if args.migration:
                bilan = await migrer(runtime, args.input, args.lot, args.rapport)
                print(f"{bilan.importees} reprises, {len(bilan.refusees)} lignes refusées")
            else:
                await importer(runtime, args.input, args.lot)
        finally:
            await runtime.db.dispose()

    asyncio.run(run())


if __name__ == "__main__":
    main()
