"""The copies of the demandes cotation follows: read, to re-score, snapshots of an EPCI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_cotation.adapters.repository.commun import (
    is_postgres,
    parmi,
)
from toit_cotation.adapters.tables import demande_epcis, demandes


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
    query = sa.select(demandes).where(parmi(demandes.c.demande_id, "ids", sa.Uuid, postgres))
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
    rows = await session.execute(_q_demandes(is_postgres(session), verrouiller), {"ids": list(ids)})
    return {row.demande_id: _demande_de_ligne(row) for row in rows}


TYPES_DEMANDES = {
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
    query = _q_a_recoter(is_postgres(session), epci is not None, apres is not None)
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
