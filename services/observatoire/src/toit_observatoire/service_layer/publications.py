"""Fiches territoriales on schedule: each day, the fiche of every configured
territory for the last complete month (the year to the end of that month) is made
if it is not there yet, and stored. Idempotent by construction (key: territory and
month covered): running the job again, or on a later day of the same month, makes
nothing twice; a day missed is caught up the next day."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from toit_referentiel import departements

from toit_observatoire.adapters import repository
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.service_layer import fiches, indicateurs


@dataclass(frozen=True)
class Couverture:
    """What a fiche made on `jour` covers: the year of the last complete month, to
    that month's last day."""

    annee: int
    periode: str
    fin: date


def couverture(jour: date) -> Couverture:
    fin = jour.replace(day=1) - timedelta(days=1)
    return Couverture(fin.year, f"{fin.year:04d}-{fin.month:02d}", fin)


def territoires(niveaux: tuple[str, ...]) -> list[tuple[str, str]]:
    """(niveau, code) of every territory with a scheduled fiche: the départements of
    the shared file and, when configured, each EPCI having communes in them."""
    found: list[tuple[str, str]] = []
    for dept in departements():
        if "departement" in niveaux:
            found.append(("departement", dept.code))
        if "epci" in niveaux:
            found += [("epci", siren) for siren in indicateurs.epcis_du_departement(dept.code)]
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class FichePubliee:
    niveau: str
    code: str
    periode: str
    annee: int
    libelle: str
    genere_le: datetime
    taille: int


async def publier(
    conn: AsyncConnection, niveau: str, code: str, jour: date, *, seuil_secret: int
) -> bool:
    """Make and store the fiche of a territory for the month `jour` follows; False
    when it is already there (nothing done)."""
    quand = couverture(jour)
    if await repository.fiche_publiee_existe(conn, niveau, code, quand.periode):
        return False
    jeu = await indicateurs.calculer(
        conn,
        niveau,
        code,
        quand.annee,
        Perimetre(tout=True),
        seuil_secret=seuil_secret,
        aujourd_hui=quand.fin,
    )
    # reportlab and vl-convert are synchronous: off the event loop.
    contenu = await asyncio.to_thread(fiches.fiche_pdf, jeu)
    _, depts = indicateurs.territoire(niveau, code)
    return await repository.enregistrer_fiche_publiee(
        conn,
        niveau=niveau,
        code=code,
        periode=quand.periode,
        annee=quand.annee,
        libelle=jeu.libelle[:200],
        departements=",".join(sorted(depts)),
        genere_le=datetime.now(UTC),
        contenu=contenu,
    )


def _visible(perimetre: Perimetre, row: dict[str, Any]) -> bool:
    depts = frozenset(d for d in str(row["departements"]).split(",") if d)
    return perimetre.voit_territoire(row["niveau"], row["code"], depts)


async def lister(
    conn: AsyncConnection,
    perimetre: Perimetre,
    niveau: str | None = None,
    code: str | None = None,
) -> list[FichePubliee]:
    """The published fiches the caller's territory covers, newest month first."""
    return [
        FichePubliee(
            r["niveau"],
            r["code"],
            r["periode"],
            r["annee"],
            r["libelle"],
            r["genere_le"],
            r["taille"],
        )
        for r in await repository.fiches_publiees(conn, niveau, code)
        if _visible(perimetre, r)
    ]


async def lire(
    conn: AsyncConnection, perimetre: Perimetre, niveau: str, code: str, periode: str
) -> bytes | None:
    """A published fiche's PDF; None when absent or outside the caller's territory."""
    row = await repository.fiche_publiee(conn, niveau, code, periode)
    if row is None or not _visible(perimetre, row):
        return None
    return bytes(row["contenu"])
