"""Public pages of each département's portal: home, key figures, questions, guichets.

`/<code>/…` (e.g. `/35/chiffres-cles`); the installation's default portal is also at
`/` (web.py). Nothing personal here: key figures come from the observatoire's public
event kept in the portail's database, the rest from configuration."""

from __future__ import annotations

import math
from typing import Any

import toit_referentiel as referentiel
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_portail.domain.chiffres_cles import lignes
from toit_portail.domain.departements import Portail, Portails, guichets_proches
from toit_portail.service_layer import chiffres_cles

PAR_PAGE = 50


def nom_commune(insee: str) -> str:
    commune = referentiel.commune(insee)
    return commune.nom if commune else insee


def _epci_de(insee: str) -> str | None:
    commune = referentiel.commune(insee)
    return commune.epci_siren if commune else None


def routes(ui: WebUI, runtime: ServiceRuntime, portails: Portails) -> APIRouter:
    router = ui.router()

    def portail_de(code: str) -> Portail:
        portail = portails.get(code)
        if portail is None:
            raise HTTPException(404)
        return portail

    def page(
        request: Request, portail: Portail, template: str, ctx: dict[str, Any]
    ) -> HTMLResponse:
        return ui.render(
            request,
            template,
            {"departement": portail, "portails": portails.liste(), **ctx},
        )

    @router.get("/{code}/")
    async def accueil(request: Request, code: str) -> HTMLResponse:
        portail = portail_de(code)
        return page(request, portail, "portail/accueil.html", {"titre": f"Accueil — {portail.nom}"})

    @router.get("/{code}/questions")
    async def questions(request: Request, code: str) -> HTMLResponse:
        portail = portail_de(code)
        return page(
            request,
            portail,
            "portail/departement/questions.html",
            {"titre": f"Des questions ? — {portail.nom}", "questions": portails.questions(code)},
        )

    @router.get("/{code}/guichets")
    async def guichets(request: Request, code: str, commune: str = "") -> HTMLResponse:
        portail = portail_de(code)
        recherche = commune.strip()[:100]
        trouvees = referentiel.search_communes(recherche, code, limit=10) if recherche else []
        choisie = trouvees[0] if trouvees else None
        liste = guichets_proches(portail, choisie.insee, _epci_de) if choisie else portail.guichets
        return page(
            request,
            portail,
            "portail/departement/guichets.html",
            {
                "titre": f"Où déposer ou compléter ma demande — {portail.nom}",
                "recherche": recherche,
                "commune": choisie,
                "introuvable": bool(recherche) and choisie is None,
                "guichets": [(g, nom_commune(g.commune)) for g in liste],
            },
        )

    @router.get("/{code}/chiffres-cles")
    async def chiffres(
        request: Request,
        code: str,
        commune: str = "",
        numero_page: int = Query(1, alias="page", ge=1, le=10_000),
    ) -> HTMLResponse:
        portail = portail_de(code)
        async with runtime.db.session() as session:
            publication = await chiffres_cles.derniere(session, code)
        ctx: dict[str, Any] = {
            "titre": f"Chiffres clés — {portail.nom}",
            "publication": publication,
            "commune": None,
        }
        if publication is not None:
            insee = commune.strip()[:5]
            if insee and referentiel.commune(insee) is not None:
                ctx["commune"] = {"insee": insee, "nom": nom_commune(insee)}
                ctx["lignes"] = lignes(publication, nom_commune, insee)
            else:
                toutes = lignes(publication, nom_commune)
                pages = max(1, math.ceil(len(toutes) / PAR_PAGE))
                numero = min(numero_page, pages)
                ctx.update(
                    lignes=toutes[(numero - 1) * PAR_PAGE : numero * PAR_PAGE],
                    page=numero,
                    pages=pages,
                    nombre_communes=len(toutes),
                    page_url=lambda p: ui.url(f"/{code}/chiffres-cles", page=p),
                )
        return page(request, portail, "portail/departement/chiffres-cles.html", ctx)

    return router
