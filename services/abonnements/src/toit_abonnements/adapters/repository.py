"""Reads and writes of the abonnements database (SQLAlchemy Core, PostgreSQL or SQLite)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from toit_abonnements.adapters.tables import (
    abonnement,
    journal,
    lettre_morte,
    livraison,
    organisation_identite,
    partenaire,
)
from toit_abonnements.domain.abonnements import (
    Abonnement,
    Mode,
    Partenaire,
    Perimetre,
    Statut,
)


def _fs(value: Any) -> frozenset[str]:
    return frozenset(value or ())


def partenaire_de(row: Any) -> Partenaire:
    return Partenaire(
        organisation_id=row.organisation_id,
        nom=row.nom,
        contact_email=row.contact_email,
        roles=_fs(row.roles),
        habilitation=Perimetre(_fs(row.departements), _fs(row.epcis), _fs(row.communes)),
        version=row.version,
    )


def abonnement_de(row: Any) -> Abonnement:
    return Abonnement(
        id=row.id,
        organisation_id=row.organisation_id,
        nom=row.nom,
        types=tuple(row.types),
        perimetre=Perimetre(_fs(row.departements), _fs(row.epcis), _fs(row.communes)),
        profil=row.profil,
        complements=tuple(row.complements),
        mode=Mode(row.mode),
        url=row.url,
        statut=Statut(row.statut),
        version=row.version,
    )


def _perimetre_colonnes(p: Perimetre) -> dict[str, list[str]]:
    return p.as_dict()


# --- Partners ---------------------------------------------------------------------------------


async def partenaire_par_id(session: AsyncSession, organisation_id: str) -> Any | None:
    result = await session.execute(
        sa.select(partenaire).where(partenaire.c.organisation_id == organisation_id)
    )
    return result.first()


async def partenaires(session: AsyncSession) -> Sequence[Any]:
    result = await session.execute(sa.select(partenaire).order_by(partenaire.c.nom))
    return result.all()


async def enregistrer_partenaire(
    session: AsyncSession, p: Partenaire, maintenant: datetime, *, nouveau: bool, demo: bool = False
) -> None:
    values = {
        "nom": p.nom,
        "contact_email": p.contact_email,
        "roles": sorted(p.roles),
        **_perimetre_colonnes(p.habilitation),
        "version": p.version,
    }
    if nouveau:
        await session.execute(
            partenaire.insert().values(
                organisation_id=p.organisation_id, cree_le=maintenant, demo=demo, **values
            )
        )
    else:
        await session.execute(
            partenaire.update()
            .where(partenaire.c.organisation_id == p.organisation_id)
            .values(**values)
        )


async def departements_identite(session: AsyncSession) -> dict[str, list[str]]:
    rows = await session.execute(
        sa.select(organisation_identite.c.organisation_id, organisation_identite.c.departements)
    )
    return {r.organisation_id: list(r.departements) for r in rows}


async def organisation_identite_de(session: AsyncSession, organisation_id: str) -> Any | None:
    query = sa.select(organisation_identite).where(
        organisation_identite.c.organisation_id == organisation_id
    )
    return (await session.execute(query)).first()


async def noter_organisation_identite(
    session: AsyncSession,
    organisation_id: str,
    nom: str,
    departements: list[str],
    version: int,
    maintenant: datetime,
) -> None:
    values = {"nom": nom, "departements": departements, "version": version, "recu_le": maintenant}
    if await organisation_identite_de(session, organisation_id) is None:
        await session.execute(
            organisation_identite.insert().values(organisation_id=organisation_id, **values)
        )
    else:
        await session.execute(
            organisation_identite.update()
            .where(organisation_identite.c.organisation_id == organisation_id)
            .where(organisation_identite.c.version < version)
            .values(**values)
        )


async def noter_amqp(session: AsyncSession, organisation_id: str, vhost: str, user: str) -> None:
    await session.execute(
        partenaire.update()
        .where(partenaire.c.organisation_id == organisation_id)
        .values(amqp_vhost=vhost, amqp_utilisateur=user)
    )


async def oublier_amqp(session: AsyncSession, organisation_id: str) -> None:
    await session.execute(
        partenaire.update()
        .where(partenaire.c.organisation_id == organisation_id)
        .values(amqp_vhost=None, amqp_utilisateur=None)
    )


# --- Subscriptions ----------------------------------------------------------------------------


async def abonnement_par_id(
    session: AsyncSession, abonnement_id: str, *, verrou: bool = False
) -> Any | None:
    query = sa.select(abonnement).where(abonnement.c.id == abonnement_id)
    if verrou:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def abonnements(session: AsyncSession, organisation_id: str | None = None) -> Sequence[Any]:
    query = sa.select(abonnement).order_by(abonnement.c.cree_le, abonnement.c.id)
    if organisation_id is not None:
        query = query.where(abonnement.c.organisation_id == organisation_id)
    return (await session.execute(query)).all()


async def abonnements_vivants(session: AsyncSession) -> list[Abonnement]:
    """Every subscription whose log still grows (active or paused, not revoked)."""
    result = await session.execute(
        sa.select(abonnement).where(abonnement.c.statut != Statut.REVOQUE.value)
    )
    return [abonnement_de(row) for row in result]


async def amqp_a_nettoyer(session: AsyncSession, abonnement_id: str | None = None) -> Sequence[Any]:
    """Revoked AMQP subscriptions whose broker objects are still there."""
    query = sa.select(abonnement).where(
        abonnement.c.mode == Mode.AMQP.value,
        abonnement.c.statut == Statut.REVOQUE.value,
        abonnement.c.amqp_nettoye_le.is_(None),
    )
    if abonnement_id is not None:
        query = query.where(abonnement.c.id == abonnement_id)
    return (await session.execute(query.order_by(abonnement.c.modifie_le))).all()


async def amqp_vivants(session: AsyncSession, organisation_id: str) -> int:
    """The partner's AMQP subscriptions not revoked (their vhost must stay)."""
    query = sa.select(sa.func.count()).where(
        abonnement.c.organisation_id == organisation_id,
        abonnement.c.mode == Mode.AMQP.value,
        abonnement.c.statut != Statut.REVOQUE.value,
    )
    return int((await session.execute(query)).scalar_one())


