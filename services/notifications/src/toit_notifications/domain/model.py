"""Notifications: types, channels, statuses and the rules that pick them.

A notification is one message for one recipient about one event. Its unique
key (event, recipient, type) makes it exist at most once; the SMTP Message-ID
is derived from that key, so a resend after a crash carries the same id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from toit_referentiel.calendrier import date_saisine_dalo


class Canal(StrEnum):
    EMAIL = "email"
    # Letter printed and posted (or handed over) by the guichet that registered the demande.
    COURRIER = "courrier"


class Statut(StrEnum):
    EN_ATTENTE = "en_attente"  # email not yet accepted by the SMTP server
    ENVOYEE = "envoyee"  # accepted by the SMTP server
    ECHEC = "echec"  # refused for good (5xx) or abandoned after the retry window
    A_EDITER = "a_editer"  # courrier waiting for the guichet to print it
    EDITEE = "editee"  # courrier printed by the guichet


@dataclass(frozen=True)
class Adresse:
    lignes: tuple[str, ...]


@dataclass(frozen=True)
class Destinataire:
    """Who receives the notification: an email address, a postal address, or both."""

    email: str | None
    nom_complet: str | None = None
    adresse: Adresse | None = None
    # The applicant asked to receive notices by post.
    courrier_papier: bool = False


def choisir_canal(destinataire: Destinataire) -> Canal:
    """Email when there is an address and post was not asked for; otherwise a courrier."""
    if destinataire.email and not destinataire.courrier_papier:
        return Canal.EMAIL
    return Canal.COURRIER


def canaux_preavis_renouvellement(destinataire: Destinataire, en_ligne: bool) -> tuple[Canal, ...]:
    """R441-2-7 CCH (primer §5.2): an applicant who never registered nor renewed online gets
    the renewal notice by post, plus email if an address is known; one who did gets it by
    email only, or by email and post when they asked for post. Without an email address,
    post is the only way."""
    if not destinataire.email:
        return (Canal.COURRIER,)
    if not en_ligne or destinataire.courrier_papier:
        return (Canal.COURRIER, Canal.EMAIL)
    return (Canal.EMAIL,)


def canaux_attestation(destinataire: Destinataire, depot_en_ligne: bool) -> tuple[Canal, ...]:
    """Attestation d'enregistrement or de renouvellement (L441-2-1, R441-2-4 CCH; primer §4.4
    and §13.2): it follows how this demande was filed. Filed online: emailed (no attestation,
    not registered), and by post as well when the applicant asked for post. Filed at a
    guichet: the printed attestation, handed over on the spot or posted to the address
    given (a courrier à éditer by the guichet), and a copy by email when an address is
    known. No email address: post only."""
    if not destinataire.email:
        return (Canal.COURRIER,)
    if depot_en_ligne:
        return (Canal.EMAIL, Canal.COURRIER) if destinataire.courrier_papier else (Canal.EMAIL,)
    return (Canal.COURRIER, Canal.EMAIL)


def canaux_code_rattachement(destinataire: Destinataire, en_ligne: bool) -> tuple[Canal, ...]:
    """The one-time code attaching a demande to a portal account goes to the email on file,
    and nowhere else (whoever holds that mailbox proves they are the household); without
    an address, nothing is sent (the household asks its guichet)."""
    return (Canal.EMAIL,) if destinataire.email else ()


def canaux_lettre_recommandee(destinataire: Destinataire, en_ligne: bool) -> tuple[Canal, ...]:
    """A notice that needs proof of delivery (préavis de radiation, R441-2-8 CCH): a
    registered letter the guichet prints and posts, always; a copy by email when an
    address is known (it informs sooner, it proves nothing)."""
    return (Canal.COURRIER, Canal.EMAIL) if destinataire.email else (Canal.COURRIER,)


@dataclass(frozen=True)
class Avis:
    """A notification to produce, decided from one event (before rendering)."""

    type: str
    destinataire: Destinataire
    canal: Canal
    # Values handed to the templates (and to the attestation PDF).
    contexte: dict[str, Any]
    demande_id: UUID | None = None
    departement: str | None = None
    guichet: str | None = None
    # An attestation PDF goes with the message (attached to the email, or the courrier itself).
    attestation: bool = False
    compte_id: UUID | None = None
    # The applicant's portal account: lets the demandeur read their own notifications.
    compte_demandeur: str | None = None

    def cle(self, event_id: str) -> str:
        """(event, recipient, type): the notification exists at most once for this key."""
        recipient = (
            (self.destinataire.email or "").lower() if self.canal is Canal.EMAIL else "poste"
        )
        return f"{event_id}|{self.type}|{self.canal}|{recipient}"


def cle_hash(cle: str) -> str:
    """A fixed-length digest of the unique key (the key holds an email address)."""
    return hashlib.sha256(cle.encode()).hexdigest()


def message_id(cle: str, domaine: str) -> str:
    """Deterministic RFC 5322 Message-ID: the same notification always has the same id."""
    return f"<{cle_hash(cle)[:40]}@{domaine}>"


def masquer_email(email: str | None) -> str | None:
    """c***@e***.org: enough for an agent to recognise an address, not to read it."""
    if not email:
        return None
    local, _, domain = email.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@***"


@dataclass(frozen=True)
class PolitiqueEnvoi:
    """Retry with exponential backoff while the SMTP server fails, up to an abandon delay."""

    delai_initial: timedelta = timedelta(seconds=5)
    delai_max: timedelta = timedelta(minutes=10)
    abandon_apres: timedelta = timedelta(days=3)

    def prochain_essai(self, tentatives: int, maintenant: datetime) -> datetime:
        exponent = min(max(tentatives - 1, 0), 30)
        delay = min(self.delai_initial * (1 << exponent), self.delai_max)
        return maintenant + delay

    def abandonner(self, creee_le: datetime, maintenant: datetime) -> bool:
        return maintenant - creee_le >= self.abandon_apres


def date_fr(value: date | datetime | None) -> str:
    """12 janvier 2026."""
    if value is None:
        return ""
    months = (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    )
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {months[value.month - 1]} {value.year}"


@dataclass(frozen=True)
class PieceInstruction:
    """One line of the annex of the attestation: a pièce needed for instruction."""

    libelle: str
    obligatoire: bool


@dataclass(frozen=True)
class DonneesAttestation:
    """Everything the attestation d'enregistrement (or de renouvellement) prints."""

    renouvellement: bool
    numero_unique: str
    departement: str
    date_depot_initial: date
    date_enregistrement: date | None
    date_dernier_renouvellement: date | None
    date_expiration: date | None
    guichet: str | None
    delai_anormalement_long_mois: int | None
    destinataire: Destinataire
    pieces: tuple[PieceInstruction, ...] = field(default_factory=tuple)
    # The délai is a placeholder of the referentiel, not the arrêté's figure: printed as
    # « délai indicatif : arrêté préfectoral à confirmer », never as fixed by the préfet.
    delai_provisoire: bool = False

    @property
    def date_saisine_dalo(self) -> date | None:
        """Date from which the applicant may seize the DALO commission (L441-1-4 CCH)."""
        if self.delai_anormalement_long_mois is None:
            return None
        return date_saisine_dalo(self.date_depot_initial, self.delai_anormalement_long_mois)


def masquer_nom(nom_complet: str | None) -> str | None:
    """Madame C*** E***: the civilité and initials only."""
    if not nom_complet:
        return None
    words = nom_complet.split()
    civilite = words[0] if words and words[0] in ("Madame", "Monsieur") else None
    names = words[1:] if civilite else words
    masked = " ".join(f"{w[:1]}***" for w in names)
    return f"{civilite} {masked}" if civilite else masked
