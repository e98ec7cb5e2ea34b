"""Cursors of the pull feed: opaque, bound to one subscription, signed.

A cursor says "after position P of subscription A". It is signed (HMAC) so that a partner
cannot forge one for another subscription; a cursor of another subscription is refused
(422), one older than the retention of the log is gone (410).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from toit_abonnements.domain.exceptions import CurseurExpire, CurseurInvalide

_SIGNATURE_BYTES = 12


@dataclass(frozen=True)
class Curseur:
    abonnement_id: str
    position: int


def _signature(cle: bytes, payload: bytes) -> bytes:
    return hmac.new(cle, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encoder(curseur: Curseur, cle: bytes) -> str:
    payload = f"{curseur.abonnement_id}:{curseur.position}".encode()
    raw = payload + b"." + _signature(cle, payload)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decoder(texte: str, cle: bytes) -> Curseur:
    try:
        raw = base64.urlsafe_b64decode(texte + "=" * (-len(texte) % 4))
        payload, signature = raw[: -_SIGNATURE_BYTES - 1], raw[-_SIGNATURE_BYTES:]
        if raw[-_SIGNATURE_BYTES - 1 : -_SIGNATURE_BYTES] != b".":
            raise ValueError
        if not hmac.compare_digest(signature, _signature(cle, payload)):
            raise ValueError
        abonnement_id, position = payload.decode().rsplit(":", 1)
        return Curseur(abonnement_id, int(position))
    except (ValueError, UnicodeDecodeError):
        raise CurseurInvalide(
            "Curseur illisible : reprenez le curseur renvoyé par le flux (curseur_suivant)"
        ) from None


def verifier(
    curseur: Curseur, abonnement_id: str, purge_jusqu_a: int, retention_jours: int
) -> None:
    """Refuse a cursor of another subscription (422) or out of retention (410)."""
    if curseur.abonnement_id != abonnement_id:
        raise CurseurInvalide("Ce curseur appartient à un autre abonnement")
    if curseur.position < purge_jusqu_a:
        raise CurseurExpire(
            f"Ce curseur est antérieur à la durée de conservation du journal "
            f"({retention_jours} jours) : les événements suivants ont été supprimés ; "
            "reprenez sans curseur pour repartir du plus ancien événement conservé"
        )
