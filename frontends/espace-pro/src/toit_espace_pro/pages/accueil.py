"""Home: the announcements addressed to the user (banner), their favourites, the account
and its organisation, quick access by numéro unique or name, the demandes waiting for
the user's action."""

from __future__ import annotations

import re

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from toit_ui import WebUI, session_of

from toit_espace_pro.pages.commun import roles

NUMERO_UNIQUE = re.compile(r"^[0-9]{2}[0-9AB][0-9]{10}[A-Z0-9]{5}$")


def routes(ui: WebUI) -> APIRouter:
    router = ui.router()

    @router.get("/", response_model=None)
    async def accueil(request: Request) -> Response:
        api = await ui.gateway.api(request)
        user = session_of(request).get("user") or {}
        if user.get("charte_a_accepter"):
            return ui.redirect("/charte")
        moi = (await api.get("/api/identite/moi")).json()
        # The banner and the favourites: a page without them rather than no page.
        annonces = await api.get("/api/identite/annonces/a-afficher")
        favoris = await api.get("/api/identite/moi/favoris")
        a_valider: dict[str, object] | None = None
        if roles(request) & {"AGENT_ENREGISTREUR", "GESTIONNAIRE_FICHIER", "INSTRUCTEUR"}:
            reponse = await api.get("/api/demandes", params={"statut": "A_VALIDER", "par_page": 5})
            if reponse.status_code == 200:
                a_valider = reponse.json()
        return ui.render(
            request,
            "pro/accueil.html",
            {
                "titre": "Accueil",
                "moi": moi,
                "a_valider": a_valider,
                "annonces": annonces.json() if annonces.status_code == 200 else [],
                "favoris": favoris.json() if favoris.status_code == 200 else [],
                "demo": ui.settings.mode == "demo",
            },
        )

    @router.get("/acces-rapide", response_model=None)
    async def acces_rapide(request: Request, q: str = Query("", max_length=100)) -> Response:
        """A numéro unique opens its demande; anything else searches by name."""
        texte = q.strip()
        if not texte:
            return ui.redirect("/demandes")
        numero = re.sub(r"[\s-]", "", texte.upper())
        if NUMERO_UNIQUE.match(numero):
            api = await ui.gateway.api(request)
            reponse = await api.get("/api/demandes", params={"numero_unique": numero})
            if reponse.status_code == 200 and reponse.json()["total"] == 1:
                return ui.redirect(f"/demandes/{reponse.json()['elements'][0]['id']}")
            return ui.redirect("/demandes", numero_unique=numero)
        return ui.redirect("/demandes", nom=texte)

    return router
