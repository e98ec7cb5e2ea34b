"""Settings of the demandes service: servicekit's, plus its own (prefix TOIT_DEMANDES_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from servicekit.settings import Settings
from toit_demandes.adapters.stockage import ParametresStockage


class DemandesSettings(Settings):
    # Where the files of the pièces are kept: a local folder (default
    # <TOIT_DATA_DIR>/demandes-pieces) or an S3-compatible store.
    demandes_stockage: Literal["local", "s3"] = "local"
    demandes_stockage_dossier: Path | None = None
    demandes_s3_bucket: str | None = None
    demandes_s3_endpoint_url: str | None = None
    demandes_s3_region: str | None = None
    demandes_s3_access_key: str | None = None
    demandes_s3_secret_key: SecretStr | None = None
    demandes_s3_prefix: str = ""
    demandes_s3_path_style: bool = True
    demandes_s3_connect_timeout: float = 5.0
    demandes_s3_read_timeout: float = 30.0
    demandes_s3_max_attempts: int = 3

    def parametres_stockage(self) -> ParametresStockage:
        """The storage's parameters (checked: s3 needs a bucket, keys go in pairs)."""
        prefixe = "demandes_"
        return ParametresStockage(
            **{
                nom.removeprefix(prefixe): getattr(self, nom)
                for nom in type(self).model_fields
                if nom.startswith(prefixe)
            }
        )