async def inserer_abonnement(
    session: AsyncSession, a: Abonnement, secret: str | None, maintenant: datetime
) -> None:
    await session.execute(
        abonnement.insert().values(
            id=a.id,
            organisation_id=a.organisation_id,
            nom=a.nom,
            types=list(a.types),
            profil=a.profil,
            complements=list(a.complements),
            **_perimetre_colonnes(a.perimetre),
            mode=a.mode.value,
            url=a.url,
            secret=secret,
            statut=a.statut.value,
            cree_le=maintenant,
            modifie_le=maintenant,
            version=a.version,
            position=0,
            purge_jusqu_a=0,
            livre_jusqu_a=0,
            echecs=0,
        )
    )


async def modifier_abonnement(
    session: AsyncSession, abonnement_id: str, maintenant: datetime, **values: Any
) -> None:
    await session.execute(
        abonnement.update()
        .where(abonnement.c.id == abonnement_id)
        .values(modifie_le=maintenant, version=abonnement.c.version + 1, **values)
    )


async def mettre_a_jour_abonnement(
    session: AsyncSession, abonnement_id: str, **values: Any
) -> None:
    """Delivery bookkeeping (no new version of the subscription itself)."""
    await session.execute(
        abonnement.update().where(abonnement.c.id == abonnement_id).values(**values)
    )


# --- The log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NouvelleEntree:
    abonnement_id: str
    event_id: str
    source_event_id: str
    type: str
    sujet: str | None
    enveloppe: str
    emis_le: datetime


async def reserver_positions(session: AsyncSession, compte: dict[str, int]) -> dict[str, int]:
    """Take `n` positions in each subscription's log; returns the first of each.

    The row lock held until commit serialises writers per subscription, so positions
    become visible in order: a reader never skips a position committed later."""
    premieres: dict[str, int] = {}
    for abonnement_id in sorted(compte):
        n = compte[abonnement_id]
        result = await session.execute(
            abonnement.update()
            .where(abonnement.c.id == abonnement_id)
            .values(position=abonnement.c.position + n)
            .returning(abonnement.c.position)
        )
        premieres[abonnement_id] = int(result.scalar_one()) - n + 1
    return premieres


async def ajouter_au_journal(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "postgresql"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(journal).on_conflict_do_nothing(index_elements=["abonnement_id", "source_event_id"]),
        rows,
    )


async def lire_journal(
    session: AsyncSession, abonnement_id: str, apres: int, limite: int
) -> Sequence[Any]:
    result = await session.execute(
        sa.select(journal.c.position, journal.c.event_id, journal.c.type, journal.c.enveloppe)
        .where(journal.c.abonnement_id == abonnement_id, journal.c.position > apres)
        .order_by(journal.c.position)
        .limit(limite)
    )
    return result.all()


async def entree(session: AsyncSession, abonnement_id: str, position: int) -> Any | None:
    result = await session.execute(
        sa.select(journal).where(
            journal.c.abonnement_id == abonnement_id, journal.c.position == position
        )
    )
    return result.first()


async def purger_journal(session: AsyncSession, avant: datetime) -> dict[str, int]:
    """Delete log entries created before `avant`; returns the highest purged per subscription."""
    result = await session.execute(
        sa.select(journal.c.abonnement_id, sa.func.max(journal.c.position))
        .where(journal.c.cree_le < avant)
        .group_by(journal.c.abonnement_id)
    )
    purges = {row[0]: int(row[1]) for row in result}
    for abonnement_id, position in purges.items():
        await session.execute(
            journal.delete().where(
                journal.c.abonnement_id == abonnement_id, journal.c.position <= position
            )
        )
        await session.execute(
            abonnement.update()
            .where(abonnement.c.id == abonnement_id)
            .values(
                purge_jusqu_a=sa.func.greatest(abonnement.c.purge_jusqu_a, position)
                if session.bind is not None and session.bind.dialect.name == "postgresql"
                else sa.func.max(abonnement.c.purge_jusqu_a, position)
            )
        )
    return purges


