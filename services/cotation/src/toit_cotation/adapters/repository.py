"""Queries of the cotation service: grids, followed demandes, scores, re-scoring jobs."""

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
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.messaging.tables import outbox
from toit_cotation.adapters.tables import demande_epcis, demandes, grilles, recalculs, scores
from toit_cotation.domain.grille import EtatGrille, Grille, GrilleDefinition


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The statements of the hot paths (live re-scores, bulk re-scoring) are built once per
# dialect. On PostgreSQL, lists travel as arrays (`= ANY(:ids)`, `unnest`): the SQL text
# is the same whatever the batch size, so each statement is prepared once per connection
# and a batch is written by one statement. SQLite (embedded mode, tests) gets plain
# IN lists and executemany.


def _parmi(colonne: sa.ColumnElement[Any], nom: str, type_: Any, postgres: bool) -> Any:
    if postgres:
        return colonne == sa.any_(sa.bindparam(nom, type_=postgresql.ARRAY(type_)))
    return colonne.in_(sa.bindparam(nom, expanding=True))


def _json(valeur: Any) -> str | None:
    return None if valeur is None else json.dumps(valeur, ensure_ascii=False)


def _upsert_unnest(
    table: sa.Table, cles: Sequence[str], types: dict[str, str], prefixe: str
) -> str:
    """INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE: a whole batch of rows
    in one PostgreSQL statement whose text does not depend on the batch size."""
    colonnes = list(types)
    tableaux = ", ".join(
        f"CAST(CAST(:{prefixe}{c} AS text[]) AS json[])"
        if types[c] == "json"
        else f"CAST(:{prefixe}{c} AS {types[c]}[])"
        for c in colonnes
    )
    mises_a_jour = ", ".join(f"{c} = EXCLUDED.{c}" for c in colonnes if c not in cles)
    return (
        f"INSERT INTO {table.name} ({', '.join(colonnes)}) SELECT * FROM unnest({tableaux})"
        f" ON CONFLICT ({', '.join(cles)}) DO UPDATE SET {mises_a_jour}"
    )


def _upsert_executemany(table: sa.Table, cles: Sequence[str]) -> Any:
    insert = sqlite_insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(cles),
        set_={c.name: insert.excluded[c.name] for c in table.columns if c.name not in cles},
    )


# --- Grids -------------------------------------------------------------------------------------


def _grille_de_ligne(row: Any) -> Grille:
    return Grille(
        definition=GrilleDefinition.model_validate(row.definition),
        version=row.version,
        id=row.id,
        etat=EtatGrille(row.etat),
        revision=row.revision,
        creee_le=row.creee_le,
        publiee_le=row.publiee_le,
        archivee_le=row.archivee_le,
    )


def _valeurs_grille(grille: Grille) -> dict[str, Any]:
    d = grille.definition
    return {
        "epci": d.epci,
        "population": d.population.value,
        "version": grille.version,
        "etat": grille.etat.value,
        "revision": grille.revision,
        "libelle": d.libelle,
        "date_effet": d.date_effet,
        "exemple": d.exemple,
        "definition": d.model_dump(mode="json"),
        "creee_le": grille.creee_le,
        "publiee_le": grille.publiee_le,
        "archivee_le": grille.archivee_le,
    }


async def ajouter_grille(session: AsyncSession, grille: Grille) -> None:
    await session.execute(grilles.insert().values(id=grille.id, **_valeurs_grille(grille)))


async def enregistrer_grille(session: AsyncSession, grille: Grille, revision_lue: int) -> bool:
    """Save a changed grid if nobody changed it since `revision_lue` (optimistic lock)."""
    result = await session.execute(
        grilles.update()
        .where((grilles.c.id == grille.id) & (grilles.c.revision == revision_lue))
        .values(**_valeurs_grille(grille))
    )
    return getattr(result, "rowcount", 0) == 1


async def grille(session: AsyncSession, grille_id: UUID) -> Grille | None:
    row = (await session.execute(sa.select(grilles).where(grilles.c.id == grille_id))).first()
    return None if row is None else _grille_de_ligne(row)


