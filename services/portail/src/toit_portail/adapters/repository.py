"""Reads and writes of the portail's read model (SQLAlchemy Core on the caller's session)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from toit_portail.adapters.tables import (
    attributions,
    chiffres_cles,
    cotations,
    demandes,
    historique,
    pieces,
    rattachements,
)
from toit_portail.adapters.tables_candidatures import (
    candidatures,
    commandes,
    demandes_modifiables,
)
from toit_portail.domain.chiffres_cles import Publication
from toit_portail.domain.espace import CotationVue, DemandeVue
from toit_portail.domain.rattachement import Tentative
from toit_portail.domain.suivi import Ligne, LigneHistorique


def _insert(session: AsyncSession, table: sa.Table) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def verrouiller_demande(
    session: AsyncSession, demande_id: UUID, departement: str, statut: str
) -> DemandeVue | None:
    """The kept demande, locked until commit (None if new: a version-0 row is created and
    locked, so that two workers applying events of one demande take turns)."""
    await session.execute(
        _insert(session, demandes)
        .values(demande_id=demande_id, version=0, departement=departement, statut=statut)
        .on_conflict_do_nothing(index_elements=["demande_id"])
    )
    row = (
        await session.execute(
            sa.select(demandes).where(demandes.c.demande_id == demande_id).with_for_update()
        )
    ).one()
    return DemandeVue(**row._mapping) if row.version > 0 else None


STATUTS_COMPARES = ("ACTIVE", "EXPIREE_GRACE")


async def enregistrer_demande(session: AsyncSession, vue: DemandeVue) -> None:
    await session.execute(
        demandes.update()
        .where(demandes.c.demande_id == vue.demande_id)
        .values(**dataclasses.asdict(vue))
    )
    # The position's copy on the cotations (whichever of the two events came first).
    comparable = vue.statut in STATUTS_COMPARES
    await session.execute(
        cotations.update()
        .where(
            cotations.c.demande_id == vue.demande_id,
            sa.or_(
                cotations.c.typologie.is_distinct_from(vue.typologie),
                cotations.c.comparable.is_distinct_from(comparable),
            ),
        )
        .values(typologie=vue.typologie, comparable=comparable)
    )


async def verrouiller_cotation(session: AsyncSession, demande_id: UUID, epci: str) -> int | None:
    """The kept version of this demande × EPCI, locked until commit (None if new).

    The demande's row is locked first (a version-0 placeholder if its events have not
    come yet), as the demande's events do: the copy of its typologie and state on the
    cotations is then written by one transaction at a time, whichever comes first."""
    await session.execute(
        _insert(session, demandes)
        .values(demande_id=demande_id, version=0, departement="", statut="")
        .on_conflict_do_nothing(index_elements=["demande_id"])
    )
    await session.execute(
        sa.select(demandes.c.demande_id)
        .where(demandes.c.demande_id == demande_id)
        .with_for_update()
    )
    await session.execute(
        _insert(session, cotations)
        .values(
            demande_id=demande_id,
            epci=epci,
            version=0,
            points=0,
            criteres=[],
            grille_version=1,
        )
        .on_conflict_do_nothing(index_elements=["demande_id", "epci"])
    )
    version: int = (
        await session.execute(
            sa.select(cotations.c.version)
            .where(cotations.c.demande_id == demande_id, cotations.c.epci == epci)
            .with_for_update()
        )
    ).scalar_one()
    return version or None


async def enregistrer_cotation(session: AsyncSession, vue: CotationVue) -> None:
    d = demandes.c
    demande = (d.demande_id == vue.demande_id) & (d.version > 0)
    await session.execute(
        cotations.update()
        .where(cotations.c.demande_id == vue.demande_id, cotations.c.epci == vue.epci)
        .values(
            **dataclasses.asdict(vue),
            typologie=sa.select(d.typologie).where(demande).scalar_subquery(),
            comparable=sa.func.coalesce(
                sa.select(d.statut.in_(STATUTS_COMPARES)).where(demande).scalar_subquery(),
                sa.false(),
            ),
        )
    )


async def supprimer_demande(session: AsyncSession, demande_id: UUID) -> None:
    await session.execute(historique.delete().where(historique.c.demande_id == demande_id))
    await session.execute(pieces.delete().where(pieces.c.demande_id == demande_id))
    await session.execute(cotations.delete().where(cotations.c.demande_id == demande_id))
    await session.execute(demandes.delete().where(demandes.c.demande_id == demande_id))


async def demandes_du_compte(session: AsyncSession, compte_id: str) -> list[DemandeVue]:
    rows = await session.execute(
        sa.select(demandes)
        .where(demandes.c.compte_demandeur == compte_id, demandes.c.version > 0)
        .order_by(demandes.c.date_depot_initial.desc().nulls_last(), demandes.c.demande_id)
    )
    return [DemandeVue(**row._mapping) for row in rows]


COLONNES_COTATION = [cotations.c[f.name] for f in dataclasses.fields(CotationVue)]


async def cotations_de(session: AsyncSession, demande_id: UUID) -> list[CotationVue]:
    rows = await session.execute(
        sa.select(*COLONNES_COTATION)
        .where(cotations.c.demande_id == demande_id, cotations.c.version > 0)
        .order_by(cotations.c.points.desc(), cotations.c.epci)
    )
    return [
        CotationVue(**{**row._mapping, "points": Decimal(row.points).quantize(Decimal("0.01"))})
        for row in rows
    ]


async def publication_verrouillee(session: AsyncSession, departement: str) -> Publication | None:
    row = (
        await session.execute(
            sa.select(chiffres_cles)
            .where(chiffres_cles.c.departement == departement)
            .with_for_update()
        )
    ).first()
    if row is None:
        return None
    valeurs = dict(row._mapping)
    valeurs.pop("publication_id")
    return Publication(**valeurs)


async def enregistrer_publication(
    session: AsyncSession, publication_id: UUID, pub: Publication, nouvelle: bool
) -> None:
    valeurs = {**dataclasses.asdict(pub), "publication_id": publication_id}
    if nouvelle:
        await session.execute(
            _insert(session, chiffres_cles)
            .values(**valeurs)
            .on_conflict_do_nothing(index_elements=["departement"])
        )
    await session.execute(
        chiffres_cles.update()
        .where(chiffres_cles.c.departement == pub.departement)
        .values(**valeurs)
    )


async def publication(session: AsyncSession, departement: str) -> Publication | None:
    row = (
        await session.execute(
            sa.select(chiffres_cles).where(chiffres_cles.c.departement == departement)
        )
    ).first()
    if row is None:
        return None
    valeurs = dict(row._mapping)
    valeurs.pop("publication_id")
    return Publication(**valeurs)


async def ajouter_tentative(session: AsyncSession, tentative: Tentative, numero: str) -> None:
    await session.execute(
        rattachements.insert().values(**dataclasses.asdict(tentative), numero_empreinte=numero)
    )


async def tentatives_recentes(
    session: AsyncSession, compte_id: str, numero: str, depuis: datetime
) -> tuple[int, int]:
    """Codes asked since `depuis` by this account, and for this numéro (any account)."""
    r = rattachements.c
    row = (
        await session.execute(
            sa.select(
                sa.func.count().filter(r.compte_id == compte_id),
                sa.func.count().filter(r.numero_empreinte == numero),
            ).where(
                r.cree_le >= depuis, sa.or_(r.compte_id == compte_id, r.numero_empreinte == numero)
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def tentative(
    session: AsyncSession, tentative_id: UUID, compte_id: str, *, verrouiller: bool = False
) -> Tentative | None:
    """The attempt, if it is this account's (locked until commit if asked)."""
    query = sa.select(rattachements).where(
        rattachements.c.id == tentative_id, rattachements.c.compte_id == compte_id
    )
    row = (await session.execute(query.with_for_update() if verrouiller else query)).first()
    if row is None:
        return None
    valeurs = dict(row._mapping)
    valeurs.pop("numero_empreinte")
    return Tentative(**valeurs)


