"""Storage of the matching service: SQL only here (SQLAlchemy Core), no rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from toit_matching.adapters.tables import (
    conventions,
    designations,
    imports_stock,
    logements,
    vacances,
)

Row = dict[str, Any]
ARRAY_TEXTE = postgresql.ARRAY(sa.String)


def _insert(session: AsyncSession, table: sa.Table) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


# --- Patrimoine -------------------------------------------------------------------------------


async def logements_existants(session: AsyncSession, rpls: Sequence[str]) -> dict[str, Row]:
    colonnes = (
        logements.c.rpls,
        logements.c.id,
        logements.c.bailleur_id,
        logements.c.empreinte,
        logements.c.version,
    )
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: one statement whatever the file's size. Lots of IN lists
        # repeat the same 5,000-parameter statement, whose generic plan (from the sixth
        # execution of the prepared statement on) scanned the table for each lot
        # (bench-matching: a no-op re-import of 50,000 units took over a minute).
        result = await session.execute(
            sa.select(*colonnes).where(
                logements.c.rpls == sa.any_(sa.bindparam("rpls", list(rpls), type_=ARRAY_TEXTE))
            )
        )
        return {r.rpls: dict(r._mapping) for r in result}
    trouves: dict[str, Row] = {}
    for debut in range(0, len(rpls), 5000):
        lot = list(rpls[debut : debut + 5000])
        result = await session.execute(sa.select(*colonnes).where(logements.c.rpls.in_(lot)))
        trouves.update({r.rpls: dict(r._mapping) for r in result})
    return trouves


async def inserer_logements(session: AsyncSession, lignes: list[Row]) -> None:
    if not lignes:
        return
    connexion = await session.connection()
    if connexion.dialect.driver == "asyncpg":
        # COPY in the session's transaction: a stock of 50,000 units in one round trip
        # instead of executemany batches (bench-matching).
        brute: Any = (await connexion.get_raw_connection()).driver_connection
        colonnes = [c.name for c in logements.c]
        await brute.copy_records_to_table(
            "logements",
            records=[tuple(ligne[c] for c in colonnes) for ligne in lignes],
            columns=colonnes,
        )
        return
    for debut in range(0, len(lignes), 2000):
        await session.execute(logements.insert(), lignes[debut : debut + 2000])


async def mettre_a_jour_logements(session: AsyncSession, lignes: list[Row]) -> None:
    if not lignes:
        return
    colonnes = [c for c in lignes[0] if c not in ("id", "cree_le")]
    await session.execute(
        logements.update()
        .where(logements.c.id == sa.bindparam("b_id"))
        .values({c: sa.bindparam(f"b_{c}") for c in colonnes}),
        [{"b_id": ligne["id"], **{f"b_{c}": ligne[c] for c in colonnes}} for ligne in lignes],
    )


async def enregistrer_import(session: AsyncSession, ligne: Row) -> None:
    await session.execute(imports_stock.insert().values(**ligne))


async def lire_import(session: AsyncSession, import_id: UUID) -> Row | None:
    row = (
        (await session.execute(sa.select(imports_stock).where(imports_stock.c.id == import_id)))
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def lister_imports(session: AsyncSession, bailleur_id: str, limite: int = 20) -> list[Row]:
    rows = await session.execute(
        sa.select(imports_stock)
        .where(imports_stock.c.bailleur_id == bailleur_id)
        .order_by(imports_stock.c.recu_le.desc())
        .limit(limite)
    )
    return [dict(r) for r in rows.mappings()]


async def lire_logement(
    session: AsyncSession, *, rpls: str | None = None, id: UUID | None = None
) -> Row | None:
    condition = logements.c.rpls == rpls if rpls is not None else logements.c.id == id
    row = (await session.execute(sa.select(logements).where(condition))).mappings().first()
    return dict(row) if row else None


async def lister_logements(
    session: AsyncSession,
    *,
    bailleur_id: str | None,
    departements: Iterable[str] | None,
    commune: str | None,
    page: int,
    par_page: int,
) -> tuple[list[Row], int]:
    conditions: list[sa.ColumnElement[bool]] = []
    if bailleur_id is not None:
        conditions.append(logements.c.bailleur_id == bailleur_id)
    if departements is not None:
        conditions.append(logements.c.departement.in_(sorted(departements)))
    if commune:
        conditions.append(logements.c.commune == commune)
    where = sa.and_(sa.true(), *conditions)
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(logements).where(where))
    ).scalar_one()
    rows = await session.execute(
        sa.select(logements)
        .where(where)
        .order_by(logements.c.commune, logements.c.rpls)
        .limit(par_page)
        .offset((page - 1) * par_page)
    )
    return [dict(r) for r in rows.mappings()], int(total)


# --- Vacances ---------------------------------------------------------------------------------

_VACANCE_COLONNES = [
    *vacances.c,
    logements.c.rpls,
    logements.c.commune,
    logements.c.epci,
    logements.c.adresse,
    logements.c.typologie,
    logements.c.financement,
    logements.c.etage,
    logements.c.ascenseur,
    logements.c.accessibilite,
    logements.c.loyer,
    logements.c.charges,
    logements.c.chauffage,
    logements.c.eau,
    logements.c.surface_m2,
    logements.c.qpv,
    logements.c.latitude,
    logements.c.longitude,
    logements.c.residence,
    logements.c.programme,
    logements.c.version.label("logement_version"),
]


def _vacances_jointes() -> Any:
    return sa.select(*_VACANCE_COLONNES).join_from(
        vacances, logements, vacances.c.logement_id == logements.c.id
    )


async def lire_vacance(session: AsyncSession, vacance_id: UUID) -> Row | None:
    row = (
        (await session.execute(_vacances_jointes().where(vacances.c.id == vacance_id)))
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def vacance_ouverte(session: AsyncSession, logement_id: UUID) -> Row | None:
    row = (
        (
            await session.execute(
                sa.select(vacances.c.id, vacances.c.statut)
                .where(vacances.c.logement_id == logement_id)
                .where(vacances.c.statut.not_in(("ATTRIBUEE", "RETIREE")))
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def inserer_vacance(session: AsyncSession, ligne: Row) -> None:
    await session.execute(vacances.insert().values(**ligne))


async def maj_vacance(
    session: AsyncSession, vacance_id: UUID, version: int, **valeurs: Any
) -> bool:
    result = await session.execute(
        vacances.update()
        .where(vacances.c.id == vacance_id)
        .where(vacances.c.version == version)
        .values(version=version + 1, **valeurs)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def lister_vacances(
    session: AsyncSession,
    *,
    bailleur_id: str | None = None,
    reservataire_id: str | None = None,
    departements: Iterable[str] | None = None,
    statut: str | None = None,
    limite: int = 200,
) -> list[Row]:
    requete = _vacances_jointes()
    if bailleur_id is not None:
        requete = requete.where(vacances.c.bailleur_id == bailleur_id)
    if reservataire_id is not None:
        requete = requete.where(vacances.c.reservataire_id == reservataire_id)
    if departements is not None:
        requete = requete.where(vacances.c.departement.in_(sorted(departements)))
    if statut is not None:
        requete = requete.where(vacances.c.statut == statut)
    rows = await session.execute(
        requete.order_by(vacances.c.date_disponibilite, vacances.c.id).limit(limite)
    )
    return [dict(r) for r in rows.mappings()]


async def compter_flux(
    session: AsyncSession, bailleur_id: str, departement: str, annee: int
) -> tuple[int, dict[tuple[str | None, str], int], dict[tuple[str | None, str], int]]:
    """Flux base (vacancies in the flux), oriented and attributed per (réservataire, contingent)."""
    base_where = (
        (vacances.c.bailleur_id == bailleur_id)
        & (vacances.c.departement == departement)
        & (vacances.c.annee_flux == annee)
        & (vacances.c.hors_flux.is_(False))
        & (vacances.c.statut != "RETIREE")
    )
    base = (
        await session.execute(sa.select(sa.func.count()).select_from(vacances).where(base_where))
    ).scalar_one()
    rows = await session.execute(
        sa.select(
            vacances.c.reservataire_id,
            vacances.c.contingent,
            vacances.c.statut,
            sa.func.count(),
        )
        .where(base_where & vacances.c.contingent.is_not(None))
        .group_by(vacances.c.reservataire_id, vacances.c.contingent, vacances.c.statut)
    )
    orientes: dict[tuple[str | None, str], int] = {}
    attribues: dict[tuple[str | None, str], int] = {}
    for reservataire, contingent, statut, n in rows:
        cle = (reservataire, contingent)
        orientes[cle] = orientes.get(cle, 0) + n
        if statut == "ATTRIBUEE":
            attribues[cle] = attribues.get(cle, 0) + n
    return int(base), orientes, attribues


# --- Conventions ------------------------------------------------------------------------------


async def inserer_convention(session: AsyncSession, ligne: Row) -> None:
    await session.execute(conventions.insert().values(**ligne))


async def convention_existe(
    session: AsyncSession,
    bailleur_id: str,
    reservataire_id: str,
    departement: str,
    commune: str | None,
    annee: int,
) -> bool:
    condition = (
        (conventions.c.bailleur_id == bailleur_id)
        & (conventions.c.reservataire_id == reservataire_id)
        & (conventions.c.departement == departement)
        & (conventions.c.annee == annee)
        & (conventions.c.commune.is_(None) if commune is None else conventions.c.commune == commune)
    )
    return (
        await session.execute(sa.select(sa.func.count()).select_from(conventions).where(condition))
    ).scalar_one() > 0


async def lister_conventions(
    session: AsyncSession,
    *,
    bailleur_id: str | None = None,
    reservataire_id: str | None = None,
    departements: Iterable[str] | None = None,
    annee: int | None = None,
) -> list[Row]:
    requete = sa.select(conventions)
    if bailleur_id is not None:
        requete = requete.where(conventions.c.bailleur_id == bailleur_id)
    if reservataire_id is not None:
        requete = requete.where(conventions.c.reservataire_id == reservataire_id)
    if departements is not None:
        requete = requete.where(conventions.c.departement.in_(sorted(departements)))
    if annee is not None:
        requete = requete.where(conventions.c.annee == annee)
    rows = await session.execute(
        requete.order_by(
            conventions.c.annee, conventions.c.departement, conventions.c.reservataire_nom
        )
    )
    return [dict(r) for r in rows.mappings()]


# --- Désignations -----------------------------------------------------------------------------


async def inserer_designation(session: AsyncSession, ligne: Row) -> None:
    await session.execute(designations.insert().values(**ligne))


async def lire_designation(session: AsyncSession, vacance_id: UUID) -> Row | None:
    row = (
        (
            await session.execute(
                sa.select(designations).where(designations.c.vacance_id == vacance_id)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def maintenant_sql() -> Any:
    return sa.func.now()


__all__ = ["Row", "datetime"]
