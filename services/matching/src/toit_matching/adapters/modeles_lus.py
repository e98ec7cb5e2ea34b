"""Storage of matching's read models (its copies of the demandes, their scores and
wishes, fed only by events): SQL only here (SQLAlchemy Core), no rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_matching.adapters.repository import Row, _insert
from toit_matching.adapters.tables import demandes, scores, souhaits

# --- Read models ------------------------------------------------------------------------------


async def versions_demandes(session: AsyncSession, ids: Sequence[UUID]) -> dict[UUID, int]:
    rows = await session.execute(
        sa.select(demandes.c.demande_id, demandes.c.version).where(demandes.c.demande_id.in_(ids))
    )
    return {r.demande_id: r.version for r in rows}


async def versions_et_scores(
    session: AsyncSession, ids: Sequence[UUID], epci: str
) -> tuple[dict[UUID, int], dict[UUID, Row]]:
    """The versions of these demandes and their score detail for the EPCI, in one
    statement (the comparateur's read)."""
    rows = await session.execute(
        sa.select(
            demandes.c.demande_id,
            demandes.c.version,
            scores.c.points,
            scores.c.criteres,
            scores.c.grille_version,
        )
        .select_from(
            demandes.outerjoin(
                scores, (scores.c.demande_id == demandes.c.demande_id) & (scores.c.epci == epci)
            )
        )
        .where(demandes.c.demande_id.in_(list(ids)))
    )
    versions: dict[UUID, int] = {}
    detail: dict[UUID, Row] = {}
    for r in rows:
        versions[r.demande_id] = r.version
        if r.points is not None:
            detail[r.demande_id] = {
                "demande_id": r.demande_id,
                "points": r.points,
                "criteres": r.criteres,
                "grille_version": r.grille_version,
            }
    return versions, detail


async def ecrire_demandes(
    session: AsyncSession, lignes: list[Row], souhaits_lignes: list[Row]
) -> None:
    """Replace the rows (and wished communes) of these demandes."""
    if not lignes:
        return
    ids = [ligne["demande_id"] for ligne in lignes]
    await session.execute(souhaits.delete().where(souhaits.c.demande_id.in_(ids)))
    insert = _insert(session, demandes)
    colonnes = [c.name for c in demandes.c if c.name != "demande_id"]
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[demandes.c.demande_id],
            set_={c: insert.excluded[c] for c in colonnes},
        ),
        lignes,
    )
    if souhaits_lignes:
        await session.execute(souhaits.insert(), souhaits_lignes)


async def supprimer_demandes(session: AsyncSession, ids: Sequence[UUID]) -> None:
    await session.execute(souhaits.delete().where(souhaits.c.demande_id.in_(ids)))
    await session.execute(scores.delete().where(scores.c.demande_id.in_(ids)))
    await session.execute(demandes.delete().where(demandes.c.demande_id.in_(ids)))


async def ecrire_scores(session: AsyncSession, lignes: list[Row]) -> None:
    if not lignes:
        return
    insert = _insert(session, scores)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[scores.c.demande_id, scores.c.epci],
            set_={
                "points": insert.excluded.points,
                "criteres": insert.excluded.criteres,
                "grille_version": insert.excluded.grille_version,
                "version": insert.excluded.version,
            },
            where=scores.c.version <= insert.excluded.version,
        ),
        lignes,
    )


@dataclass(frozen=True)
class Prefiltre:
    """The hard filters SQL applies before the domain evaluates the rest: the typology
    wished, the sizes the typology fits, the ceiling per household category."""

    typologie: str
    tailles: tuple[int, ...]
    plafonds: tuple[int, ...]  # categories 1..6
    par_personne: int
    appliquer_plafond: bool = True


@dataclass
class Pool:
    demandes: list[tuple[UUID, int, Any]]  # id, version, points for the EPCI (or None)
    souhaitent: int  # active demandes wishing the commune (or the EPCI)
    typologie: int  # of them, not wishing the typology
    taille: int  # of the rest, the typology does not fit their size
    plafond: int  # of the rest, income above the ceiling
    # Those the pre-filters excluded: id, version, points, code of the first filter failed.
    prefiltrees: list[tuple[UUID, int, Any, str]] = field(default_factory=list)


PREFILTRE_TYPOLOGIE, PREFILTRE_TAILLE, PREFILTRE_PLAFOND = (
    "TYPOLOGIE_SOUHAITEE",
    "TYPOLOGIE_TAILLE",
    "PLAFOND",
)


