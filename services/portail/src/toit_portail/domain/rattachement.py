"""Attaching a demande made at a guichet to a portal account (pure rules).

The portail holds neither the applicant's date of birth nor their email: it asks
demandes to check the numéro unique and the date of birth (event
`portail.rattachement_demande`, carrying a one-time code); only if they match does
demandes have the code emailed to the address on file, and tell the portail which
demande the attempt is about (`demande.code_rattachement`). The portail does the same
work and gives the same answer whatever was typed, so its user never learns whether
a numéro exists: a wrong code and an unknown numéro are refused alike.

Limits (configuration of this module): a code is valid 15 minutes and allows 5
tries; an account may ask for 5 codes per hour, and a numéro (whoever types it)
3 per hour, so a code cannot be brute-forced (at most 15 guesses per hour among
10⁸ codes) nor the household's mailbox flooded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

VALIDITE = timedelta(minutes=15)
ESSAIS_MAX = 5
FENETRE = timedelta(hours=1)
CODES_PAR_COMPTE = 5
CODES_PAR_NUMERO = 3


def nouveau_code() -> str:
    """Eight random digits (secrets: a cryptographic generator)."""
    return f"{secrets.randbelow(10**8):08d}"


def empreinte(sel: bytes, texte: str) -> str:
    """Salted SHA-256 of a code or a numéro (neither is kept in clear)."""
    return hashlib.sha256(sel + texte.encode()).hexdigest()


def empreinte_numero(numero: str) -> str:
    """A numéro's fingerprint for the per-numéro limit (not salted: it is looked up)."""
    return hashlib.sha256(b"toit-rattachement:" + numero.encode()).hexdigest()


def limite_atteinte(codes_du_compte: int, codes_du_numero: int) -> bool:
    """True when a new code must be refused (counts within the last FENETRE)."""
    return codes_du_compte >= CODES_PAR_COMPTE or codes_du_numero >= CODES_PAR_NUMERO


@dataclass(frozen=True)
class Tentative:
    id: UUID
    compte_id: str
    sel: bytes
    code_empreinte: str
    cree_le: datetime
    expire_le: datetime
    essais: int = 0
    demande_id: UUID | None = None  # known once demandes has checked numéro and birth date
    confirmee_le: datetime | None = None


class Verdict(StrEnum):
    CONFIRMEE = "CONFIRMEE"
    REFUSEE = "REFUSEE"  # wrong code, unknown numéro or wrong date: the same answer
    EPUISEE = "EPUISEE"  # expired, too many tries or already used: ask for a new code


def verifier(tentative: Tentative, code: str, maintenant: datetime) -> Verdict:
    """The verdict on a typed code. The comparison runs in constant time, and runs even
    when demandes found nothing (no demande_id), so both cases take the same time."""
    if (
        tentative.confirmee_le is not None
        or maintenant >= tentative.expire_le
        or tentative.essais >= ESSAIS_MAX
    ):
        return Verdict.EPUISEE
    juste = hmac.compare_digest(empreinte(tentative.sel, code), tentative.code_empreinte)
    if juste and tentative.demande_id is not None:
        return Verdict.CONFIRMEE
    return Verdict.EPUISEE if tentative.essais + 1 >= ESSAIS_MAX else Verdict.REFUSEE
