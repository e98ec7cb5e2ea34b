"""Where the files of the pièces live: outside the database, behind a small interface.

A local folder by default (<data dir>/demandes-pieces), or an S3-compatible object store
(AWS S3, MinIO, Ceph RGW, Garage, OVHcloud, Scaleway...) when configured:

    TOIT_DEMANDES_STOCKAGE=s3
    TOIT_DEMANDES_S3_BUCKET=toit-pieces
    TOIT_DEMANDES_S3_ENDPOINT_URL=https://s3.example.org   # absent: AWS
    TOIT_DEMANDES_S3_REGION=eu-west-3
    TOIT_DEMANDES_S3_ACCESS_KEY=...  TOIT_DEMANDES_S3_SECRET_KEY=...  # absent: AWS chain
    TOIT_DEMANDES_S3_PREFIX=demandes/                      # optional
    TOIT_DEMANDES_S3_PATH_STYLE=true                       # bucket in the path (MinIO...)

Every file is written with its SHA-256, recorded with the pièce, and checked on every read:
a file changed or damaged in the store is refused (`FichierAltere`), never served. On S3
the checksum also travels as object metadata (x-amz-meta-sha256) and the upload carries
Content-MD5, so the store itself refuses a body damaged on the way.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path
from typing import Any, Literal, Protocol, Self

from pydantic import BaseModel, SecretStr, model_validator

from servicekit import exceptions as refus


class FichierIntrouvable(refus.Perdu):
    """No file under this key (the pièce row exists: logged as an error, answered 404)."""

    journal = "demandes.piece_sans_fichier"
    message = "Le fichier de cette pièce est introuvable"


class FichierAltere(refus.Incident):
    """The stored file does not match the checksum recorded when it was deposited: never
    served (500), the team is warned through the error log."""

    journal = "demandes.piece_alteree"
    message = (
        "Le fichier de cette pièce ne correspond plus à celui déposé "
        "(empreinte SHA-256 différente) : il n'est pas transmis, l'équipe est prévenue"
    )


class StockageIndisponible(refus.Indisponible):
    """The store did not answer, or refused the operation (503, Retry-After)."""

    journal = "demandes.stockage_indisponible"
    message = "Le stockage des pièces ne répond pas : réessayez dans quelques instants"


class Stockage(Protocol):
    async def ecrire(self, cle: str, contenu: bytes, sha256: str) -> None: ...

    async def lire(self, cle: str, sha256: str) -> bytes:
        """The file, checked against `sha256`; FichierIntrouvable, FichierAltere."""
        ...

    async def supprimer(self, cle: str) -> None:
        """Removes the file; nothing happens if it is already gone."""
        ...


def empreinte(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def _verifier(cle: str, contenu: bytes, sha256: str) -> bytes:
    if empreinte(contenu) != sha256:
        raise FichierAltere(cle)
    return contenu


class StockageLocal:
    """A folder; keys are generated, never user input."""

    def __init__(self, racine: Path) -> None:
        self.racine = racine

    def _chemin(self, cle: str) -> Path:
        chemin = (self.racine / cle).resolve()
        if self.racine.resolve() not in chemin.parents:
            raise ValueError("clé de stockage invalide")
        return chemin

    async def ecrire(self, cle: str, contenu: bytes, sha256: str) -> None:
        chemin = self._chemin(cle)

        def ecrire() -> None:
            chemin.parent.mkdir(parents=True, exist_ok=True)
            temporaire = chemin.with_suffix(".part")
            temporaire.write_bytes(contenu)
            temporaire.replace(chemin)

        await asyncio.to_thread(ecrire)

    async def lire(self, cle: str, sha256: str) -> bytes:
        try:
            contenu = await asyncio.to_thread(self._chemin(cle).read_bytes)
        except FileNotFoundError:
            raise FichierIntrouvable(cle) from None
        return _verifier(cle, contenu, sha256)

    async def supprimer(self, cle: str) -> None:
        await asyncio.to_thread(self._chemin(cle).unlink, True)


class ParametresStockage(BaseModel):
    """Where the demandes service keeps the files of the pièces (read from TOIT_DEMANDES_*
    by `DemandesSettings.parametres_stockage`)."""

    stockage: Literal["local", "s3"] = "local"
    # Local: the folder (default <TOIT_DATA_DIR>/demandes-pieces).
    stockage_dossier: Path | None = None
    # S3-compatible store.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    s3_prefix: str = ""
    s3_path_style: bool = True
    s3_connect_timeout: float = 5.0
    s3_read_timeout: float = 30.0
    s3_max_attempts: int = 3

    @model_validator(mode="after")
    def _complets(self) -> Self:
        if self.stockage == "s3" and not self.s3_bucket:
            raise ValueError("TOIT_DEMANDES_STOCKAGE=s3 demande TOIT_DEMANDES_S3_BUCKET")
        if (self.s3_access_key is None) != (self.s3_secret_key is None):
            raise ValueError(
                "TOIT_DEMANDES_S3_ACCESS_KEY et TOIT_DEMANDES_S3_SECRET_KEY vont ensemble"
            )
        return self


class StockageS3:
    """An S3-compatible bucket, through boto3 (its blocking calls run in threads; a boto3
    client is thread-safe). Keys are `prefix + key`."""

    def __init__(self, parametres: ParametresStockage) -> None:
        assert parametres.s3_bucket is not None
        self.bucket = parametres.s3_bucket
        prefixe = parametres.s3_prefix.strip("/")
        self.prefixe = f"{prefixe}/" if prefixe else ""
        self._parametres = parametres
        self._client: Any = None
        self._verrou = asyncio.Lock()

    def _nouveau_client(self) -> Any:
        import boto3
        from botocore.config import Config

        p = self._parametres
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if p.s3_path_style else "auto"},
            connect_timeout=p.s3_connect_timeout,
            read_timeout=p.s3_read_timeout,
            retries={"max_attempts": p.s3_max_attempts, "mode": "standard"},
            max_pool_connections=20,
            # Recent botocore adds CRC checksums (and chunked uploads) that several
            # S3-compatible stores refuse; the SHA-256 and Content-MD5 are ours.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        return boto3.session.Session().client(
            "s3",
            endpoint_url=p.s3_endpoint_url,
            region_name=p.s3_region,
            aws_access_key_id=p.s3_access_key,
            aws_secret_access_key=(p.s3_secret_key.get_secret_value() if p.s3_secret_key else None),
            config=config,
        )

    async def _appeler(self, operation: str, **arguments: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        if self._client is None:
            async with self._verrou:
                if self._client is None:
                    # Loading the S3 service model takes a while: not on the event loop.
                    self._client = await asyncio.to_thread(self._nouveau_client)
        try:
            return await asyncio.to_thread(getattr(self._client, operation), **arguments)
        except ClientError as exc:
            erreur = exc.response.get("Error", {})
            if erreur.get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise FichierIntrouvable(arguments.get("Key", "")) from None
            raise StockageIndisponible(f"{operation} : {erreur.get('Code')}") from exc
        except BotoCoreError as exc:
            raise StockageIndisponible(f"{operation} : {type(exc).__name__}") from exc

    async def ecrire(self, cle: str, contenu: bytes, sha256: str) -> None:
        await self._appeler(
            "put_object",
            Bucket=self.bucket,
            Key=self.prefixe + cle,
            Body=contenu,
            ContentMD5=base64.b64encode(
                hashlib.md5(contenu, usedforsecurity=False).digest()
            ).decode(),
            Metadata={"sha256": sha256},
        )

    async def lire(self, cle: str, sha256: str) -> bytes:
        reponse = await self._appeler("get_object", Bucket=self.bucket, Key=self.prefixe + cle)
        contenu: bytes = await asyncio.to_thread(reponse["Body"].read)
        # Both the checksum stored with the object and the one recorded with the pièce.
        if reponse.get("Metadata", {}).get("sha256") != sha256:
            raise FichierAltere(cle)
        return _verifier(cle, contenu, sha256)

    async def supprimer(self, cle: str) -> None:
        await self._appeler("delete_object", Bucket=self.bucket, Key=self.prefixe + cle)


def stockage_configure(parametres: ParametresStockage, data_dir: Path) -> Stockage:
    """The store the settings name: the local folder unless TOIT_DEMANDES_STOCKAGE=s3."""
    if parametres.stockage == "s3":
        return StockageS3(parametres)
    return StockageLocal(parametres.stockage_dossier or data_dir / "demandes-pieces")
