"""Login with the charter, logout."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import LoginRefused, WebUI, session_of

from toit_espace_pro.pages.commun import refus


def _suite(ui: WebUI, suite: str | None) -> str:
    # Only a path of this application (no open redirect).
    if suite and suite.startswith(ui.prefix + "/") and not suite.startswith("//"):
        return suite
    return ui.url("/")


def routes(ui: WebUI) -> APIRouter:
    router = ui.router()

    @router.get("/connexion")
    async def connexion(request: Request, suite: str | None = None) -> HTMLResponse:
        return ui.render(
            request,
            "pro/connexion.html",
            {"titre": "Connexion", "suite": suite, "erreurs": [], "messages": {}},
        )

    @router.post("/connexion", response_model=None)
    async def se_connecter(
        request: Request,
        identifiant: str = Form("", max_length=254),
        mot_de_passe: str = Form("", max_length=256),
        suite: str | None = Form(None, max_length=500),
    ) -> Response:
        erreurs = []
        if not identifiant.strip():
            erreurs.append({"champ": "identifiant", "message": "Saisissez votre identifiant"})
        if not mot_de_passe:
            erreurs.append({"champ": "mot_de_passe", "message": "Saisissez votre mot de passe"})
        if not erreurs:
            try:
                compte = await ui.gateway.login(request, identifiant.strip(), mot_de_passe)
            except LoginRefused as exc:
                erreurs.append({"champ": "identifiant", "message": exc.message})
            else:
                if compte.get("charte_a_accepter"):
                    return ui.redirect("/charte", suite=suite)
                return ui.redirect(_suite(ui, suite).removeprefix(ui.prefix) or "/")
        return ui.render(
            request,
            "pro/connexion.html",
            {
                "titre": "Connexion",
                "suite": suite,
                "erreurs": erreurs,
                "messages": {e["champ"]: e["message"] for e in erreurs},
                "identifiant": identifiant,
            },
            status_code=422,
        )

    @router.get("/charte", response_model=None)
    async def charte(request: Request, suite: str | None = None) -> Response:
        api = await ui.gateway.api(request)
        response = await api.get("/api/identite/charte")
        if response.status_code != 200:
            return refus(ui, request, response)
        return ui.render(
            request,
            "pro/charte.html",
            {"titre": "Charte déontologique", "charte": response.json(), "suite": suite},
        )

    @router.post("/charte", response_model=None)
    async def accepter(
        request: Request,
        version: int = Form(..., ge=1),
        accepte: str | None = Form(None),
        suite: str | None = Form(None, max_length=500),
    ) -> Response:
        api = await ui.gateway.api(request)
        if accepte != "oui":
            response = await api.get("/api/identite/charte")
            return ui.render(
                request,
                "pro/charte.html",
                {
                    "titre": "Charte déontologique",
                    "charte": response.json(),
                    "suite": suite,
                    "erreurs": [
                        {
                            "champ": "accepte",
                            "message": "Cochez la case pour accepter la charte",
                        }
                    ],
                },
                status_code=422,
            )
        response = await api.post("/api/identite/charte/acceptation", json={"version": version})
        if response.status_code != 200:
            return refus(ui, request, response)
        # The new token carries the acceptance.
        await ui.gateway.refresh(request)
        session = session_of(request)
        if isinstance(session.get("user"), dict):
            session["user"] = {**session["user"], "charte_a_accepter": False}
        ui.flash(request, "succes", "Charte acceptée.")
        return ui.redirect(_suite(ui, suite).removeprefix(ui.prefix) or "/")

    @router.post("/deconnexion", response_model=None)
    async def deconnexion(request: Request) -> Response:
        await ui.gateway.logout(request)
        ui.flash(request, "info", "Vous êtes déconnecté.")
        return ui.redirect("/connexion")

    return router
