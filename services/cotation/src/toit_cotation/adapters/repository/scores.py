"""Scores: grids and scores of a demande, the writes of a scoring, positions, backlog."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.messaging.tables import outbox
from toit_cotation.adapters.repository.commun import (
    en_json,
    is_postgres,
    parmi,
    upsert_executemany,
    upsert_unnest,
)
from toit_cotation.adapters.repository.demandes_suivies import TYPES_DEMANDES, DemandeSuivie
from toit_cotation.adapters.tables import demande_epcis, demandes, grilles, scores
from toit_cotation.domain.grille import EtatGrille


@dataclass(frozen=True)
class ScoreConnu:
    """What re-scoring compares with: the stored result, its criteria as stored JSON
    text (parsed only when the grid and the points are the same)."""

    grille_id: UUID
    grille_version: int
    points: Decimal
    criteres_json: str
    empreinte: str
    version: int
    demande_version: int
    typologie: str | None
    actif: bool

    def criteres(self) -> Any:
        return json.loads(self.criteres_json)


@cache
def _q_grilles_et_scores(postgres: bool, par_epci: bool) -> Any:
    """One statement for what a batch re-score reads once its demandes are locked: the
    published grids' (id, revision) of the EPCIs, as rows without a demande, then the
    stored scores of the demandes (UNION ALL: one round trip instead of two)."""

    def nul(type_: Any) -> Any:
        return sa.cast(sa.null(), type_)

    publiees = sa.select(
        nul(sa.Uuid).label("demande_id"),
        grilles.c.epci,
        grilles.c.id.label("grille_id"),
        grilles.c.revision.label("grille_version"),
        nul(scores.c.points.type).label("points"),
        nul(sa.Text).label("criteres_json"),
        nul(sa.String).label("empreinte"),
        nul(sa.Integer).label("version"),
        nul(sa.Integer).label("demande_version"),
        nul(sa.String).label("typologie"),
        nul(sa.Boolean).label("actif"),
    ).where(
        (grilles.c.etat == EtatGrille.PUBLIEE.value)
        & parmi(grilles.c.epci, "epcis", sa.String, postgres)
    )
    stockes = sa.select(
        scores.c.demande_id,
        scores.c.epci,
        scores.c.grille_id,
        scores.c.grille_version,
        scores.c.points,
        sa.cast(scores.c.criteres, sa.Text),
        scores.c.empreinte,
        scores.c.version,
        scores.c.demande_version,
        scores.c.typologie,
        scores.c.actif,
    ).where(parmi(scores.c.demande_id, "ids", sa.Uuid, postgres))
    if par_epci:
        stockes = stockes.where(scores.c.epci == sa.bindparam("epci"))
    return sa.union_all(publiees, stockes)


async def grilles_et_scores(
    session: AsyncSession, epcis: Iterable[str], ids: Sequence[UUID], *, epci: str | None = None
) -> tuple[list[tuple[UUID, int]], dict[tuple[UUID, str], ScoreConnu]]:
    """(id, revision) of the published grids of these EPCIs, and the stored scores of
    these demandes (for one EPCI only, when given)."""
    parametres: dict[str, Any] = {"epcis": sorted(set(epcis)), "ids": list(ids)}
    if epci is not None:
        parametres["epci"] = epci
    rows = await session.execute(
        _q_grilles_et_scores(is_postgres(session), epci is not None), parametres
    )
    publiees: list[tuple[UUID, int]] = []
    stockes: dict[tuple[UUID, str], ScoreConnu] = {}
    for row in rows:
        if row.demande_id is None:
            publiees.append((row.grille_id, row.grille_version))
            continue
        stockes[(row.demande_id, row.epci)] = ScoreConnu(
            row.grille_id,
            row.grille_version,
            row.points,
            row.criteres_json,
            row.empreinte,
            row.version,
            row.demande_version,
            row.typologie,
            row.actif,
        )
    return publiees, stockes


async def lignes_de_scores(session: AsyncSession, demande_id: UUID) -> dict[str, Any]:
    """The stored scores of one demande, whole rows, by EPCI."""
    rows = await session.execute(sa.select(scores).where(scores.c.demande_id == demande_id))
    return {row.epci: row for row in rows}


_TYPES_SCORES = {
    "demande_id": "uuid",
    "epci": "varchar",
    "grille_id": "uuid",
    "grille_version": "integer",
    "points": "numeric",
    "criteres": "json",
    "entrees": "json",
    "empreinte": "varchar",
    "version": "integer",
    "demande_version": "integer",
    "typologie": "varchar",
    "actif": "boolean",
    "calculee_le": "timestamptz",
}


@dataclass
class Ecritures:
    """What a batch writes, all at once (`ecrire`). The sets of keys are disjoint by
    construction: a score is replaced or deleted, a demande stored whole (`demandes`)
    or only its cotation version moved (`versions`), an EPCI link added or removed."""

    # (new state, stored state or None): the whole row, and its EPCI links.
    demandes: list[tuple[DemandeSuivie, DemandeSuivie | None]] = field(default_factory=list)
    # Cotation versions of demandes otherwise unchanged (bulk re-scoring).
    versions: dict[UUID, int] = field(default_factory=dict)
    # Score rows to insert or replace.
    scores: list[dict[str, Any]] = field(default_factory=list)
    # (demande, EPCI) scores to delete.
    scores_supprimes: list[tuple[UUID, str]] = field(default_factory=list)
    # Demandes none of whose scores remain (radiée, purgée, back to draft).
    sans_scores: list[UUID] = field(default_factory=list)


def _liens(ecritures: Ecritures) -> tuple[list[tuple[UUID, str]], list[tuple[UUID, str]]]:
    """EPCI links to remove and to add: the difference between stored and new EPCIs."""
    retires: list[tuple[UUID, str]] = []
    ajoutes: list[tuple[UUID, str]] = []
    for d, ancienne in ecritures.demandes:
        avant = set(ancienne.epcis) if ancienne is not None else set()
        apres = set(d.epcis)
        retires.extend((d.demande_id, e) for e in sorted(avant - apres))
        ajoutes.extend((d.demande_id, e) for e in sorted(apres - avant))
    return retires, ajoutes


def _ligne_demande(d: DemandeSuivie, maintenant: datetime) -> dict[str, Any]:
    return {
        "demande_id": d.demande_id,
        "version": d.version,
        "departement": d.departement,
        "statut": d.statut,
        "typologie": d.typologie,
        "snapshot": d.snapshot,
        "epcis": d.epcis,
        "version_cotation": d.version_cotation,
        "modifiee_le": maintenant,
        "compte_demandeur": d.compte_demandeur,
    }


# Everything a batch writes, in one PostgreSQL statement (data-modifying CTEs run on
# the same snapshot: the key sets of `Ecritures` are disjoint, so no two of them touch
# the same row).
_ECRIRE = sa.text(
    "WITH d AS ("
    + upsert_unnest(demandes, ["demande_id"], TYPES_DEMANDES, "d_")
    + "), v AS (UPDATE demandes AS x SET version_cotation = t.v"
    " FROM unnest(CAST(:v_ids AS uuid[]), CAST(:v_versions AS integer[])) AS t(id, v)"
    " WHERE x.demande_id = t.id"
    "), s AS ("
    + upsert_unnest(scores, ["demande_id", "epci"], _TYPES_SCORES, "s_")
    + "), sd AS (DELETE FROM scores AS x"
    " USING unnest(CAST(:sd_ids AS uuid[]), CAST(:sd_epcis AS varchar[])) AS t(id, epci)"
    " WHERE x.demande_id = t.id AND x.epci = t.epci"
    "), so AS (DELETE FROM scores WHERE demande_id = ANY(CAST(:so_ids AS uuid[]))"
    "), ld AS (DELETE FROM demande_epcis AS x"
    " USING unnest(CAST(:ld_ids AS uuid[]), CAST(:ld_epcis AS varchar[])) AS t(id, epci)"
    " WHERE x.demande_id = t.id AND x.epci = t.epci"
    "), li AS (INSERT INTO demande_epcis (demande_id, epci)"
    " SELECT * FROM unnest(CAST(:li_ids AS uuid[]), CAST(:li_epcis AS varchar[]))"
    " ON CONFLICT DO NOTHING"
    ") SELECT 1"
)


def _tableaux(
    lignes: Sequence[dict[str, Any]], types: dict[str, str], prefixe: str
) -> dict[str, list[Any]]:
    """Rows → one list per column (the arrays of `upsert_unnest`), JSON as text."""
    return {
        f"{prefixe}{nom}": [en_json(ligne[nom]) for ligne in lignes]
        if type_ == "json"
        else [ligne[nom] for ligne in lignes]
        for nom, type_ in types.items()
    }


async def ecrire(session: AsyncSession, ecritures: Ecritures, maintenant: datetime) -> None:
    """Write a batch's demandes, scores and EPCI links: one statement on PostgreSQL."""
    retires, ajoutes = _liens(ecritures)
    lignes_demandes = [_ligne_demande(d, maintenant) for d, _ in ecritures.demandes]
    if is_postgres(session):
        await session.execute(
            _ECRIRE,
            {
                **_tableaux(lignes_demandes, TYPES_DEMANDES, "d_"),
                "v_ids": list(ecritures.versions),
                "v_versions": list(ecritures.versions.values()),
                **_tableaux(ecritures.scores, _TYPES_SCORES, "s_"),
                "sd_ids": [i for i, _ in ecritures.scores_supprimes],
                "sd_epcis": [e for _, e in ecritures.scores_supprimes],
                "so_ids": ecritures.sans_scores,
                "ld_ids": [i for i, _ in retires],
                "ld_epcis": [e for _, e in retires],
                "li_ids": [i for i, _ in ajoutes],
                "li_epcis": [e for _, e in ajoutes],
            },
        )
        return
    # SQLite (embedded mode, tests): one statement per kind of change.
    if lignes_demandes:
        await session.execute(upsert_executemany(demandes, ["demande_id"]), lignes_demandes)
    if ecritures.versions:
        await session.execute(
            demandes.update()
            .where(demandes.c.demande_id == sa.bindparam("b_id"))
            .values(version_cotation=sa.bindparam("b_version")),
            [{"b_id": k, "b_version": v} for k, v in ecritures.versions.items()],
        )
    if ecritures.scores:
        await session.execute(upsert_executemany(scores, ["demande_id", "epci"]), ecritures.scores)
    if ecritures.scores_supprimes:
        await session.execute(
            scores.delete().where(
                sa.tuple_(scores.c.demande_id, scores.c.epci).in_(ecritures.scores_supprimes)
            )
        )
    if ecritures.sans_scores:
        await session.execute(scores.delete().where(scores.c.demande_id.in_(ecritures.sans_scores)))
    if retires:
        await session.execute(
            demande_epcis.delete().where(
                sa.tuple_(demande_epcis.c.demande_id, demande_epcis.c.epci).in_(retires)
            )
        )
    if ajoutes:
        await session.execute(
            demande_epcis.insert(), [{"demande_id": i, "epci": e} for i, e in ajoutes]
        )


