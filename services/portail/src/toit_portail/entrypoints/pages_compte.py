"""Mon compte: deleting the applicant's account (not the demande). The deletion is a write
to identite through the gateway with the applicant's token, confirmed by the password;
identite's `compte.supprime` then detaches the demandes (demandes) and makes the portail
forget what it kept for the account (drafts, attempts, commands: `service_layer/compte.py`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from toit_ui import WebUI
from toit_ui.session import session_of

from toit_portail.entrypoints.espace_commun import resume
from toit_portail.entrypoints.pages_rattachement import compte_connecte

SUPPRESSION_PATH = "/api/identite/moi/suppression"
LIBELLES = {"mot_de_passe": "Mot de passe", "confirmation": "Confirmation"}


def _refus(reponse: Any) -> dict[str, str]:
    """identite's French refusal, next to the password when it is about it."""
    try:
        corps = reponse.json()
    except ValueError:
        corps = {}
    corps = corps if isinstance(corps, dict) else {}
    for erreur in corps.get("erreurs") or []:
        if str(erreur.get("champ") or "").endswith("mot_de_passe"):
            return {"mot_de_passe": "Mot de passe incorrect : votre compte n'est pas supprimé"}
    detail = corps.get("detail")
    return {"__all__": detail if isinstance(detail, str) else "La suppression n'a pas abouti."}


def routes(ui: WebUI) -> APIRouter:
    router = ui.router()

    def page(request: Request, ctx: dict[str, Any], status: int = 200) -> Response:
        return ui.render(
            request,
            "portail/compte/supprimer.html",
            {
                "titre": "Supprimer mon compte",
                "resume": resume(ctx.get("erreurs") or {}, LIBELLES),
                **ctx,
            },
            status_code=status,
        )

    @router.get("/mon-compte/supprimer")
    async def formulaire(request: Request) -> Response:
        await compte_connecte(ui, request)
        return page(request, {})

    @router.post("/mon-compte/supprimer", response_model=None)
    async def supprimer(
        request: Request,
        mot_de_passe: str = Form("", max_length=256),
        confirmation: str = Form("", max_length=10),
    ) -> Response:
        await compte_connecte(ui, request)
        erreurs: dict[str, str] = {}
        if confirmation != "oui":
            erreurs["confirmation"] = "Cochez la case pour confirmer la suppression de votre compte"
        if not mot_de_passe:
            erreurs["mot_de_passe"] = "Saisissez votre mot de passe pour confirmer"
        if erreurs:
            return page(request, {"erreurs": erreurs}, 400)
        api = await ui.gateway.api(request)
        reponse = await api.post(SUPPRESSION_PATH, json={"mot_de_passe": mot_de_passe})
        if reponse.status_code != 204:
            return page(
                request, {"erreurs": _refus(reponse)}, 400 if reponse.status_code < 500 else 503
            )
        # identite has ended every session of the account: this one goes too.
        session_of(request).clear()
        ui.flash(
            request,
            "succes",
            "Votre compte est supprimé. Votre demande de logement ne l'est pas : elle reste "
            "suivie par les guichets, et vous pourrez la rattacher à un nouveau compte.",
        )
        return ui.redirect("/")

    return router
