"""Queries of the cotation service: grids, followed demandes, scores, re-scoring jobs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.messaging.tables import outbox
from toit_cotation.adapters.tables import demande_epcis, demandes, grilles, recalculs, scores
from toit_cotation.domain.grille import EtatGrille, Grille, GrilleDefinition


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


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


async def grilles_publiees(session: AsyncSession, epcis: Iterable[str]) -> list[tuple[UUID, int]]:
    """(id, revision) of the published grids of these EPCIs: cheap, the caller keeps
    the grids themselves in a cache keyed by both."""
    query = sa.select(grilles.c.id, grilles.c.revision).where(
        (grilles.c.etat == EtatGrille.PUBLIEE.value) & grilles.c.epci.in_(sorted(set(epcis)))
    )
    return [(row.id, row.revision) for row in await session.execute(query)]


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


async def demandes_suivies(
    session: AsyncSession, ids: Sequence[UUID], *, verrouiller: bool = False
) -> dict[UUID, DemandeSuivie]:
    if not ids:
        return {}
    query = sa.select(demandes).where(demandes.c.demande_id.in_(ids))
    if verrouiller and _is_postgres(session):
        query = query.order_by(demandes.c.demande_id).with_for_update()
    rows = (await session.execute(query)).all()
    return {
        row.demande_id: DemandeSuivie(
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
        for row in rows
    }


async def enregistrer_demande(
    session: AsyncSession,
    demande: DemandeSuivie,
    maintenant: datetime,
    ancienne: DemandeSuivie | None,
) -> None:
    valeurs = {
        "version": demande.version,
        "departement": demande.departement,
        "statut": demande.statut,
        "typologie": demande.typologie,
        "snapshot": demande.snapshot,
        "epcis": demande.epcis,
        "version_cotation": demande.version_cotation,
        "modifiee_le": maintenant,
        "compte_demandeur": demande.compte_demandeur,
    }
    if ancienne is None:
        await session.execute(demandes.insert().values(demande_id=demande.demande_id, **valeurs))
    else:
        await session.execute(
            demandes.update().where(demandes.c.demande_id == demande.demande_id).values(**valeurs)
        )
    if ancienne is not None and sorted(ancienne.epcis) == sorted(demande.epcis):
        return
    await session.execute(
        demande_epcis.delete().where(demande_epcis.c.demande_id == demande.demande_id)
    )
    if demande.epcis:
        await session.execute(
            demande_epcis.insert(),
            [{"demande_id": demande.demande_id, "epci": e} for e in demande.epcis],
        )


async def avancer_versions_cotation(session: AsyncSession, versions: dict[UUID, int]) -> None:
    if versions:
        await session.execute(
            demandes.update()
            .where(demandes.c.demande_id == sa.bindparam("b_id"))
            .values(version_cotation=sa.bindparam("b_version")),
            [{"b_id": k, "b_version": v} for k, v in versions.items()],
        )


async def ids_a_recoter(
    session: AsyncSession, *, epci: str | None, apres: UUID | None, limite: int
) -> list[UUID]:
    """Next demandes to re-score, in id order after the cursor."""
    query = sa.select(demandes.c.demande_id).where(demandes.c.snapshot.is_not(None))
    if epci is not None:
        query = query.where(
            demandes.c.demande_id.in_(
                sa.select(demande_epcis.c.demande_id).where(demande_epcis.c.epci == epci)
            )
        )
    if apres is not None:
        query = query.where(demandes.c.demande_id > apres)
    query = query.order_by(demandes.c.demande_id).limit(limite)
    return list((await session.execute(query)).scalars())


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


async def scores_de(session: AsyncSession, ids: Sequence[UUID]) -> dict[tuple[UUID, str], Any]:
    if not ids:
        return {}
    rows = await session.execute(sa.select(scores).where(scores.c.demande_id.in_(ids)))
    return {(row.demande_id, row.epci): row for row in rows}


async def ecrire_scores(
    session: AsyncSession,
    nouveaux: list[dict[str, Any]],
    modifies: list[dict[str, Any]],
    supprimes: list[tuple[UUID, str]],
) -> None:
    if nouveaux:
        await session.execute(scores.insert(), nouveaux)
    if modifies:
        colonnes = [c for c in modifies[0] if c not in ("demande_id", "epci")]
        await session.execute(
            scores.update()
            .where(
                (scores.c.demande_id == sa.bindparam("b_demande_id"))
                & (scores.c.epci == sa.bindparam("b_epci"))
            )
            .values({c: sa.bindparam(f"b_{c}") for c in colonnes}),
            [{f"b_{k}": v for k, v in row.items()} for row in modifies],
        )
    for demande_id, epci in supprimes:
        await session.execute(
            scores.delete().where((scores.c.demande_id == demande_id) & (scores.c.epci == epci))
        )


async def supprimer_scores(session: AsyncSession, demande_id: UUID) -> None:
    await session.execute(scores.delete().where(scores.c.demande_id == demande_id))


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
