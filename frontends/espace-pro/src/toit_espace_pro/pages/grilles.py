"""Cotation grids: list, draft from a published grid, edit the draft's points,
check it, simulate it on the active demandes and see who moves, publish, archive."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from toit_ui import ApiClient, WebUI

from toit_espace_pro import saisie
from toit_espace_pro.libelles import GRILLES
from toit_espace_pro.pages.commun import refus


def routes(ui: WebUI) -> APIRouter:
    router = ui.router(prefix="/grilles")

    async def lire(api: ApiClient, grille_id: UUID) -> Any:
        return await api.get(f"/api/cotation/grilles/{grille_id}")

    async def page(
        request: Request,
        grille_id: UUID,
        *,
        simulation: dict[str, Any] | None = None,
        validation: dict[str, Any] | None = None,
        erreurs: list[dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Response:
        api = await ui.gateway.api(request)
        reponse = await lire(api, grille_id)
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        grille = reponse.json()
        return ui.render(
            request,
            "pro/grille.html",
            {
                "titre": grille["definition"]["libelle"],
                "grille": grille,
                "etag": reponse.headers.get("etag"),
                "etats": GRILLES,
                "simulation": simulation,
                "validation": validation,
                "erreurs": erreurs or [],
                "messages": {e["champ"]: e["message"] for e in erreurs or []},
            },
            status_code=status_code,
        )

    @router.get("", response_model=None)
    async def grilles(request: Request) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get("/api/cotation/grilles")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        return ui.render(
            request,
            "pro/grilles.html",
            {"titre": "Grilles de cotation", "grilles": reponse.json(), "etats": GRILLES},
        )

    @router.get("/{grille_id}", response_model=None)
    async def grille(request: Request, grille_id: UUID) -> Response:
        return await page(request, grille_id)

    @router.post("/{grille_id}/brouillon", response_model=None)
    async def brouillon(request: Request, grille_id: UUID) -> Response:
        """A new draft, copy of this grid."""
        api = await ui.gateway.api(request)
        source = await lire(api, grille_id)
        if source.status_code != 200:
            return refus(ui, request, source)
        definition = copy.deepcopy(source.json()["definition"])
        reponse = await api.post("/api/cotation/grilles", json=definition)
        if reponse.status_code != 201:
            if reponse.status_code in (409, 422):
                ui.flash(request, "erreur", f"Brouillon refusé : {reponse.json().get('detail')}")
                return ui.redirect(f"/grilles/{grille_id}")
            return refus(ui, request, reponse)
        ui.flash(request, "succes", "Brouillon créé : modifiez-le, simulez-le puis publiez-le.")
        return ui.redirect(f"/grilles/{reponse.json()['id']}")

    @router.post("/{grille_id}/modifier", response_model=None)
    async def modifier(request: Request, grille_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        form = await request.form()
        actuelle = await lire(api, grille_id)
        if actuelle.status_code != 200:
            return refus(ui, request, actuelle)
        definition = copy.deepcopy(actuelle.json()["definition"])
        libelle = form.get("libelle")
        if isinstance(libelle, str) and libelle.strip():
            definition["libelle"] = libelle.strip()
        for i, critere in enumerate(definition.get("criteres", [])):
            valeur = form.get(f"criteres[{i}].points")
            if "points" in critere and isinstance(valeur, str) and valeur.strip():
                critere["points"] = valeur.strip().replace(",", ".")
        reponse = await api.put(
            f"/api/cotation/grilles/{grille_id}",
            json=definition,
            headers={"If-Match": str(form.get("etag") or "")},
        )
        if reponse.status_code == 412:
            ui.flash(
                request,
                "erreur",
                "Cette grille a été modifiée entre-temps : voici sa version actuelle, "
                "refaites vos changements.",
            )
            return ui.redirect(f"/grilles/{grille_id}")
        if reponse.status_code == 422:
            return await page(
                request, grille_id, erreurs=saisie.erreurs(reponse.json()), status_code=422
            )
        if reponse.status_code != 200:
            if reponse.status_code == 409:
                ui.flash(
                    request, "erreur", f"Modification refusée : {reponse.json().get('detail')}"
                )
                return ui.redirect(f"/grilles/{grille_id}")
            return refus(ui, request, reponse)
        ui.flash(request, "succes", "Brouillon enregistré.")
        return ui.redirect(f"/grilles/{grille_id}")

    @router.post("/{grille_id}/validation", response_model=None)
    async def valider(request: Request, grille_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.post(f"/api/cotation/grilles/{grille_id}/validation")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        return await page(request, grille_id, validation=reponse.json())

    @router.post("/{grille_id}/simulation", response_model=None)
    async def simuler(request: Request, grille_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.post(f"/api/cotation/grilles/{grille_id}/simulation")
        if reponse.status_code != 200:
            if reponse.status_code == 409:
                ui.flash(
                    request, "erreur", f"Simulation impossible : {reponse.json().get('detail')}"
                )
                return ui.redirect(f"/grilles/{grille_id}")
            return refus(ui, request, reponse)
        return await page(request, grille_id, simulation=reponse.json())

    async def transition(request: Request, grille_id: UUID, chemin: str, succes: str) -> Response:
        api = await ui.gateway.api(request)
        form = await request.form()
        reponse = await api.post(
            f"/api/cotation/grilles/{grille_id}/{chemin}",
            headers={"If-Match": str(form.get("etag") or "")},
        )
        if reponse.status_code in (409, 412, 422):
            ui.flash(request, "erreur", f"Action refusée : {reponse.json().get('detail')}")
            return ui.redirect(f"/grilles/{grille_id}")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        ui.flash(request, "succes", succes)
        return ui.redirect(f"/grilles/{grille_id}")

    @router.post("/{grille_id}/publication", response_model=None)
    async def publier(request: Request, grille_id: UUID) -> Response:
        return await transition(
            request,
            grille_id,
            "publication",
            "Grille publiée : la précédente est archivée, les cotations sont recalculées.",
        )

    @router.post("/{grille_id}/archivage", response_model=None)
    async def archiver(request: Request, grille_id: UUID) -> Response:
        return await transition(request, grille_id, "archivage", "Grille archivée.")

    return router