async def prochaine_version(session: AsyncSession, epci: str, population: str) -> int:
    courante = (
        await session.execute(
            sa.select(sa.func.max(grilles.c.version)).where(
                (grilles.c.epci == epci) & (grilles.c.population == population)
            )
        )
    ).scalar_one_or_none()
    return (courante or 0) + 1


async def lister_grilles(
    session: AsyncSession, *, epci: str | None = None, etat: str | None = None
) -> list[Grille]:
    query = sa.select(grilles).order_by(
        grilles.c.epci, grilles.c.population, grilles.c.version.desc()
    )
    if epci is not None:
        query = query.where(grilles.c.epci == epci)
    if etat is not None:
        query = query.where(grilles.c.etat == etat)
    return [_grille_de_ligne(row) for row in await session.execute(query)]


# --- Followed demandes -------------------------------------------------------------------------


@dataclass
class DemandeSuivie:
    demande_id: UUID
    version: int
    departement: str
    statut: str
    typologie: str | None
    snapshot: dict[str, Any] | None
    epcis: list[str]
    version_cotation: int
    compte_demandeur: str | None = None


def _demande_de_ligne(row: Any) -> DemandeSuivie:
    return DemandeSuivie(
        demande_id=row.demande_id,
        version=row.version,
        departement=row.departement,
        statut=row.statut,
        typologie=row.typologie,
        snapshot=row.snapshot,
        epcis=list(row.epcis),
        version_cotation=row.version_cotation,
        compte_demandeur=row.compte_demandeur,
    )


@cache
def _q_demandes(postgres: bool, verrouiller: bool) -> Any:
    query = sa.select(demandes).where(_parmi(demandes.c.demande_id, "ids", sa.Uuid, postgres))
    if verrouiller and postgres:
        query = query.order_by(demandes.c.demande_id).with_for_update()
    return query


async def demandes_suivies(
    session: AsyncSession, ids: Sequence[UUID], *, verrouiller: bool = False
) -> dict[UUID, DemandeSuivie]:
    """The followed demandes among `ids`; `verrouiller` locks them (FOR UPDATE, in id
    order: concurrent batches then never wait on each other in a cycle)."""
    if not ids:
        return {}
    rows = await session.execute(
        _q_demandes(_is_postgres(session), verrouiller), {"ids": list(ids)}
    )
    return {row.demande_id: _demande_de_ligne(row) for row in rows}


_TYPES_DEMANDES = {
    "demande_id": "uuid",
    "version": "integer",
    "departement": "varchar",
    "statut": "varchar",
    "typologie": "varchar",
    "snapshot": "json",
    "epcis": "json",
    "version_cotation": "integer",
    "modifiee_le": "timestamptz",
    "compte_demandeur": "varchar",
}


@cache
def _q_a_recoter(postgres: bool, par_epci: bool, apres: bool) -> Any:
    query = sa.select(demandes).where(demandes.c.snapshot.is_not(None))
    if apres:
        query = query.where(demandes.c.demande_id > sa.bindparam("apres"))
    if par_epci:
        # The cursor bounds both sides of the join (index epci, demande_id on the links),
        # whatever plan is chosen: each batch reads only its own rows, however far the
        # job has gone (not the EPCI's links from the start: quadratic over a job).
        liens = demande_epcis.c.epci == sa.bindparam("epci")
        if apres:
            liens &= demande_epcis.c.demande_id > sa.bindparam("apres")
        query = query.join(
            demande_epcis, demande_epcis.c.demande_id == demandes.c.demande_id
        ).where(liens)
    query = query.order_by(demandes.c.demande_id).limit(sa.bindparam("limite"))
    if postgres:
        query = query.with_for_update(of=demandes)
    return query


