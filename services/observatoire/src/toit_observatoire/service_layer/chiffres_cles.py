"""Public key figures (chiffres clés) per commune and typologie: computed from the
read models, small cells masked, stored and published as an event for the portail."""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from servicekit.uow import UnitOfWork
from toit_contracts.events import ChiffreCle, ChiffresClesPublies
from toit_observatoire.adapters import tables
from toit_observatoire.domain.secret import masquer

ACTIFS = ("ACTIVE", "EXPIREE_GRACE")
TOUTES = "*"


def _masked_cells(counts: dict[tuple[str, str], int], seuil: int) -> set[tuple[str, str]]:
    """Per commune, the typologie cells and the commune's total (published too)."""
    hidden: set[tuple[str, str]] = set()
    per_commune: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for key, n in counts.items():
        per_commune[key[0]][key] = n
    for commune, cells in per_commune.items():
        typologies = {k: n for k, n in cells.items() if k[1] != TOUTES}
        hidden |= masquer(typologies, seuil)
        total = (commune, TOUTES)
        if 0 < cells.get(total, 0) < seuil:
            hidden.add(total)
    return hidden


async def calculer(
    conn: AsyncConnection, departement: str, jour: date, seuil: int
) -> list[ChiffreCle]:
    d, a = tables.rm_demande, tables.rm_attribution
    stock: Counter[tuple[str, str]] = Counter()
    for commune, typologie, n in (
        await conn.execute(
            sa.select(d.c.commune, d.c.typologie, sa.func.count())
            .where(d.c.departement == departement, d.c.statut.in_(ACTIFS), d.c.commune.is_not(None))
            .group_by(d.c.commune, d.c.typologie)
        )
    ).all():
        stock[(commune, typologie or TOUTES)] += n
        stock[(commune, TOUTES)] += n if typologie else 0
    annee = jour.year - 1
    attribs: Counter[tuple[str, str]] = Counter()
    delais: dict[tuple[str, str], list[float]] = defaultdict(list)
    for commune, typologie, delai in (
        await conn.execute(
            sa.select(
                a.c.commune,
                sa.func.coalesce(a.c.typologie_attribuee, a.c.typologie_demandee),
                a.c.delai_jours,
            ).where(a.c.departement == departement, a.c.annee == annee, a.c.commune.is_not(None))
        )
    ).all():
        for key in ((commune, TOUTES), (commune, typologie)) if typologie else ((commune, TOUTES),):
            attribs[key] += 1
            if delai is not None:
                delais[key].append(delai / 30.4375)
    hidden_stock = _masked_cells(dict(stock), seuil)
    hidden_attribs = _masked_cells(dict(attribs), seuil)
    chiffres = []
    for key in sorted(set(stock) | set(attribs)):
        commune, typologie = key
        wait = delais.get(key)
        chiffres.append(
            ChiffreCle(
                commune=commune,
                typologie=None if typologie == TOUTES else typologie,
                demandes_en_cours=None if key in hidden_stock else stock.get(key, 0),
                attributions_annee_precedente=None
                if key in hidden_attribs
                else attribs.get(key, 0),
                delai_median_mois=(
                    round(statistics.median(wait), 1)
                    if wait and key not in hidden_attribs
                    else None
                ),
            )
        )
    return chiffres


async def publier(uow: UnitOfWork, departement: str, jour: date, seuil: int) -> ChiffresClesPublies:
    conn = await uow.session.connection()
    chiffres = await calculer(conn, departement, jour, seuil)
    event = ChiffresClesPublies(
        publication_id=uuid.uuid4(),
        departement=departement,
        publie_le=datetime.now(UTC),
        date_reference=jour,
        annee_attributions=jour.year - 1,
        seuil_secret=seuil,
        chiffres=chiffres,
    )
    await conn.execute(
        tables.chiffres_cles.insert().values(
            id=event.publication_id,
            publie_le=event.publie_le,
            annee_reference=event.annee_attributions,
            contenu=event.model_dump(mode="json"),
        )
    )
    uow.publish(event)
    return event


async def derniers(conn: AsyncConnection, departement: str) -> dict[str, Any] | None:
    rows = (
        await conn.execute(
            sa.select(tables.chiffres_cles.c.contenu)
            .order_by(tables.chiffres_cles.c.publie_le.desc())
            .limit(50)
        )
    ).all()
    for (contenu,) in rows:
        if contenu.get("departement") == departement:
            return dict(contenu)
    return None
