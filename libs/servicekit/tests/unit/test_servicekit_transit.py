"""Documents in transit on the bus are encrypted: the archive of the bus holds ciphertext
only; an altered token or another key is refused; production needs its own key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from servicekit.settings import Settings
from servicekit.transit import (
    CleTransitManquante,
    PieceIllisible,
    chiffrer,
    dechiffrer,
    verifier_cle,
)

PDF = b"%PDF-1.4 une piece d'identite"


def test_servicekit_une_piece_en_transit_est_chiffree_et_se_dechiffre() -> None:
    settings = Settings(mode="test")
    jeton = chiffrer(PDF, settings)
    assert b"piece" not in jeton.encode() and PDF not in jeton.encode()
    assert dechiffrer(jeton, settings) == PDF


def test_servicekit_un_jeton_altere_ou_une_autre_cle_est_refuse() -> None:
    settings = Settings(mode="test")
    jeton = chiffrer(PDF, settings)
    with pytest.raises(PieceIllisible):
        dechiffrer(jeton[:-4] + "AAAA", settings)
    autre = Settings(mode="test", pieces_transit_cle=Fernet.generate_key().decode())
    with pytest.raises(PieceIllisible):
        dechiffrer(jeton, autre)


def test_servicekit_la_production_exige_sa_cle() -> None:
    with pytest.raises(CleTransitManquante, match="TOIT_PIECES_TRANSIT_CLE"):
        verifier_cle(Settings(mode="production"))
    cle = Fernet.generate_key().decode()
    production = Settings(mode="production", pieces_transit_cle=cle)
    verifier_cle(production)
    assert dechiffrer(chiffrer(PDF, production), production) == PDF