async def demandes_a_recoter(
    session: AsyncSession, *, epci: str | None, apres: UUID | None, limite: int
) -> list[DemandeSuivie]:
    """Next demandes to re-score, in id order after the cursor, locked (FOR UPDATE: a
    live re-score of one of them waits for this batch, or this batch for it)."""
    query = _q_a_recoter(_is_postgres(session), epci is not None, apres is not None)
    parametres: dict[str, Any] = {"limite": limite}
    if epci is not None:
        parametres["epci"] = epci
    if apres is not None:
        parametres["apres"] = apres
    return [_demande_de_ligne(row) for row in await session.execute(query, parametres)]


async def compter_a_recoter(session: AsyncSession, epci: str | None) -> int:
    query = sa.select(sa.func.count()).select_from(demandes).where(demandes.c.snapshot.is_not(None))
    if epci is not None:
        query = query.where(
            demandes.c.demande_id.in_(
                sa.select(demande_epcis.c.demande_id).where(demande_epcis.c.epci == epci)
            )
        )
    return int((await session.execute(query)).scalar_one())


async def snapshots_de_l_epci(session: AsyncSession, epci: str) -> list[Any]:
    return list(
        await session.execute(
            sa.select(
                demandes.c.demande_id,
                demandes.c.departement,
                demandes.c.statut,
                demandes.c.typologie,
                demandes.c.snapshot,
            )
            .join(demande_epcis, demande_epcis.c.demande_id == demandes.c.demande_id)
            .where((demande_epcis.c.epci == epci) & demandes.c.snapshot.is_not(None))
        )
    )


# --- Scores ------------------------------------------------------------------------------------


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
        & _parmi(grilles.c.epci, "epcis", sa.String, postgres)
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
    ).where(_parmi(scores.c.demande_id, "ids", sa.Uuid, postgres))
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
        _q_grilles_et_scores(_is_postgres(session), epci is not None), parametres
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
    + _upsert_unnest(demandes, ["demande_id"], _TYPES_DEMANDES, "d_")
    + "), v AS (UPDATE demandes AS x SET version_cotation = t.v"
    " FROM unnest(CAST(:v_ids AS uuid[]), CAST(:v_versions AS integer[])) AS t(id, v)"
    " WHERE x.demande_id = t.id"
    "), s AS ("
    + _upsert_unnest(scores, ["demande_id", "epci"], _TYPES_SCORES, "s_")
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
    """Rows → one list per column (the arrays of `_upsert_unnest`), JSON as text."""
    return {
        f"{prefixe}{nom}": [_json(ligne[nom]) for ligne in lignes]
        if type_ == "json"
        else [ligne[nom] for ligne in lignes]
        for nom, type_ in types.items()
    }


