"""Exports of results: every one recorded with who, what and when."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from toit_observatoire.adapters import fichiers, tables
from toit_observatoire.domain.listes import Utilisateur
from toit_observatoire.domain.resultats import Resultat


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


MEDIA = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.PDF: "application/pdf",
}


@dataclass(frozen=True)
class Fichier:
    contenu: bytes
    media: str
    nom: str


def _nom_fichier(titre: str, format: Format) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in titre)[:60] or "export"
    return f"{safe}.{format.value}"


async def exporter(
    conn: AsyncConnection,
    qui: Utilisateur,
    *,
    quoi: str,
    titre: str,
    format: Format,
    resultat: Resultat,
) -> Fichier:
    if format is Format.CSV:
        contenu = fichiers.csv_bytes(resultat)
    elif format is Format.XLSX:
        contenu = fichiers.xlsx_bytes(resultat, titre)
    else:
        contenu = fichiers.pdf_bytes(resultat, titre)
    await enregistrer(
        conn,
        qui,
        quoi=quoi,
        format=format.value,
        lignes=len(resultat.lignes),
        nominatif=resultat.nominatif,
    )
    return Fichier(contenu, MEDIA[format], _nom_fichier(titre, format))


async def enregistrer(
    conn: AsyncConnection,
    qui: Utilisateur,
    *,
    quoi: str,
    format: str,
    lignes: int,
    nominatif: bool = False,
) -> None:
    """Record one export (who, what, when)."""
    await conn.execute(
        tables.export.insert().values(
            id=uuid.uuid4(),
            qui=qui.sub,
            organisation=qui.organisation,
            roles=",".join(sorted(qui.roles))[:200],
            quoi=quoi[:200],
            format=format,
            lignes=lignes,
            nominatif=nominatif,
            quand=datetime.now(UTC),
        )
    )


async def journal(conn: AsyncConnection, limite: int) -> list[Any]:
    rows = await conn.execute(
        sa.select(tables.export).order_by(tables.export.c.quand.desc()).limit(limite)
    )
    return [dict(r) for r in rows.mappings().all()]
