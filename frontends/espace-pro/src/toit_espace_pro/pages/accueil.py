"""Home: the announcements addressed to the user (banner), their favourites, the account
and its organisation, quick access by numéro unique or name, the demandes waiting for
the user's action, and the observatoire's parameterised lists marked « visible sur la page
d'accueil » with their last result (the observatoire owns the lists: its public API
`/api/observatoire/listes/accueil`)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from toit_ui import ApiClient, WebUI, session_of

from servicekit import authz
from toit_espace_pro.libelles import ROLES
from toit_espace_pro.pages.commun import roles

NUMERO_UNIQUE = re.compile(r"^[0-9]{2}[0-9AB][0-9]{10}[A-Z0-9]{5}$")
# How many rows of each home-page list's result the home page shows (the whole result is
# on the list's page).
LIGNES_ACCUEIL = 10


async def listes_accueil(api: ApiClient) -> list[dict[str, Any]]:
    """The user's home-page lists, each with the first rows of its last result; none when
    the observatoire does not answer (the home page is shown without them)."""
    try:
        reponse = await api.get("/api/observatoire/listes/accueil")
    except httpx.HTTPError:
        return []
    if reponse.status_code != 200:
        return []
    listes = []
    for item in reponse.json():
        resultat = item.get("resultat")
        if resultat is not None:
            resultat = {
                **resultat,
                "lignes": resultat["lignes"][:LIGNES_ACCUEIL],
                "coupe": len(resultat["lignes"]) > LIGNES_ACCUEIL,
                "lignes_masquees": set(resultat.get("lignes_masquees") or []),
            }
        listes.append({"liste": item["liste"], "resultat": resultat})
    return listes


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
        # The roles that read statistics (servicekit.authz): the observatoire's lists.
        statistiques = authz.scopes_for(frozenset(roles(request)), "statistiques.lire")
        listes = await listes_accueil(api) if statistiques else []
        return ui.render(
            request,
            "pro/accueil.html",
            {
                "titre": "Accueil",
                "moi": moi,
                "roles_libelles": ", ".join(ROLES.get(r, r) for r in moi.get("roles", [])),
                "a_valider": a_valider,
                "annonces": annonces.json() if annonces.status_code == 200 else [],
                "favoris": favoris.json() if favoris.status_code == 200 else [],
                "listes": listes,
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
