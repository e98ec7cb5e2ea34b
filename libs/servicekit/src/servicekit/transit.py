"""Documents in transit on the bus: the identity document the portail hands to demandes.

The bus is archived whole (the observatoire's stream is bound to `#`), so a document
never travels in clear: it is encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under
`TOIT_PIECES_TRANSIT_CLE`, a key only the portail and demandes hold. Outside production
a fixed development key is used; in production the key is required.

    jeton = chiffrer(contenu, settings)      # in the command
    contenu = dechiffrer(jeton, settings)    # raises PieceIllisible
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from servicekit.settings import Settings

_CLE_DEVELOPPEMENT = base64.urlsafe_b64encode(
    hashlib.sha256(b"toit-pieces-transit-developpement").digest()
)


class CleTransitManquante(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "TOIT_PIECES_TRANSIT_CLE est obligatoire en production (clé Fernet partagée par "
            "le portail et demandes : python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        )


class PieceIllisible(ValueError):
    """The ciphertext does not open with the key (altered, or another key)."""


def _fernet(settings: Settings) -> Fernet:
    if settings.pieces_transit_cle:
        return Fernet(settings.pieces_transit_cle.encode())
    if settings.mode == "production":
        raise CleTransitManquante()
    return Fernet(_CLE_DEVELOPPEMENT)


def verifier_cle(settings: Settings) -> None:
    """At start-up: a production service without the key stops there."""
    _fernet(settings)


def chiffrer(contenu: bytes, settings: Settings) -> str:
    return _fernet(settings).encrypt(contenu).decode("ascii")


def dechiffrer(jeton: str, settings: Settings) -> bytes:
    try:
        return _fernet(settings).decrypt(jeton.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise PieceIllisible("pièce illisible (chiffrement)") from exc
