"""Notification preferences of a demande (email only, or email and post): the choice is
the demande's own field (`demandeur.courrier_papier`, which notifications follows for
every notice), so the page writes it through the demandes API with the applicant's
token (demandes stays the single writer; If-Match from a fresh read just before)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_portail.entrypoints.espace_commun import MERGE_PATCH, dossier_du_compte
from toit_portail.entrypoints.espace_commun import detail as _detail

CHOIX = [
    ("courriel", "Par courriel seulement (si ma demande indique une adresse électronique)"),
    ("courrier", "Par courriel et par courrier postal"),
]


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    router = ui.router()

    async def verifier(request: Request, demande_id: UUID) -> None:
        await dossier_du_compte(ui, runtime, request, demande_id)

    def page(
        request: Request, demande_id: UUID, ctx: dict[str, Any], status: int = 200
    ) -> Response:
        return ui.render(
            request,
            "portail/preferences.html",
            {"titre": "Comment recevoir mes avis", "demande_id": demande_id, "choix": CHOIX, **ctx},
            status_code=status,
        )

    @router.get("/mon-espace/demande/{demande_id}/preferences")
    async def formulaire(request: Request, demande_id: UUID) -> Response:
        await verifier(request, demande_id)
        return page(request, demande_id, {})

    @router.post("/mon-espace/demande/{demande_id}/preferences", response_model=None)
    async def enregistrer(
        request: Request, demande_id: UUID, canal: str = Form("", max_length=20)
    ) -> Response:
        await verifier(request, demande_id)
        if canal not in dict(CHOIX):
            erreurs = {"canal": "Choisissez comment recevoir vos avis"}
            resume = [{"champ": "canal", "message": erreurs["canal"], "libelle": "Avis"}]
            return page(request, demande_id, {"erreurs": erreurs, "resume": resume}, 400)
        api = await ui.gateway.api(request)
        chemin = f"/api/demandes/{demande_id}"
        lue = await api.get(chemin)
        reponse = lue
        if lue.status_code == 200:
            corps = {"demandeur": {"courrier_papier": canal == "courrier"}}
            reponse = await api.patch(
                chemin,
                content=json.dumps(corps),
                headers={"Content-Type": MERGE_PATCH, "If-Match": lue.headers.get("etag", "")},
            )
        if reponse.status_code == 200:
            ui.flash(
                request, "succes", "Votre choix est enregistré : il vaut pour vos prochains avis."
            )
            return ui.redirect(f"/mon-espace/demande/{demande_id}")
        message = (
            "Votre demande a été modifiée entre-temps : recommencez."
            if reponse.status_code == 412
            else _detail(reponse)
        )
        return page(request, demande_id, {"erreurs": {"__all__": message}, "canal": canal}, 409)

    return router
