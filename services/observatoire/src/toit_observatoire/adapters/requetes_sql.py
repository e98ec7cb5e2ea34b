"""Compile a checked `Requete` to SQLAlchemy Core.

Safe by construction: table and column names come from the allow-list
(domain.champs) through the `Champ` objects `valider` returned, never from the
request; every value is a bound parameter. Nothing here formats SQL text."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from toit_observatoire.adapters.repository import TABLES
from toit_observatoire.domain.champs import Domaine, Operateur
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.domain.requetes import Agregat, Filtre, Fonction, Requete


def table_of(domaine: Domaine) -> sa.Table:
    return TABLES[domaine.table]


def _column(table: sa.Table, nom: str) -> sa.ColumnElement[Any]:
    return table.c[nom]


def _condition(table: sa.Table, filtre: Filtre) -> Any:
    col = _column(table, filtre.champ.nom)
    v = filtre.valeurs
    match filtre.operateur:
        case Operateur.EGAL:
            return col == v[0]
        case Operateur.DIFFERENT:
            return sa.or_(col != v[0], col.is_(None))
        case Operateur.PARMI:
            return col.in_(v)
        case Operateur.INFERIEUR:
            return col < v[0]
        case Operateur.INFERIEUR_OU_EGAL:
            return col <= v[0]
        case Operateur.SUPERIEUR:
            return col > v[0]
        case Operateur.SUPERIEUR_OU_EGAL:
            return col >= v[0]
        case Operateur.ENTRE:
            return col.between(v[0], v[1])
        case Operateur.RENSEIGNE:
            return col.is_not(None)
        case Operateur.NON_RENSEIGNE:
            return col.is_(None)
    raise AssertionError(filtre.operateur)


def conditions(requete: Requete, perimetre: Perimetre) -> list[sa.ColumnElement[bool]]:
    domaine = requete.domaine
    table = table_of(domaine)
    where: list[sa.ColumnElement[bool]] = []
    if domaine.base is not None:
        where.append(_column(table, domaine.base[0]).in_(domaine.base[1]))
    where.extend(_condition(table, f) for f in requete.filtres)
    where.extend(condition_perimetre(domaine, perimetre))
    return where


def condition_perimetre(domaine: Domaine, perimetre: Perimetre) -> list[sa.ColumnElement[bool]]:
    return perimetre_table(table_of(domaine), perimetre, *domaine.territoire)


def perimetre_table(
    table: sa.Table,
    perimetre: Perimetre,
    commune: str | None = "commune",
    epci: str | None = "epci",
    departement: str | None = "departement",
) -> list[sa.ColumnElement[bool]]:
    """Rows of a read model inside the caller's territory: its départements, and
    when the account is restricted, its EPCI or communes."""
    if perimetre.tout:
        return []
    where: list[sa.ColumnElement[bool]] = []
    if departement is not None:
        where.append(_column(table, departement).in_(sorted(perimetre.departements)))
    restricted: list[sa.ColumnElement[bool]] = []
    if perimetre.epcis and epci is not None:
        restricted.append(_column(table, epci).in_(sorted(perimetre.epcis)))
    if perimetre.communes and commune is not None:
        restricted.append(_column(table, commune).in_(sorted(perimetre.communes)))
    if perimetre.epcis or perimetre.communes:
        where.append(sa.or_(*restricted) if restricted else sa.false())
    return where


def _aggregate(table: sa.Table, agregat: Agregat, postgres: bool) -> sa.ColumnElement[Any] | None:
    if agregat.fonction in (Fonction.NOMBRE, Fonction.POURCENTAGE):
        return None  # from the count
    assert agregat.champ is not None
    col = _column(table, agregat.champ.nom)
    if agregat.fonction is Fonction.SOMME:
        return sa.func.sum(col)
    if agregat.fonction is Fonction.MOYENNE:
        return sa.func.avg(col)
    if postgres:
        return sa.func.percentile_cont(0.5).within_group(col)
    return None  # SQLite: computed from the values (valeurs_mediane)


def requete_groupes(requete: Requete, perimetre: Perimetre, postgres: bool) -> sa.Select[Any]:
    table = table_of(requete.domaine)
    keys = [_column(table, c.nom) for c in requete.regroupements]
    measures = [
        m.label(a.nom)
        for a in requete.agregats
        if (m := _aggregate(table, a, postgres)) is not None
    ]
    stmt = (
        sa.select(*keys, sa.func.count().label("nombre"), *measures)
        .where(*conditions(requete, perimetre))
        .group_by(*keys)
    )
    order = [
        _column(table, t.champ.nom).desc()
        if t.champ and t.descendant
        else _column(table, t.champ.nom)
        for t in requete.tri
    ]
    return stmt.order_by(*(order or keys))


def valeurs_mediane(requete: Requete, agregat: Agregat, perimetre: Perimetre) -> sa.Select[Any]:
    """The values of a measure per group, for the median on SQLite."""
    assert agregat.champ is not None
    table = table_of(requete.domaine)
    keys = [_column(table, c.nom) for c in requete.regroupements]
    col = _column(table, agregat.champ.nom)
    return sa.select(*keys, col).where(*conditions(requete, perimetre), col.is_not(None))


def requete_lignes(requete: Requete, perimetre: Perimetre, limite: int) -> sa.Select[Any]:
    table = table_of(requete.domaine)
    cols = [_column(table, c.nom) for c in requete.colonnes]
    order = [
        _column(table, t.champ.nom).desc() if t.descendant else _column(table, t.champ.nom)
        for t in requete.tri
    ]
    return sa.select(*cols).where(*conditions(requete, perimetre)).order_by(*order).limit(limite)


def requete_total(requete: Requete, perimetre: Perimetre) -> sa.Select[Any]:
    table = table_of(requete.domaine)
    return sa.select(sa.func.count()).select_from(table).where(*conditions(requete, perimetre))


async def memoire_de_tri(conn: AsyncConnection) -> None:
    """Give this transaction's sorts 64 MB (PostgreSQL): a département's rows sort in
    memory instead of spilling to disk with the default 4 MB."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.text("SET LOCAL work_mem = '64MB'"))
