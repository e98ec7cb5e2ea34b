"""The portail's site: server-rendered French pages (libs/ui) at the root of the gateway.

Account pages call identite's public API through the gateway (login, activation,
forgotten password); the espace personnel reads the portail's own read model only,
filtered on the logged-in account (a page never waits on another service)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import NavItem, UISettings, WebUI
from toit_ui.gateway import LoginRefused, NotAuthenticated, client_headers
from toit_ui.session import session_of

from servicekit.runtime import ServiceRuntime
from toit_portail.bootstrap import dependances
from toit_portail.entrypoints import (
    pages_candidature,
    pages_composition,
    pages_compte,
    pages_coordonnees,
    pages_departements,
    pages_documents,
    pages_preferences,
    pages_rattachement,
    pages_ressources,
    pages_suivi,
)
from toit_portail.service_layer import espace

NAVIGATION = [
    NavItem("Accueil", "/"),
    NavItem("Mon espace", "/mon-espace"),
    NavItem("Ma demande en ligne", "/ma-demande"),
]
INSCRIPTION_PATH = "/api/identite/demandeurs"
ACTIVATION_PATH = "/api/identite/activation"
OUBLI_PATH = "/api/identite/mot-de-passe/oubli"
REINITIALISATION_PATH = "/api/identite/mot-de-passe/reinitialisation"


def _suite_sure(suite: str | None) -> str:
    """Only a local path after login (no open redirect)."""
    if suite and suite.startswith("/") and not suite.startswith("//") and "\\" not in suite:
        return suite
    return "/mon-espace"


def _erreurs(response: httpx.Response, champs: dict[str, str]) -> dict[str, str]:
    """identite's French 4xx, as field errors of the page (its field → the form's)."""
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    erreurs: dict[str, str] = {}
    for item in body.get("erreurs") or []:
        champ = str(item.get("champ") or "").split(".")[-1]
        erreurs[champs.get(champ, "__all__")] = str(item.get("message") or "Valeur invalide")
    if not erreurs and isinstance(body.get("detail"), str):
        return {"__all__": body["detail"]}
    return erreurs or {"__all__": "La demande n'a pas pu aboutir : réessayez."}


def create_web(
    runtime: ServiceRuntime, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    portails = dependances(runtime).portails
    ui = WebUI(
        UISettings(),
        packages=["toit_portail"],
        app_name="Demande de logement social",
        navigation=NAVIGATION,
        gateway_transport=transport,
    )
    router = ui.router()

    def page(
        request: Request, template: str, ctx: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        departement = portails.pour_hote(request.headers.get("host"))
        return ui.render(
            request,
            template,
            {"departement": departement, "portails": portails.liste(), **ctx},
            status_code=status,
        )

    def resume(erreurs: dict[str, str], libelles: dict[str, str]) -> list[dict[str, str]]:
        return [
            {"champ": c, "message": m, "libelle": libelles.get(c, "")}
            for c, m in erreurs.items()
            if c != "__all__"
        ]

    async def lien_recu(
        request: Request,
        chemin: str,
        body: dict[str, str],
        template: str,
        titre: str,
        libelle_mot_de_passe: str,
        succes: str,
    ) -> Response:
        """POST the token of an emailed link (activation, reset) back to identite."""
        response = await ui.gateway.http.post(chemin, json=body, headers=client_headers(request))
        if response.status_code == 204:
            ui.flash(request, "succes", succes)
            return ui.redirect("/connexion")
        erreurs = _erreurs(response, {"mot_de_passe": "mot_de_passe"})
        return page(
            request,
            template,
            {
                "titre": titre,
                "jeton": body["jeton"],
                "erreurs": erreurs,
                "resume": resume(erreurs, {"mot_de_passe": libelle_mot_de_passe}),
            },
            400,
        )

    @router.get("/")
    async def accueil(request: Request) -> HTMLResponse:
        return page(request, "portail/accueil.html", {"titre": "Accueil"})

    @router.get("/connexion")
    async def connexion(request: Request, suite: str | None = None) -> HTMLResponse:
        return page(request, "portail/connexion.html", {"titre": "Connexion", "suite": suite})

    @router.post("/connexion", response_model=None)
    async def connecter(
        request: Request,
        identifiant: str = Form("", max_length=254),
        mot_de_passe: str = Form("", max_length=256),
        suite: str | None = Form(None, max_length=500),
    ) -> Response:
        erreurs: dict[str, str] = {}
        if not identifiant.strip():
            erreurs["identifiant"] = "Saisissez votre adresse électronique"
        if not mot_de_passe:
            erreurs["mot_de_passe"] = "Saisissez votre mot de passe"
        if not erreurs:
            try:
                await ui.gateway.login(request, identifiant.strip(), mot_de_passe)
                return ui.redirect(_suite_sure(suite))
            except LoginRefused as refus:
                erreurs["__all__"] = refus.message
        return page(
            request,
            "portail/connexion.html",
            {
                "titre": "Connexion",
                "suite": suite,
                "identifiant": identifiant,
                "erreurs": erreurs,
                "resume": resume(
                    erreurs, {"identifiant": "Adresse électronique", "mot_de_passe": "Mot de passe"}
                ),
            },
            400 if "__all__" not in erreurs else 401,
        )

    @router.post("/deconnexion", response_model=None)
    async def deconnexion(request: Request) -> Response:
        await ui.gateway.logout(request)
        return ui.redirect("/")

    @router.get("/mot-de-passe-oublie")
    async def oubli(request: Request) -> HTMLResponse:
        return page(request, "portail/oubli.html", {"titre": "Mot de passe oublié"})

    @router.post("/mot-de-passe-oublie")
    async def demander_lien(
        request: Request, identifiant: str = Form("", max_length=254)
    ) -> HTMLResponse:
        if len(identifiant.strip()) < 3:
            erreurs = {"identifiant": "Saisissez l'adresse électronique de votre compte"}
            return page(
                request,
                "portail/oubli.html",
                {
                    "titre": "Mot de passe oublié",
                    "erreurs": erreurs,
                    "resume": resume(erreurs, {"identifiant": "Adresse électronique"}),
                },
                400,
            )
        await ui.gateway.http.post(
            OUBLI_PATH, json={"identifiant": identifiant.strip()}, headers=client_headers(request)
        )
        # The same answer whether the account exists or not.
        return page(request, "portail/oubli.html", {"titre": "Mot de passe oublié", "envoye": True})

    libelles_inscription = {
        "email": "Adresse électronique",
        "mot_de_passe": "Mot de passe",
        "confirmation": "Confirmation du mot de passe",
        "prenom": "Prénom",
        "nom": "Nom",
    }

    @router.get("/inscription")
    async def inscription(request: Request) -> HTMLResponse:
        return page(request, "portail/inscription.html", {"titre": "Créer mon compte"})

    @router.post("/inscription")
    async def inscrire(
        request: Request,
        email: str = Form("", max_length=254),
        mot_de_passe: str = Form("", max_length=256),
        confirmation: str = Form("", max_length=256),
        prenom: str = Form("", max_length=100),
        nom: str = Form("", max_length=100),
    ) -> HTMLResponse:
        saisie = {"email": email.strip(), "prenom": prenom.strip(), "nom": nom.strip()}
        erreurs: dict[str, str] = {}
        if not saisie["email"]:
            erreurs["email"] = "Saisissez votre adresse électronique"
        if not mot_de_passe:
            erreurs["mot_de_passe"] = "Choisissez un mot de passe"
        elif confirmation != mot_de_passe:
            erreurs["confirmation"] = "Les deux mots de passe sont différents"
        if not erreurs:
            response = await ui.gateway.http.post(
                INSCRIPTION_PATH,
                json={
                    "email": saisie["email"],
                    "mot_de_passe": mot_de_passe,
                    "prenom": saisie["prenom"] or None,
                    "nom": saisie["nom"] or None,
                },
                headers=client_headers(request),
            )
            if response.status_code == 202:
                # The same answer whether the address already had an account or not.
                return page(
                    request,
                    "portail/inscription.html",
                    {"titre": "Créer mon compte", "envoye": True, "email": saisie["email"]},
                )
            erreurs = _erreurs(response, {k: k for k in libelles_inscription})
        return page(
            request,
            "portail/inscription.html",
            {
                "titre": "Créer mon compte",
                "saisie": saisie,
                "erreurs": erreurs,
                "resume": resume(erreurs, libelles_inscription),
            },
            400,
        )

    @router.get("/activation")
    async def activation(request: Request, jeton: str = "") -> HTMLResponse:
        return page(
            request, "portail/activation.html", {"titre": "Activer mon compte", "jeton": jeton}
        )

    @router.post("/activation", response_model=None)
    async def activer(
        request: Request,
        jeton: str = Form("", max_length=128),
        mot_de_passe: str = Form("", max_length=256),
    ) -> Response:
        body: dict[str, str] = {"jeton": jeton}
        if mot_de_passe:
            body["mot_de_passe"] = mot_de_passe
        return await lien_recu(
            request,
            ACTIVATION_PATH,
            body,
            "portail/activation.html",
            "Activer mon compte",
            "Mot de passe",
            "Votre compte est activé : vous pouvez vous connecter.",
        )

    @router.get("/mot-de-passe/reinitialisation")
    async def reinitialisation(request: Request, jeton: str = "") -> HTMLResponse:
        return page(
            request,
            "portail/reinitialisation.html",
            {"titre": "Choisir un nouveau mot de passe", "jeton": jeton},
        )

    @router.post("/mot-de-passe/reinitialisation", response_model=None)
    async def reinitialiser(
        request: Request,
        jeton: str = Form("", max_length=128),
        mot_de_passe: str = Form("", max_length=256),
    ) -> Response:
        return await lien_recu(
            request,
            REINITIALISATION_PATH,
            {"jeton": jeton, "mot_de_passe": mot_de_passe},
            "portail/reinitialisation.html",
            "Choisir un nouveau mot de passe",
            "Nouveau mot de passe",
            "Votre mot de passe est changé : connectez-vous.",
        )

    @router.get("/mon-espace")
    async def mon_espace(request: Request) -> HTMLResponse:
        await ui.gateway.api(request)  # raises NotAuthenticated: to the login page
        user = session_of(request).get("user")
        if not user:
            raise NotAuthenticated()
        async with runtime.db.session() as session:
            demandes = await espace.espace(session, str(user["id"]))
        return page(
            request, "portail/mon-espace.html", {"titre": "Mon espace", "demandes": demandes}
        )

    return ui.create_app(
        [
            router,
            pages_rattachement.routes(ui, runtime),
            pages_candidature.routes(ui, runtime, portails),
            pages_suivi.routes(ui, runtime),
            pages_preferences.routes(ui, runtime),
            pages_compte.routes(ui),
            pages_coordonnees.routes(ui, runtime),
            pages_ressources.routes(ui, runtime),
            pages_composition.routes(ui, runtime),
            pages_documents.routes(ui, runtime),
            pages_departements.routes(ui, runtime, portails),
        ],
        title="Toit — portail",
    )