async def candidats_potentiels(
    session: AsyncSession,
    *,
    departement: str,
    commune: str,
    epci: str | None,
    par_epci: bool,
    filtre: Prefiltre,
) -> Pool:
    """Active demandes of the département wishing the commune (or, widened, a commune of
    its EPCI), with their score for the EPCI, split by the SQL pre-filters: those that pass,
    and those excluded, each under the first criterion it fails. One statement on the
    narrow `souhaits` table (each row carries the demande's pre-filter fields)."""
    if par_epci and epci is not None:
        souhait = souhaits.c.epci == epci
    else:
        souhait = souhaits.c.commune == commune
    pool = sa.select(
        souhaits.c.demande_id,
        souhaits.c.version,
        souhaits.c.typologies,
        souhaits.c.taille,
        souhaits.c.categorie,
        souhaits.c.revenu_fiscal,
    ).where(souhait, souhaits.c.actif.is_(True), souhaits.c.departement == departement)
    p = (pool.distinct() if par_epci else pool).subquery("p")
    typo_ko = p.c.typologies.is_not(None) & ~p.c.typologies.like(f"%|{filtre.typologie}|%")
    taille_ko = p.c.taille.is_not(None) & p.c.taille.not_in(filtre.tailles)
    if filtre.appliquer_plafond:
        par_categorie = sa.case(
            *((p.c.categorie == i + 1, x) for i, x in enumerate(filtre.plafonds)),
            else_=filtre.plafonds[-1]
            + (p.c.categorie - len(filtre.plafonds)) * filtre.par_personne,
        )
        plafond_ko: Any = (
            p.c.revenu_fiscal.is_not(None)
            & p.c.categorie.is_not(None)
            & (p.c.revenu_fiscal > par_categorie)
        )
    else:
        plafond_ko = sa.false()
    echec = sa.case(
        (typo_ko, PREFILTRE_TYPOLOGIE),
        (taille_ko, PREFILTRE_TAILLE),
        (plafond_ko, PREFILTRE_PLAFOND),
        else_=None,
    )
    rows = await session.execute(
        sa.select(p.c.demande_id, p.c.version, scores.c.points, echec).select_from(
            p.outerjoin(
                scores,
                (scores.c.demande_id == p.c.demande_id) & (scores.c.epci == (epci or "")),
            )
        )
    )
    resultat = Pool([], 0, 0, 0, 0)
    for demande_id, version, points, code in rows:
        resultat.souhaitent += 1
        if code is None:
            resultat.demandes.append((demande_id, version, points))
            continue
        resultat.prefiltrees.append((demande_id, version, points, code))
        if code == PREFILTRE_TYPOLOGIE:
            resultat.typologie += 1
        elif code == PREFILTRE_TAILLE:
            resultat.taille += 1
        else:
            resultat.plafond += 1
    return resultat


async def compter_actives(session: AsyncSession, departement: str) -> int:
    return int(
        (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(demandes)
                .where(demandes.c.departement == departement, demandes.c.statut == "ACTIVE")
            )
        ).scalar_one()
    )


async def vues(session: AsyncSession, ids: Sequence[UUID]) -> list[Row]:
    resultat: list[Row] = []
    for debut in range(0, len(ids), 5000):
        rows = await session.execute(
            sa.select(
                demandes.c.demande_id,
                demandes.c.version,
                demandes.c.departement,
                demandes.c.statut,
                demandes.c.numero_unique,
                demandes.c.vue,
            ).where(demandes.c.demande_id.in_(list(ids[debut : debut + 5000])))
        )
        resultat.extend(dict(r) for r in rows.mappings())
    return resultat


async def sources_demandes(session: AsyncSession, apres: UUID | None, limite: int) -> list[Row]:
    requete = sa.select(
        demandes.c.demande_id,
        demandes.c.version,
        demandes.c.departement,
        demandes.c.statut,
        demandes.c.numero_unique,
        demandes.c.source,
        demandes.c.recue_le,
    ).order_by(demandes.c.demande_id)
    if apres is not None:
        requete = requete.where(demandes.c.demande_id > apres)
    rows = await session.execute(requete.limit(limite))
    return [dict(r) for r in rows.mappings()]


async def vider_modeles_lus(session: AsyncSession, *, garder_sources: bool) -> None:
    await session.execute(souhaits.delete())
    if not garder_sources:
        await session.execute(scores.delete())
        await session.execute(demandes.delete())
