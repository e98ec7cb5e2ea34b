"""Use cases: record the notifications an event calls for, deliver the emails, serve them.

Recording happens in the consumer's transaction (with its inbox row), so an
event yields its notifications exactly once. Delivery is separate: a sender
loop claims a batch of due emails (a lease), hands them to the SMTP server
outside any transaction, then records the outcome of the batch in one
transaction. The only duplicate window is a crash after the server accepted
a message and before its batch was recorded: once the lease runs out the
message goes again, with the same Message-ID (which receiving servers and
clients use to drop the copy).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
import toit_referentiel as referentiel

from servicekit.uow import UnitOfWork
from toit_contracts import CloudEvent, IntegrationEvent
from toit_notifications.adapters import repository
from toit_notifications.adapters.gabarits import Gabarits
from toit_notifications.adapters.pdf import attestation_pdf, courrier_pdf
from toit_notifications.adapters.smtp import (
    Courrielleur,
    EchecDefinitif,
    EchecTemporaire,
    PieceJointe,
    build_message,
)
from toit_notifications.domain.declencheurs import PAR_EVENEMENT
from toit_notifications.domain.model import (
    Avis,
    Canal,
    DonneesAttestation,
    PieceInstruction,
    PolitiqueEnvoi,
    Statut,
    cle_hash,
    message_id,
)

log = structlog.get_logger(__name__)

_PHASES_INSTRUCTION = {
    referentiel.PhasePiece.INSTRUCTION_OBLIGATOIRE: True,
    referentiel.PhasePiece.COMPLEMENTAIRE: False,
}


def pieces_instruction() -> tuple[PieceInstruction, ...]:
    return tuple(
        PieceInstruction(libelle=p.libelle, obligatoire=_PHASES_INSTRUCTION[p.phase])
        for p in referentiel.pieces_catalogue()
        if p.phase in _PHASES_INSTRUCTION
    )


def delai_anormalement_long(
    departement: str, typologies: list[str]
) -> referentiel.DelaiAnormalementLong | None:
    """The DAL of the typologies asked for (libs/referentiel's one rule: the shortest)."""
    try:
        return referentiel.delai_des_typologies(departement, typologies)
    except referentiel.DonneeIndisponible:
        return None


def donnees_attestation(avis: Avis, guichet: str | None) -> DonneesAttestation:
    snapshot = avis.contexte["snapshot"]
    typologies = [str(t) for t in snapshot.logement_recherche.typologies]
    delai = delai_anormalement_long(avis.departement or "", typologies)
    return DonneesAttestation(
        renouvellement=avis.type == "attestation_renouvellement",
        numero_unique=avis.contexte["numero_unique"],
        departement=avis.departement or "",
        date_depot_initial=snapshot.date_depot_initial,
        date_enregistrement=snapshot.date_enregistrement,
        date_dernier_renouvellement=snapshot.date_dernier_renouvellement,
        date_expiration=snapshot.date_expiration,
        guichet=guichet,
        delai_anormalement_long_mois=delai.mois if delai else None,
        destinataire=avis.destinataire,
        pieces=pieces_instruction(),
        delai_provisoire=delai.provisoire if delai else False,
    )


def _pdf(
    avis: Avis, guichet: str | None, sujet: str, texte: str, jour: date
) -> tuple[str, bytes] | None:
    """The attestation (attached, or printed), or the printed letter of a courrier."""
    numero = avis.contexte.get("numero_unique") or "demande"
    if avis.attestation:
        return f"attestation-{numero}.pdf", attestation_pdf(
            donnees_attestation(avis, guichet), jour
        )
    if avis.canal is Canal.COURRIER:
        return f"{avis.type}-{numero}.pdf", courrier_pdf(avis.destinataire, sujet, texte, jour)
    return None


def _row(
    avis: Avis,
    envelope: CloudEvent,
    gabarits: Gabarits,
    domaine: str,
    maintenant: datetime,
) -> dict[str, Any]:
    cle = avis.cle(envelope.id)
    rendu = gabarits.rendre(avis.type, {**avis.contexte, "canal": avis.canal.value})
    pdf = _pdf(avis, avis.guichet, rendu.sujet, rendu.texte, maintenant.date())
    adresse = avis.destinataire.adresse
    email = avis.canal is Canal.EMAIL
    return {
        "id": uuid.uuid4(),
        "cle": cle_hash(cle),
        "event_id": envelope.id,
        "event_type": envelope.type,
        "type": avis.type,
        "version_gabarit": rendu.version,
        "canal": avis.canal.value,
        "statut": (Statut.EN_ATTENTE if email else Statut.A_EDITER).value,
        "demande_id": avis.demande_id,
        "compte_id": avis.compte_id,
        "departement": avis.departement,
        "guichet": avis.guichet,
        "compte_demandeur": avis.compte_demandeur,
        "numero_unique": avis.contexte.get("numero_unique"),
        "destinataire_email": avis.destinataire.email if email else None,
        "destinataire_nom": avis.destinataire.nom_complet,
        "destinataire_adresse": "\n".join(adresse.lignes) if adresse else None,
        "sujet": rendu.sujet,
        "texte": rendu.texte,
        "html": rendu.html,
        "pdf_nom": pdf[0] if pdf else None,
        "pdf": pdf[1] if pdf else None,
        "message_id": message_id(cle, domaine),
        "tentatives": 0,
        "prochain_essai": maintenant if email else None,
        "creee_le": maintenant,
        "echeance": echeance_attestation(avis),
    }


def echeance_attestation(avis: Avis) -> date | None:
    """The attestation d'enregistrement is due one month after the dépôt (L441-2-1 CCH;
    `attestation.delai_mois` of the referentiel)."""
    if avis.type != "attestation_enregistrement":
        return None
    depot_initial = avis.contexte["snapshot"].date_depot_initial
    return referentiel.add_months(
        depot_initial, referentiel.lifecycle_config().attestation_delai_mois
    )


async def enregistrer_notifications(
    uow: UnitOfWork,
    envelope: CloudEvent,
    event: IntegrationEvent,
    gabarits: Gabarits,
    domaine: str,
    maintenant: datetime | None = None,
) -> int:
    """Record the notifications the event calls for (in the caller's transaction)."""
    maintenant = maintenant or datetime.now(UTC)
    session = uow.session
    tous = PAR_EVENEMENT[event.event_type].avis(event)
    existantes = await repository.cles_existantes(
        session, [cle_hash(a.cle(envelope.id)) for a in tous]
    )
    rows = []
    for avis in tous:
        if cle_hash(avis.cle(envelope.id)) in existantes:
            continue
        rows.append(_row(avis, envelope, gabarits, domaine, maintenant))
    await repository.ajouter(session, rows)
    for row in rows:
        log.info(
            "notification.enregistree",
            notification_id=str(row["id"]),
            type=row["type"],
            canal=row["canal"],
            version_gabarit=row["version_gabarit"],
        )
    return len(rows)


async def purger_demande(uow: UnitOfWork, demande_id: UUID) -> None:
    """demande.purgee: the letters and emails of the demande go with its personal data."""
    count = await repository.purger_demande(uow.session, demande_id)
    log.info("notification.purgees", demande_id=str(demande_id), nombre=count)


@dataclass
class Expedition:
    """What the sender needs: the SMTP connection pool and the retry policy."""

    courrielleur: Courrielleur
    politique: PolitiqueEnvoi
    expediteur: str
    taille_lot: int = 100
    # An email claimed by a sender is not claimed again before this delay.
    bail: timedelta = timedelta(minutes=2)


async def envoyer_lot(
    unit_of_work: Callable[[], UnitOfWork],
    expedition: Expedition,
    maintenant: datetime | None = None,
) -> int:
    """Send the emails that are due; returns how many were tried."""
    maintenant = maintenant or datetime.now(UTC)
    async with unit_of_work() as uow:
        dues = await repository.reserver_emails_dus(
            uow.session, maintenant, expedition.taille_lot, maintenant + expedition.bail
        )
        await uow.commit()
    if not dues:
        return 0
    results = await asyncio.gather(*(_envoyer(expedition, row) for row in dues))
    # One commit for the batch: a commit per message would cap the rate at the
    # database's fsync rate; the price is a wider duplicate window (one batch).
    async with unit_of_work() as uow:
        for id_, values in results:
            await repository.mettre_a_jour_envoi(uow.session, id_, **values)
        await uow.commit()
    return len(dues)


async def _envoyer(expedition: Expedition, row: repository.Row) -> tuple[UUID, dict[str, Any]]:
    """Hand one email to the server; returns the changes to record."""
    pieces = (PieceJointe(row["pdf_nom"], row["pdf"]),) if row["pdf"] else ()
    message = build_message(
        expediteur=expedition.expediteur,
        destinataire=row["destinataire_email"],
        sujet=row["sujet"],
        texte=row["texte"],
        html=row["html"],
        message_id=row["message_id"],
        pieces_jointes=pieces,
    )
    tentatives = int(row["tentatives"]) + 1
    context = {"notification_id": str(row["id"]), "type": row["type"], "tentative": tentatives}
    values: dict[str, Any]
    try:
        reference = await expedition.courrielleur.envoyer(message)
    except EchecDefinitif as exc:
        values = {
            "statut": Statut.ECHEC,
            "prochain_essai": None,
            "derniere_erreur": f"refus définitif du serveur (code {exc.code})",
        }
        log.warning("notification.refusee", code=exc.code, **context)
    except EchecTemporaire as exc:
        now = datetime.now(UTC)
        creee_le = _aware(row["creee_le"])
        if expedition.politique.abandonner(creee_le, now):
            values = {
                "statut": Statut.ECHEC,
                "prochain_essai": None,
                "derniere_erreur": f"abandon après {tentatives} tentatives ({exc})",
            }
            log.error("notification.abandonnee", erreur=str(exc), **context)
        else:
            values = {
                "prochain_essai": expedition.politique.prochain_essai(tentatives, now),
                "derniere_erreur": f"serveur indisponible ({exc})"[:300],
            }
            log.info("notification.report", erreur=str(exc), **context)
    else:
        values = {
            "statut": Statut.ENVOYEE,
            "envoyee_le": datetime.now(UTC),
            "reference_serveur": reference,
            "prochain_essai": None,
            "derniere_erreur": None,
        }
        log.info("notification.envoyee", **context)
    return row["id"], values


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
