"""The local store of the pièces' files checks their SHA-256; the settings pick the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from toit_demandes.adapters.stockage import (
    FichierAltere,
    FichierIntrouvable,
    StockageLocal,
    StockageS3,
    empreinte,
    stockage_configure,
)
from toit_demandes.settings import DemandesSettings

PDF = b"%PDF-1.4\n% test\n%%EOF\n"


async def test_stockage_local_verifie_l_empreinte(tmp_path: Path) -> None:
    stockage = StockageLocal(tmp_path)
    await stockage.ecrire("d/p.pdf", PDF, empreinte(PDF))
    assert await stockage.lire("d/p.pdf", empreinte(PDF)) == PDF

    (tmp_path / "d" / "p.pdf").write_bytes(PDF + b"modifie")
    with pytest.raises(FichierAltere):
        await stockage.lire("d/p.pdf", empreinte(PDF))

    await stockage.supprimer("d/p.pdf")
    await stockage.supprimer("d/p.pdf")  # already gone: nothing happens
    with pytest.raises(FichierIntrouvable):
        await stockage.lire("d/p.pdf", empreinte(PDF))
    with pytest.raises(ValueError, match="clé de stockage invalide"):
        await stockage.lire("../ailleurs.pdf", empreinte(PDF))


def test_parametres_choisissent_le_stockage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for nom in ("STOCKAGE", "STOCKAGE_DOSSIER", "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY"):
        monkeypatch.delenv(f"TOIT_DEMANDES_{nom}", raising=False)
    local = stockage_configure(DemandesSettings().parametres_stockage(), tmp_path)
    assert isinstance(local, StockageLocal) and local.racine == tmp_path / "demandes-pieces"

    monkeypatch.setenv("TOIT_DEMANDES_STOCKAGE", "s3")
    with pytest.raises(ValidationError, match="TOIT_DEMANDES_S3_BUCKET"):
        DemandesSettings().parametres_stockage()
    monkeypatch.setenv("TOIT_DEMANDES_S3_BUCKET", "toit-pieces")
    monkeypatch.setenv("TOIT_DEMANDES_S3_PREFIX", "/demandes/")
    s3 = stockage_configure(DemandesSettings().parametres_stockage(), tmp_path)
    assert isinstance(s3, StockageS3)
    assert (s3.bucket, s3.prefixe) == ("toit-pieces", "demandes/")
    monkeypatch.setenv("TOIT_DEMANDES_S3_ACCESS_KEY", "cle")
    with pytest.raises(ValidationError, match="vont ensemble"):
        DemandesSettings().parametres_stockage()
