"""The follow-up page of one demande of the logged-in account: avancement, position and
score per EPCI with the breakdown, average waiting time, pièces, historique — read from
the portail's own read model only (`Cache-Control: no-store` like every page)."""

from __future__ import annotations

from uuid import UUID

import toit_referentiel as referentiel
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_portail.entrypoints.pages_candidature import aujourd_hui
from toit_portail.entrypoints.pages_rattachement import compte_connecte
from toit_portail.service_layer import suivi


def libelle_piece(code: str) -> str:
    piece = referentiel.piece(code)
    return piece.libelle if piece else code


def nom_epci(siren: str) -> str:
    epci = referentiel.epci(siren)
    return epci.nom if epci else siren


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    router = ui.router()

    @router.get("/mon-espace/demande/{demande_id}")
    async def page(request: Request, demande_id: UUID) -> HTMLResponse:
        compte = await compte_connecte(ui, request)
        async with runtime.db.session() as session:
            vue = await suivi.suivi(session, demande_id, compte, aujourd_hui())
        if vue is None:
            raise HTTPException(404)
        return ui.render(
            request,
            "portail/suivi.html",
            {
                "titre": "Le suivi de ma demande",
                "suivi": vue,
                "libelle_piece": libelle_piece,
                "nom_epci": nom_epci,
            },
        )

    return router
