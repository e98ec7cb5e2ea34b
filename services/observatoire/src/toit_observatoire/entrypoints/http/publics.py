"""Public key figures (for the portail) and the journal of exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Depends, HTTPException, Query, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from servicekit.auth import Principal, departement_of_commune, public, require
from toit_observatoire.entrypoints.http.commun import (
    connexion,
    nouveau_router,
)
from toit_observatoire.service_layer import (
    chiffres_cles,
    exports,
)

router = nouveau_router()

# --- Public key figures, journal of exports -----------------------------------------------


@router.get(
    "/chiffres-cles",
    summary="Chiffres clés publics d'une commune (par typologie), pour le portail",
    dependencies=[Depends(public("chiffres clés publics, secret statistique appliqué"))],
)
async def chiffres_cles_commune(
    response: Response,
    commune: str = Query(pattern=r"^(\d{5}|2[AB]\d{3})$", description="Code INSEE"),
    conn: AsyncConnection = Depends(connexion),
) -> dict[str, Any]:
    publication = await chiffres_cles.derniers(conn, departement_of_commune(commune))
    figures = [c for c in (publication or {}).get("chiffres", []) if c["commune"] == commune]
    if publication is None or not figures:
        raise HTTPException(status_code=404, detail="Aucun chiffre clé publié pour cette commune")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return {
        "commune": commune,
        "publie_le": publication["publie_le"],
        "date_reference": publication["date_reference"],
        "annee_attributions": publication["annee_attributions"],
        "seuil_secret": publication["seuil_secret"],
        "chiffres": figures,
    }


class ExportOut(BaseModel):
    qui: str
    organisation: str | None
    roles: str
    quoi: str
    format: str
    lignes: int
    nominatif: bool
    quand: datetime


@router.get(
    "/exports", response_model=list[ExportOut], summary="Journal des exports (qui, quoi, quand)"
)
async def journal_exports(
    limite: int = Query(default=100, ge=1, le=1000),
    _: Principal = Depends(require("trace.consulter")),
    conn: AsyncConnection = Depends(connexion),
) -> list[ExportOut]:
    return [ExportOut.model_validate(r) for r in await exports.journal(conn, limite)]