async def ecrire(session: AsyncSession, ecritures: Ecritures, maintenant: datetime) -> None:
    """Write a batch's demandes, scores and EPCI links: one statement on PostgreSQL."""
    retires, ajoutes = _liens(ecritures)
    lignes_demandes = [_ligne_demande(d, maintenant) for d, _ in ecritures.demandes]
    if _is_postgres(session):
        await session.execute(
            _ECRIRE,
            {
                **_tableaux(lignes_demandes, _TYPES_DEMANDES, "d_"),
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
        await session.execute(_upsert_executemany(demandes, ["demande_id"]), lignes_demandes)
    if ecritures.versions:
        await session.execute(
            demandes.update()
            .where(demandes.c.demande_id == sa.bindparam("b_id"))
            .values(version_cotation=sa.bindparam("b_version")),
            [{"b_id": k, "b_version": v} for k, v in ecritures.versions.items()],
        )
    if ecritures.scores:
        await session.execute(_upsert_executemany(scores, ["demande_id", "epci"]), ecritures.scores)
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


# --- Re-scoring jobs ---------------------------------------------------------------------------


async def creer_recalcul(session: AsyncSession, valeurs: dict[str, Any]) -> bool:
    """Create a job unless one with the same key exists (replicas, repeated ticks)."""
    existe = (
        await session.execute(sa.select(recalculs.c.id).where(recalculs.c.cle == valeurs["cle"]))
    ).first()
    if existe is not None:
        return False
    await session.execute(recalculs.insert().values(**valeurs))
    return True


async def prochain_recalcul(session: AsyncSession) -> Any | None:
    """The oldest running job, locked for this transaction; another replica skips it."""
    query = (
        sa.select(recalculs)
        .where(recalculs.c.etat == "EN_COURS")
        .order_by(recalculs.c.cree_le)
        .limit(1)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query)).first()


async def mettre_a_jour_recalcul(session: AsyncSession, job_id: UUID, **valeurs: Any) -> None:
    await session.execute(recalculs.update().where(recalculs.c.id == job_id).values(**valeurs))


async def recalcul(session: AsyncSession, job_id: UUID) -> Any | None:
    return (await session.execute(sa.select(recalculs).where(recalculs.c.id == job_id))).first()


async def lister_recalculs(session: AsyncSession, limite: int = 50) -> list[Any]:
    return list(
        await session.execute(
            sa.select(recalculs).order_by(recalculs.c.cree_le.desc()).limit(limite)
        )
    )


class CotationRepository:
    """The functions of this module bound to one session: what the use cases reach
    through `uow.repository(CotationRepository)` (unit tests give them an in-memory one)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ajouter_grille(self, grille: Grille) -> None:
        return await ajouter_grille(self.session, grille)

    async def enregistrer_grille(self, grille: Grille, revision_lue: int) -> bool:
        return await enregistrer_grille(self.session, grille, revision_lue)

    async def grille(self, grille_id: UUID) -> Grille | None:
        return await grille(self.session, grille_id)

    async def prochaine_version(self, epci: str, population: str) -> int:
        return await prochaine_version(self.session, epci, population)

    async def lister_grilles(
        self, *, epci: str | None = None, etat: str | None = None
    ) -> list[Grille]:
        return await lister_grilles(self.session, epci=epci, etat=etat)

    async def demandes_suivies(
        self, ids: Sequence[UUID], *, verrouiller: bool = False
    ) -> dict[UUID, DemandeSuivie]:
        return await demandes_suivies(self.session, ids, verrouiller=verrouiller)

    async def demandes_a_recoter(
        self, *, epci: str | None, apres: UUID | None, limite: int
    ) -> list[DemandeSuivie]:
        return await demandes_a_recoter(self.session, epci=epci, apres=apres, limite=limite)

    async def compter_a_recoter(self, epci: str | None) -> int:
        return await compter_a_recoter(self.session, epci)

    async def snapshots_de_l_epci(self, epci: str) -> list[Any]:
        return await snapshots_de_l_epci(self.session, epci)

    async def grilles_et_scores(
        self, epcis: Iterable[str], ids: Sequence[UUID], *, epci: str | None = None
    ) -> tuple[list[tuple[UUID, int]], dict[tuple[UUID, str], ScoreConnu]]:
        return await grilles_et_scores(self.session, epcis, ids, epci=epci)

    async def lignes_de_scores(self, demande_id: UUID) -> dict[str, Any]:
        return await lignes_de_scores(self.session, demande_id)

    async def ecrire(self, ecritures: Ecritures, maintenant: datetime) -> None:
        return await ecrire(self.session, ecritures, maintenant)

    async def scores_actifs_de_l_epci(self, epci: str) -> dict[UUID, Any]:
        return await scores_actifs_de_l_epci(self.session, epci)

    async def position(self, epci: str, typologie: str | None, points: Decimal) -> Position:
        return await position(self.session, epci, typologie, points)

    async def evenements_en_attente(self, plafond: int) -> int:
        return await evenements_en_attente(self.session, plafond)

    async def creer_recalcul(self, valeurs: dict[str, Any]) -> bool:
        return await creer_recalcul(self.session, valeurs)

    async def prochain_recalcul(self) -> Any | None:
        return await prochain_recalcul(self.session)

    async def mettre_a_jour_recalcul(self, job_id: UUID, **valeurs: Any) -> None:
        return await mettre_a_jour_recalcul(self.session, job_id, **valeurs)

    async def recalcul(self, job_id: UUID) -> Any | None:
        return await recalcul(self.session, job_id)

    async def lister_recalculs(self, limite: int = 50) -> list[Any]:
        return await lister_recalculs(self.session, limite)
