"""Favourites: pin a demande (from its page) or a search (from the results) on the home
page; remove one from the home page. Stored by identite, for the user alone."""

from __future__ import annotations

import re
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from toit_ui import WebUI

from toit_espace_pro.pages.commun import detail, refus

# Where to go back after pinning: a page of the espace professionnel, never elsewhere.
_LOCAL = re.compile(r"^/(?!/)[A-Za-z0-9/_.~-]*(\?[A-Za-z0-9_.~%=&+-]*)?$")


def routes(ui: WebUI) -> APIRouter:
    router = ui.router(prefix="/favoris")

    @router.post("", response_model=None)
    async def ajouter(
        request: Request,
        type: str = Form("", max_length=10),
        cible: str = Form("", max_length=300),
        libelle: str = Form("", max_length=120),
    ) -> Response:
        retour = cible if type == "LISTE" else f"/demandes/{cible}"
        if not _LOCAL.match(retour):
            retour = "/"
        api = await ui.gateway.api(request)
        reponse = await api.post(
            "/api/identite/moi/favoris",
            json={"type": type, "cible": cible, "libelle": libelle.strip() or "Sans titre"},
        )
        if reponse.status_code == 201:
            ui.flash(request, "succes", f"« {reponse.json()['libelle']} » ajouté à vos favoris.")
        elif reponse.status_code == 409:
            ui.flash(request, "info", "Déjà dans vos favoris.")
        elif reponse.status_code == 422:
            messages = [e.get("message", "") for e in reponse.json().get("erreurs", [])]
            ui.flash(request, "erreur", "Favori refusé : " + " ; ".join(messages))
        else:
            return refus(ui, request, reponse)
        return ui.redirect(retour)

    @router.post("/{favori_id}/retrait", response_model=None)
    async def retirer(request: Request, favori_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.delete(f"/api/identite/moi/favoris/{favori_id}")
        if reponse.status_code == 404:
            ui.flash(request, "erreur", f"Favori introuvable ({detail(reponse)}).")
        elif reponse.status_code != 204:
            return refus(ui, request, reponse)
        else:
            ui.flash(request, "succes", "Favori retiré.")
        return ui.redirect("/")

    return router