async def noter_essai(session: AsyncSession, tentative: Tentative) -> None:
    await session.execute(
        rattachements.update()
        .where(rattachements.c.id == tentative.id)
        .values(essais=tentative.essais, confirmee_le=tentative.confirmee_le)
    )


async def demande_de_tentative(session: AsyncSession, tentative_id: UUID, demande_id: UUID) -> None:
    await session.execute(
        rattachements.update()
        .where(rattachements.c.id == tentative_id, rattachements.c.demande_id.is_(None))
        .values(demande_id=demande_id)
    )


async def oublier_tentatives(session: AsyncSession, avant: datetime) -> None:
    await session.execute(rattachements.delete().where(rattachements.c.cree_le < avant))


async def rattacher_localement(session: AsyncSession, demande_id: UUID, compte_id: str) -> None:
    """The espace shows the demande at once; demandes' next event confirms the owner."""
    await session.execute(
        demandes.update()
        .where(demandes.c.demande_id == demande_id)
        .values(compte_demandeur=compte_id)
    )


async def noter_historique(session: AsyncSession, cle: str, quand: datetime, ligne: Ligne) -> None:
    await session.execute(
        _insert(session, historique)
        .values(
            cle=cle[:120],
            demande_id=ligne.demande_id,
            date=quand,
            type=ligne.type,
            libelle=ligne.libelle[:500],
            detail=ligne.detail,
        )
        .on_conflict_do_nothing(index_elements=["cle"])
    )


async def noter_piece(
    session: AsyncSession,
    piece_id: UUID,
    demande_id: UUID,
    type_piece: str,
    en_ligne: bool,
    quand: datetime,
) -> None:
    await session.execute(
        _insert(session, pieces)
        .values(
            piece_id=piece_id,
            demande_id=demande_id,
            type_piece=type_piece,
            depot_en_ligne=en_ligne,
            deposee_le=quand,
        )
        .on_conflict_do_nothing(index_elements=["piece_id"])
    )


