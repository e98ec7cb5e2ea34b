"""Pièces in an S3-compatible store: a real S3 HTTP server (moto's, in a thread) behind the
service configured with TOIT_DEMANDES_STOCKAGE=s3 — upload with the checksum as object
metadata, download checked against it, altered and missing objects refused, objects deleted
at purge, a store that does not answer."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from toit_demandes.adapters.stockage import (
    FichierAltere,
    FichierIntrouvable,
    ParametresStockage,
    StockageIndisponible,
    StockageS3,
    empreinte,
)
from toit_demandes.bootstrap import dependances
from toit_demandes.exemples import demande_exemple
from toit_demandes.service import service
from toit_referentiel import add_months as ajouter_mois

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory

from .conftest import PDF

REGION = "eu-west-3"
PREFIXE = "toit/demandes/"


@pytest.fixture(scope="module")
def serveur_s3() -> Iterator[str]:
    serveur = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    serveur.start()
    hote, port = serveur.get_host_and_port()
    yield f"http://{hote}:{port}"
    serveur.stop()


@pytest.fixture
def s3(serveur_s3: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=serveur_s3,
        region_name=REGION,
        aws_access_key_id="toit",
        aws_secret_access_key="secret-de-test",
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    nom = f"toit-pieces-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=nom, CreateBucketConfiguration={"LocationConstraint": REGION})
    return nom


@pytest.fixture
async def runtime(
    runtime_factory: RuntimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    serveur_s3: str,
    bucket: str,
) -> ServiceRuntime:
    for nom, valeur in {
        "STOCKAGE": "s3",
        "S3_ENDPOINT_URL": serveur_s3,
        "S3_BUCKET": bucket,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY": "toit",
        "S3_SECRET_KEY": "secret-de-test",
        "S3_PREFIX": PREFIXE,
    }.items():
        monkeypatch.setenv(f"TOIT_DEMANDES_{nom}", valeur)
    return await runtime_factory(service, data_dir=tmp_path)


async def deposer(client: httpx.AsyncClient, agent: dict[str, str], demande_id: str) -> Any:
    reponse = await client.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=agent,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert reponse.status_code == 201, reponse.text
    return reponse.json()


async def test_pieces_dans_un_stockage_s3(
    client: httpx.AsyncClient, agent: dict[str, str], s3: Any, bucket: str
) -> None:
    demande = (await client.post("/api/demandes", headers=agent, json=demande_exemple())).json()
    piece = await deposer(client, agent, demande["id"])
    assert piece["sha256"] == hashlib.sha256(PDF).hexdigest()

    cles = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert cles == [f"{PREFIXE}{demande['id']}/{piece['id']}.pdf"]
    objet = s3.get_object(Bucket=bucket, Key=cles[0])
    assert objet["Body"].read() == PDF
    assert objet["Metadata"] == {"sha256": piece["sha256"]}  # nothing else about the person

    url = f"/api/demandes/{demande['id']}/pieces/{piece['id']}/fichier"
    telechargee = await client.get(url, headers=agent)
    assert telechargee.status_code == 200
    assert telechargee.content == PDF
    assert telechargee.headers["digest"] == f"sha-256={piece['sha256']}"

    # Changed in the store, even with its metadata left as it was: refused, not served.
    s3.put_object(Bucket=bucket, Key=cles[0], Body=PDF + b"%", Metadata=objet["Metadata"])
    alteree = await client.get(url, headers=agent)
    assert alteree.status_code == 500
    assert "empreinte SHA-256 différente" in alteree.json()["detail"]
    assert PDF not in alteree.content

    s3.delete_object(Bucket=bucket, Key=cles[0])
    absente = await client.get(url, headers=agent)
    assert absente.status_code == 404
    assert absente.json()["detail"] == "Le fichier de cette pièce est introuvable"


async def test_purge_supprime_les_objets(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    gestionnaire: dict[str, str],
    s3: Any,
    bucket: str,
) -> None:
    depot = date(2025, 1, 15)
    abandonne = (
        await client.post(
            "/api/demandes",
            headers=gestionnaire,
            json=demande_exemple(date_depot=depot.isoformat()),
        )
    ).json()
    await deposer(client, agent, abandonne["id"])
    await deposer(client, agent, abandonne["id"])
    gardee = (await client.post("/api/demandes", headers=agent, json=demande_exemple())).json()
    await deposer(client, agent, gardee["id"])
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 3

    # A draft left for the retention period is purged with its files.
    await runtime.run_daily_jobs(ajouter_mois(depot, 12))
    restants = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert len(restants) == 1 and restants[0].startswith(f"{PREFIXE}{gardee['id']}/")
    assert (await client.get(f"/api/demandes/{abandonne['id']}", headers=agent)).status_code == 404


async def test_stockage_s3_injoignable(
    runtime: ServiceRuntime, client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    dependances(runtime).stockage = StockageS3(
        ParametresStockage(
            stockage="s3",
            s3_bucket="toit-pieces",
            s3_endpoint_url="http://127.0.0.1:9",  # nothing listens there
            s3_region=REGION,
            s3_access_key="toit",
            s3_secret_key="secret-de-test",  # type: ignore[arg-type]
            s3_max_attempts=1,
            s3_connect_timeout=1,
        )
    )
    demande = (await client.post("/api/demandes", headers=agent, json=demande_exemple())).json()
    reponse = await client.post(
        f"/api/demandes/{demande['id']}/pieces",
        headers=agent,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert reponse.status_code == 503
    assert reponse.headers["retry-after"] == "30"
    assert "ne répond pas" in reponse.json()["detail"]
    pieces = await client.get(f"/api/demandes/{demande['id']}/pieces", headers=agent)
    assert pieces.json() == []


async def test_adaptateur_s3(serveur_s3: str, s3: Any, bucket: str) -> None:
    stockage = StockageS3(
        ParametresStockage(
            stockage="s3",
            s3_bucket=bucket,
            s3_endpoint_url=serveur_s3,
            s3_region=REGION,
            s3_access_key="toit",
            s3_secret_key="secret-de-test",  # type: ignore[arg-type]
        )
    )
    sha256 = empreinte(PDF)
    await stockage.ecrire("d/p.pdf", PDF, sha256)
    assert await stockage.lire("d/p.pdf", sha256) == PDF
    # The checksum recorded with the pièce is the reference, whatever the object says.
    with pytest.raises(FichierAltere):
        await stockage.lire("d/p.pdf", empreinte(b"autre contenu"))
    s3.put_object(Bucket=bucket, Key="d/p.pdf", Body=PDF)  # metadata lost
    with pytest.raises(FichierAltere):
        await stockage.lire("d/p.pdf", sha256)
    await stockage.supprimer("d/p.pdf")
    await stockage.supprimer("d/p.pdf")  # already gone: nothing happens
    with pytest.raises(FichierIntrouvable):
        await stockage.lire("d/p.pdf", sha256)
    absent = StockageS3(
        ParametresStockage(
            stockage="s3",
            s3_bucket=f"{bucket}-absent",
            s3_endpoint_url=serveur_s3,
            s3_region=REGION,
            s3_access_key="toit",
            s3_secret_key="secret-de-test",  # type: ignore[arg-type]
        )
    )
    with pytest.raises(StockageIndisponible, match="NoSuchBucket"):
        await absent.ecrire("d/p.pdf", PDF, sha256)