# --- Push delivery ----------------------------------------------------------------------------


async def reclamer(
    session: AsyncSession, maintenant: datetime, bail_jusqu_a: datetime, limite: int
) -> list[Any]:
    """Take a lease on push subscriptions with something due (replicas share the work)."""
    due = (
        sa.select(abonnement.c.id)
        .where(
            abonnement.c.mode.in_([m.value for m in (Mode.WEBHOOK, Mode.AMQP)]),
            abonnement.c.statut == Statut.ACTIF.value,
            sa.or_(abonnement.c.bail_jusqu_a.is_(None), abonnement.c.bail_jusqu_a < maintenant),
            sa.or_(
                abonnement.c.prochain_essai_le.is_(None),
                abonnement.c.prochain_essai_le <= maintenant,
            ),
            sa.or_(
                abonnement.c.position > abonnement.c.livre_jusqu_a,
                sa.exists().where(
                    lettre_morte.c.abonnement_id == abonnement.c.id,
                    lettre_morte.c.rejeu_demande_le.is_not(None),
                    lettre_morte.c.rejouee_le.is_(None),
                ),
            ),
        )
        .order_by(abonnement.c.prochain_essai_le.nulls_first(), abonnement.c.id)
        .limit(limite)
        .with_for_update(skip_locked=True)
    )
    ids = [row[0] for row in await session.execute(due)]
    if not ids:
        return []
    await session.execute(
        abonnement.update().where(abonnement.c.id.in_(ids)).values(bail_jusqu_a=bail_jusqu_a)
    )
    result = await session.execute(sa.select(abonnement).where(abonnement.c.id.in_(ids)))
    return list(result.all())


async def rejeux_en_attente(session: AsyncSession, abonnement_id: str) -> Sequence[Any]:
    result = await session.execute(
        sa.select(lettre_morte.c.id, journal.c.position, journal.c.event_id, journal.c.enveloppe)
        .join(
            journal,
            sa.and_(
                journal.c.abonnement_id == lettre_morte.c.abonnement_id,
                journal.c.position == lettre_morte.c.position,
            ),
        )
        .where(
            lettre_morte.c.abonnement_id == abonnement_id,
            lettre_morte.c.rejeu_demande_le.is_not(None),
            lettre_morte.c.rejouee_le.is_(None),
        )
        .order_by(lettre_morte.c.position)
    )
    return result.all()


async def noter_livraisons(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(livraison.insert(), rows)


async def livraisons(session: AsyncSession, abonnement_id: str, limite: int = 100) -> Sequence[Any]:
    result = await session.execute(
        sa.select(livraison)
        .where(livraison.c.abonnement_id == abonnement_id)
        .order_by(livraison.c.id.desc())
        .limit(limite)
    )
    return result.all()


async def sante(session: AsyncSession, abonnement_id: str, depuis: datetime) -> dict[str, int]:
    result = await session.execute(
        sa.select(livraison.c.statut, sa.func.count())
        .where(livraison.c.abonnement_id == abonnement_id, livraison.c.at >= depuis)
        .group_by(livraison.c.statut)
    )
    return {row[0]: int(row[1]) for row in result}


async def inserer_lettre_morte(
    session: AsyncSession,
    abonnement_id: str,
    position: int,
    event_id: str,
    type_: str,
    raison: str,
    maintenant: datetime,
) -> None:
    await session.execute(
        lettre_morte.insert().values(
            id=str(uuid.uuid4()),
            abonnement_id=abonnement_id,
            position=position,
            event_id=event_id,
            type=type_,
            raison=raison[:500],
            cree_le=maintenant,
        )
    )


async def lettres_mortes(session: AsyncSession, abonnement_id: str) -> Sequence[Any]:
    result = await session.execute(
        sa.select(lettre_morte)
        .where(lettre_morte.c.abonnement_id == abonnement_id)
        .order_by(lettre_morte.c.position)
    )
    return result.all()


async def demander_rejeu(
    session: AsyncSession, abonnement_id: str, ids: Sequence[str] | None, maintenant: datetime
) -> int:
    query = lettre_morte.update().where(
        lettre_morte.c.abonnement_id == abonnement_id, lettre_morte.c.rejouee_le.is_(None)
    )
    if ids is not None:
        query = query.where(lettre_morte.c.id.in_(list(ids)))
    result = await session.execute(query.values(rejeu_demande_le=maintenant))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def marquer_rejouees(session: AsyncSession, ids: Sequence[str], maintenant: datetime) -> None:
    if ids:
        await session.execute(
            lettre_morte.update()
            .where(lettre_morte.c.id.in_(list(ids)))
            .values(rejouee_le=maintenant)
        )


async def purger_livraisons(session: AsyncSession, avant: datetime) -> None:
    await session.execute(livraison.delete().where(livraison.c.at < avant))