async def statuer_piece(
    session: AsyncSession,
    piece_id: UUID,
    demande_id: UUID,
    type_piece: str,
    statut: str,
    motif: str | None,
    quand: datetime,
) -> None:
    """The instructeur's decision on a pièce (kept even if it arrives before the deposit)."""
    await session.execute(
        _insert(session, pieces)
        .values(
            piece_id=piece_id,
            demande_id=demande_id,
            type_piece=type_piece,
            depot_en_ligne=False,
            deposee_le=quand,
            statut=statut,
            motif_refus=motif,
        )
        .on_conflict_do_update(
            index_elements=["piece_id"], set_={"statut": statut, "motif_refus": motif}
        )
    )


async def historique_de(session: AsyncSession, demande_id: UUID) -> list[LigneHistorique]:
    rows = await session.execute(
        sa.select(historique.c.date, historique.c.type, historique.c.libelle, historique.c.detail)
        .where(historique.c.demande_id == demande_id)
        .order_by(historique.c.date.desc(), historique.c.cle)
    )
    return [LigneHistorique(*row) for row in rows]


async def pieces_de(session: AsyncSession, demande_id: UUID) -> list[dict[str, Any]]:
    rows = await session.execute(
        sa.select(
            pieces.c.piece_id,
            pieces.c.type_piece,
            pieces.c.depot_en_ligne,
            pieces.c.deposee_le,
            pieces.c.statut,
            pieces.c.motif_refus,
        )
        .where(pieces.c.demande_id == demande_id)
        .order_by(pieces.c.deposee_le)
    )
    return [dict(row._mapping) for row in rows]


async def demande_du_compte(
    session: AsyncSession, demande_id: UUID, compte_id: str
) -> DemandeVue | None:
    row = (
        await session.execute(
            sa.select(demandes).where(
                demandes.c.demande_id == demande_id,
                demandes.c.compte_demandeur == compte_id,
                demandes.c.version > 0,
            )
        )
    ).first()
    return DemandeVue(**row._mapping) if row else None


async def cotations_et_positions(
    session: AsyncSession, demande_id: UUID, typologie: str | None
) -> list[tuple[CotationVue, tuple[int, int]]]:
    """The demande's cotations, each with (demandes with more points, demandes compared):
    the active demandes of that EPCI asking for the same first typologie — two index-only
    counts (`ix_cotations_position`) in the same statement."""
    autres = cotations.alias("autres")
    semblables = sa.and_(
        autres.c.epci == cotations.c.epci,
        autres.c.comparable == sa.true(),
        autres.c.typologie == typologie,
    )
    devant = (
        sa.select(sa.func.count())
        .where(semblables, autres.c.points > cotations.c.points)
        .scalar_subquery()
    )
    sur = sa.select(sa.func.count()).where(semblables).scalar_subquery()
    rows = await session.execute(
        sa.select(*COLONNES_COTATION, devant.label("devant"), sur.label("sur"))
        .where(cotations.c.demande_id == demande_id, cotations.c.version > 0)
        .order_by(cotations.c.points.desc(), cotations.c.epci)
    )
    return [
        (
            CotationVue(
                **{
                    **{f.name: row._mapping[f.name] for f in dataclasses.fields(CotationVue)},
                    "points": Decimal(row.points).quantize(Decimal("0.01")),
                }
            ),
            (int(row.devant), int(row.sur)),
        )
        for row in rows
    ]


async def noter_attribution(
    session: AsyncSession,
    attribution_id: UUID,
    epci: str,
    typologie: str,
    date_signature: date,
    delai_jours: int,
) -> None:
    await session.execute(
        _insert(session, attributions)
        .values(
            attribution_id=attribution_id,
            epci=epci,
            typologie=typologie,
            date_signature=date_signature,
            delai_jours=delai_jours,
        )
        .on_conflict_do_nothing(index_elements=["attribution_id"])
    )


async def oublier_attributions(session: AsyncSession, avant: date) -> None:
    await session.execute(attributions.delete().where(attributions.c.date_signature < avant))


async def delais(session: AsyncSession, epci: str, typologie: str, depuis: date) -> list[int]:
    """Days from first dépôt to lease of the attributions of this EPCI and typologie."""
    a = attributions.c
    rows = await session.execute(
        sa.select(a.delai_jours).where(
            a.epci == epci, a.typologie == typologie, a.date_signature >= depuis
        )
    )
    return [int(r) for r in rows.scalars()]


async def oublier_compte(session: AsyncSession, compte_id: str) -> None:
    """identite deleted the account: its drafts, commands and attempts go, and its
    demandes are no longer shown to anyone (demandes detaches them too)."""
    siennes = sa.select(demandes.c.demande_id).where(demandes.c.compte_demandeur == compte_id)
    await session.execute(
        demandes_modifiables.delete().where(demandes_modifiables.c.demande_id.in_(siennes))
    )
    await session.execute(
        demandes.update()
        .where(demandes.c.compte_demandeur == compte_id)
        .values(compte_demandeur=None)
    )
    await session.execute(candidatures.delete().where(candidatures.c.compte == compte_id))
    await session.execute(commandes.delete().where(commandes.c.compte == compte_id))
    await session.execute(rattachements.delete().where(rattachements.c.compte_id == compte_id))
