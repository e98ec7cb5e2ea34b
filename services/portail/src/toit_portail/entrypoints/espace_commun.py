"""What the espace personnel's form pages share: the demande of the logged-in account
(404 otherwise) and the error summary of a form."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request
from starlette.exceptions import HTTPException
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_portail.entrypoints.pages_rattachement import compte_connecte
from toit_portail.service_layer import suivi


async def dossier_du_compte(
    ui: WebUI, runtime: ServiceRuntime, request: Request, demande_id: UUID
) -> suivi.Suivi:
    """The demande's suivi if it is the logged-in account's (404 otherwise)."""
    compte = await compte_connecte(ui, request)
    async with runtime.db.session() as session:
        trouve = await suivi.suivi(session, demande_id, compte)
    if trouve is None:
        raise HTTPException(404)
    return trouve


def resume(erreurs: dict[str, str], libelles: dict[str, str]) -> list[dict[str, str]]:
    """The summary at the top of a form: each field's error with its label."""
    return [
        {"champ": c, "message": m, "libelle": libelles.get(c, "")}
        for c, m in erreurs.items()
        if c != "__all__"
    ]
