"""SQL of the attribution chain: commissions, members, sessions, dossiers, ballots,
discussion, offers, attributions (tables in adapters/tables.py, migration 0005)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_matching.adapters.tables import (
    attributions,
    bulletins,
    commissions,
    demandes,
    designations,
    dossiers_caleol,
    membres_caleol,
    messages_dossier,
    offres,
    seances,
)

Row = dict[str, Any]


async def _un(session: AsyncSession, requete: Any) -> Row | None:
    row = (await session.execute(requete)).mappings().first()
    return dict(row) if row else None


async def _tous(session: AsyncSession, requete: Any) -> list[Row]:
    return [dict(r) for r in (await session.execute(requete)).mappings()]


async def _maj(session: AsyncSession, table: sa.Table, id_: UUID, version: int, **v: Any) -> bool:
    """Optimistic update: the row moves to version + 1 only if it is still at `version`."""
    resultat = await session.execute(
        table.update()
        .where(table.c.id == id_)
        .where(table.c.version == version)
        .values(**v, version=version + 1)
    )
    return bool(resultat.rowcount)  # type: ignore[attr-defined]


# --- commissions and members ------------------------------------------------------------------


async def inserer(session: AsyncSession, table: sa.Table, ligne: Row) -> None:
    await session.execute(table.insert().values(**ligne))


async def lire_commission(session: AsyncSession, commission_id: UUID) -> Row | None:
    return await _un(session, sa.select(commissions).where(commissions.c.id == commission_id))


async def lister_commissions(
    session: AsyncSession, *, bailleur_id: str | None, departements: Sequence[str], compte_id: str
) -> list[Row]:
    membre = sa.select(membres_caleol.c.commission_id).where(
        membres_caleol.c.compte_id == compte_id
    )
    condition: Any = commissions.c.id.in_(membre)
    if bailleur_id:
        condition = condition | (commissions.c.bailleur_id == bailleur_id)
    if departements:
        condition = condition | commissions.c.departement.in_(list(departements))
    return await _tous(session, sa.select(commissions).where(condition).order_by(commissions.c.nom))


async def membres(session: AsyncSession, commission_id: UUID) -> list[Row]:
    return await _tous(
        session,
        sa.select(membres_caleol)
        .where(membres_caleol.c.commission_id == commission_id)
        .order_by(membres_caleol.c.nom),
    )


# --- sessions and dossiers --------------------------------------------------------------------


async def lire_seance(session: AsyncSession, seance_id: UUID) -> Row | None:
    return await _un(session, sa.select(seances).where(seances.c.id == seance_id))


async def seances_de(session: AsyncSession, commission_id: UUID) -> list[Row]:
    return await _tous(
        session,
        sa.select(seances)
        .where(seances.c.commission_id == commission_id)
        .order_by(seances.c.date_seance.desc()),
    )


async def maj_seance(session: AsyncSession, seance_id: UUID, version: int, **v: Any) -> bool:
    return await _maj(session, seances, seance_id, version, **v)


async def dossiers_de(session: AsyncSession, seance_id: UUID) -> list[Row]:
    return await _tous(
        session,
        sa.select(dossiers_caleol)
        .where(dossiers_caleol.c.seance_id == seance_id)
        .order_by(dossiers_caleol.c.ordre),
    )


async def lire_dossier(session: AsyncSession, dossier_id: UUID) -> Row | None:
    return await _un(session, sa.select(dossiers_caleol).where(dossiers_caleol.c.id == dossier_id))


async def dossier_en_cours(session: AsyncSession, vacance_id: UUID) -> Row | None:
    """A dossier of this vacancy still open: not postponed (a postponed one may be put on a
    new agenda), and, once decided, with an offer still running (a decided dossier whose
    every rank refused gave the vacancy back to its réservataire)."""
    offre_vivante = (
        sa.select(offres.c.id)
        .where(offres.c.dossier_id == dossiers_caleol.c.id)
        .where(offres.c.statut.in_(("EMISE", "ACCEPTEE", "BAIL_SIGNE")))
        .exists()
    )
    return await _un(
        session,
        sa.select(dossiers_caleol)
        .where(dossiers_caleol.c.vacance_id == vacance_id)
        .where(dossiers_caleol.c.statut != "REPORTE")
        .where((dossiers_caleol.c.statut != "DECIDE") | offre_vivante),
    )


async def maj_dossier(session: AsyncSession, dossier_id: UUID, version: int, **v: Any) -> bool:
    return await _maj(session, dossiers_caleol, dossier_id, version, **v)


async def dossiers_vote_echu(session: AsyncSession, maintenant: Any) -> list[Row]:
    return await _tous(
        session,
        sa.select(dossiers_caleol)
        .where(dossiers_caleol.c.statut == "VOTE_OUVERT")
        .where(dossiers_caleol.c.vote_limite <= maintenant),
    )


# --- remote vote -------------------------------------------------------------------------------


async def bulletins_de(session: AsyncSession, dossier_id: UUID) -> list[Row]:
    return await _tous(session, sa.select(bulletins).where(bulletins.c.dossier_id == dossier_id))


async def ecrire_bulletin(session: AsyncSession, ligne: Row) -> None:
    existant = await _un(
        session,
        sa.select(bulletins.c.modifications)
        .where(bulletins.c.dossier_id == ligne["dossier_id"])
        .where(bulletins.c.membre_id == ligne["membre_id"])
        .with_for_update(),
    )
    if existant is None:
        await session.execute(bulletins.insert().values(**ligne, modifications=0))
        return
    await session.execute(
        bulletins.update()
        .where(bulletins.c.dossier_id == ligne["dossier_id"])
        .where(bulletins.c.membre_id == ligne["membre_id"])
        .values(
            choix=ligne["choix"],
            rangs=ligne["rangs"],
            commentaire=ligne["commentaire"],
            modifie_le=ligne["modifie_le"],
            modifications=existant["modifications"] + 1,
        )
    )


async def messages_de(session: AsyncSession, dossier_id: UUID) -> list[Row]:
    return await _tous(
        session,
        sa.select(messages_dossier, membres_caleol.c.nom, membres_caleol.c.qualite)
        .join(membres_caleol, membres_caleol.c.id == messages_dossier.c.membre_id)
        .where(messages_dossier.c.dossier_id == dossier_id)
        .order_by(messages_dossier.c.ecrit_le),
    )


# --- offers and attributions ------------------------------------------------------------------


async def statut_demande(session: AsyncSession, demande_id: UUID) -> str | None:
    row = await _un(
        session, sa.select(demandes.c.statut).where(demandes.c.demande_id == demande_id)
    )
    return None if row is None else str(row["statut"])


async def supprimer_designation(session: AsyncSession, vacance_id: UUID) -> None:
    """The designation is spent (every rank refused): the CALEOL dossier keeps its
    candidates and decisions; the réservataire designates anew."""
    await session.execute(designations.delete().where(designations.c.vacance_id == vacance_id))


async def refus_sur_vacance(session: AsyncSession, vacance_id: UUID) -> tuple[list[Row], list[Row]]:
    """What this unit already met: its refused offers (answer, silence or lapsed
    condition) and its decided CALEOL dossiers (their decisions), oldest first."""
    refusees = await _tous(
        session,
        sa.select(offres.c.demande_id, offres.c.date_reponse, offres.c.tacite)
        .where(offres.c.vacance_id == vacance_id, offres.c.statut == "REFUSEE")
        .order_by(offres.c.date_reponse),
    )
    decides = await _tous(
        session,
        sa.select(dossiers_caleol.c.decisions, dossiers_caleol.c.date_decision)
        .where(dossiers_caleol.c.vacance_id == vacance_id, dossiers_caleol.c.decisions.is_not(None))
        .order_by(dossiers_caleol.c.date_decision),
    )
    return refusees, decides


async def lire_offre(session: AsyncSession, offre_id: UUID) -> Row | None:
    return await _un(session, sa.select(offres).where(offres.c.id == offre_id))


async def offres_du_dossier(session: AsyncSession, dossier_id: UUID) -> list[Row]:
    return await _tous(
        session,
        sa.select(offres).where(offres.c.dossier_id == dossier_id).order_by(offres.c.rang),
    )


async def maj_offre(session: AsyncSession, offre_id: UUID, version: int, **v: Any) -> bool:
    return await _maj(session, offres, offre_id, version, **v)


async def offres_echues(session: AsyncSession, aujourd_hui: date) -> list[Row]:
    """Offers without an answer past their deadline, and accepted ones whose suspensive
    condition ran out."""
    return await _tous(
        session,
        sa.select(offres).where(
            ((offres.c.statut == "EMISE") & (offres.c.date_limite < aujourd_hui))
            | (
                offres.c.statut.in_(("EMISE", "ACCEPTEE"))
                & offres.c.date_limite_piece.is_not(None)
                & ~offres.c.piece_produite
                & (offres.c.date_limite_piece < aujourd_hui)
            )
        ),
    )


async def offres_a_rappeler(session: AsyncSession, jusqu_au: date) -> list[Row]:
    return await _tous(
        session,
        sa.select(offres)
        .where(offres.c.statut == "EMISE")
        .where(~offres.c.rappel_envoye)
        .where(offres.c.date_limite <= jusqu_au),
    )


async def marquer_rappel(session: AsyncSession, offre_id: UUID) -> None:
    await session.execute(offres.update().where(offres.c.id == offre_id).values(rappel_envoye=True))


async def offres_de(
    session: AsyncSession, bailleur_id: str | None, departements: Sequence[str]
) -> list[Row]:
    from toit_matching.adapters.tables import logements, vacances

    requete = (
        sa.select(
            offres,
            logements.c.rpls,
            logements.c.adresse,
            logements.c.commune,
            logements.c.typologie,
        )
        .join(vacances, vacances.c.id == offres.c.vacance_id)
        .join(logements, logements.c.id == vacances.c.logement_id)
        .order_by(offres.c.date_limite)
    )
    if bailleur_id is not None:
        requete = requete.where(vacances.c.bailleur_id == bailleur_id)
    else:
        requete = requete.where(vacances.c.departement.in_(list(departements)))
    return await _tous(session, requete.limit(500))


async def attributions_de(
    session: AsyncSession, bailleur_id: str | None, departements: Sequence[str], annee: int | None
) -> list[Row]:
    requete = sa.select(attributions).order_by(attributions.c.date_signature)
    if bailleur_id is not None:
        requete = requete.where(attributions.c.bailleur_id == bailleur_id)
    if annee is not None:
        requete = requete.where(
            attributions.c.date_signature.between(date(annee, 1, 1), date(annee, 12, 31))
        )
    lignes = await _tous(session, requete)
    if bailleur_id is None:
        lignes = [a for a in lignes if a["donnees"]["departement"] in departements]
    return lignes


async def dossiers_decides(
    session: AsyncSession, bailleur_id: str | None, departements: Sequence[str], depuis: date
) -> list[Row]:
    from toit_matching.adapters.tables import logements, vacances

    requete = (
        sa.select(
            dossiers_caleol.c.id,
            dossiers_caleol.c.decisions,
            dossiers_caleol.c.candidats,
            dossiers_caleol.c.date_decision,
            seances.c.reference,
            seances.c.mode,
            commissions.c.nom.label("commission"),
            vacances.c.bailleur_id,
            vacances.c.departement,
            logements.c.rpls,
            logements.c.commune,
            logements.c.typologie,
        )
        .join(seances, seances.c.id == dossiers_caleol.c.seance_id)
        .join(commissions, commissions.c.id == seances.c.commission_id)
        .join(vacances, vacances.c.id == dossiers_caleol.c.vacance_id)
        .join(logements, logements.c.id == vacances.c.logement_id)
        .where(dossiers_caleol.c.statut == "DECIDE")
        .where(dossiers_caleol.c.date_decision >= depuis)
        .order_by(dossiers_caleol.c.date_decision)
    )
    if bailleur_id is not None:
        requete = requete.where(vacances.c.bailleur_id == bailleur_id)
    else:
        requete = requete.where(vacances.c.departement.in_(list(departements)))
    return await _tous(session, requete)