async def scores_actifs_de_l_epci(session: AsyncSession, epci: str) -> dict[UUID, Any]:
    rows = await session.execute(
        sa.select(scores.c.demande_id, scores.c.points, scores.c.typologie).where(
            (scores.c.epci == epci) & scores.c.actif
        )
    )
    return {row.demande_id: row for row in rows}


@dataclass(frozen=True)
class Position:
    rang: int
    total: int
    percentile: int
    typologie: str | None


async def position(
    session: AsyncSession, epci: str, typologie: str | None, points: Decimal
) -> Position:
    """Rank among the active demandes of the EPCI wishing the same (first) typology:
    1 + those with more points; percentile = share of them with fewer points."""
    devant = sa.func.sum(sa.case((scores.c.points > points, 1), else_=0))
    derriere = sa.func.sum(sa.case((scores.c.points < points, 1), else_=0))
    row = (
        await session.execute(
            sa.select(devant, derriere, sa.func.count()).where(
                (scores.c.epci == epci) & (scores.c.typologie == typologie) & scores.c.actif
            )
        )
    ).one()
    total = int(row[2] or 0)
    return Position(
        rang=int(row[0] or 0) + 1,
        total=total,
        percentile=round(100 * int(row[1] or 0) / total) if total else 0,
        typologie=typologie,
    )


async def evenements_en_attente(session: AsyncSession, plafond: int) -> int:
    """Outbox rows not yet published, counted up to `plafond` (partial index)."""
    en_attente = (
        sa.select(outbox.c.id).where(outbox.c.published_at.is_(None)).limit(plafond).subquery()
    )
    return int(
        (await session.execute(sa.select(sa.func.count()).select_from(en_attente))).scalar_one()
    )
