"""`toit-observatoire`: operate the observatoire's read models.

toit-observatoire reconstruire              rebuild the read models from the archive
                                            (resumes an interrupted rebuild)
toit-observatoire reconstruire --depuis-zero  start again from offset 0
toit-observatoire etat                      position, events applied, status

Runs next to the service or without it (the position row is locked: two
followers never apply the same batch). Settings as the service's (TOIT_*)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from servicekit.db import Database
from servicekit.migrations import upgrade
from toit_observatoire.adapters.archive import ArchiveFlux, ArchiveTable
from toit_observatoire.bootstrap import TERRITOIRE
from toit_observatoire.domain.ports import Archive
from toit_observatoire.service_layer import modeles
from toit_observatoire.settings import ObservatoireSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def _afficher(p: modeles.Progression) -> None:
    part = 100 * p.position / p.fin if p.fin else 100.0
    print(
        f"\r{p.position}/{p.fin} ({part:5.1f} %) — {p.appliques} événements appliqués, "
        f"{p.par_seconde:,.0f}/s".replace(",", " "),
        end="",
        file=sys.stderr,
        flush=True,
    )


async def _run(args: argparse.Namespace) -> int:
    settings = ObservatoireSettings()
    db = Database(settings.database_url_for("observatoire"))
    archive: Archive
    if settings.bus == "amqp":
        flux = ArchiveFlux(
            settings.amqp_url,
            max_age=settings.observatoire_archive_max_age,
            max_bytes=settings.observatoire_archive_max_bytes,
            segment_bytes=settings.observatoire_archive_segment_bytes,
        )
        await flux.declarer()
        archive = flux
    else:
        archive = ArchiveTable(db)
    try:
        await upgrade(db, MIGRATIONS)
        if args.command == "etat":
            etat = await modeles.etat(db)
            fin = await archive.fin()
            if etat is None:
                print(f"aucun modèle construit; archive : {fin} événements")
            else:
                print(
                    f"statut {etat.statut}, version {etat.version}, position {etat.position}"
                    f"/{fin}, {etat.evenements} événements appliqués"
                )
            return 0
        applied = await modeles.reconstruire(
            db,
            archive,
            TERRITOIRE,
            limite=settings.observatoire_projection_batch,
            reprendre=not args.depuis_zero,
            progression=_afficher,
        )
        print(f"\nreconstruction terminée : {applied} événements appliqués", file=sys.stderr)
        return 0
    finally:
        await archive.fermer()
        await db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="toit-observatoire",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rebuild = sub.add_parser("reconstruire", help="rebuild the read models from the archive")
    rebuild.add_argument(
        "--depuis-zero", action="store_true", help="start again even if a rebuild was interrupted"
    )
    sub.add_parser("etat", help="state of the read models")
    raise SystemExit(asyncio.run(_run(parser.parse_args(argv))))
