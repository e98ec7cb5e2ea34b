"""Administration: organisations (gestionnaire du fichier) and accounts (gestionnaire,
administrateur d'organisation): create, habilitations, deactivate, review list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from toit_ui import WebUI, session_of

from toit_espace_pro import saisie
from toit_espace_pro.libelles import ROLES, TYPES_ORGANISATION
from toit_espace_pro.pages.commun import refus

LIBELLES_ORGANISATION = {
    "nom": "Nom",
    "type": "Type",
    "siren": "SIREN",
    "departements": "Départements",
    "code_guichet": "Code guichet",
}
LIBELLES_COMPTE = {
    "identifiant": "Identifiant",
    "email": "Courriel",
    "nom": "Nom",
    "prenom": "Prénom",
    "organisation_id": "Organisation",
    "roles": "Rôles",
    "departements": "Départements",
}


def _liste(texte: str) -> list[str]:
    return [v.strip() for v in texte.replace(";", ",").split(",") if v.strip()]


def routes(ui: WebUI) -> APIRouter:
    router = ui.router()

    # --- organisations ------------------------------------------------------------------------

    async def page_organisations(
        request: Request,
        erreurs: list[dict[str, str]] | None = None,
        valeurs: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get("/api/identite/organisations")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        user = session_of(request).get("user") or {}
        return ui.render(
            request,
            "pro/organisations.html",
            {
                "titre": "Organisations",
                "organisations": reponse.json(),
                "types": TYPES_ORGANISATION,
                "erreurs": erreurs or [],
                "messages": {e["champ"]: e["message"] for e in erreurs or []},
                "valeurs": valeurs or {"departements": ",".join(user.get("departements", []))},
            },
            status_code=status_code,
        )

    @router.get("/organisations", response_model=None)
    async def organisations(request: Request) -> Response:
        return await page_organisations(request)

    @router.post("/organisations", response_model=None)
    async def creer_organisation(
        request: Request,
        nom: str = Form("", max_length=200),
        type: str = Form("", max_length=40),
        siren: str = Form("", max_length=20),
        departements: str = Form("", max_length=100),
        code_guichet: str = Form("", max_length=10),
        guichet_enregistreur: str | None = Form(None),
        reservataire: str | None = Form(None),
        bailleur: str | None = Form(None),
    ) -> Response:
        api = await ui.gateway.api(request)
        corps = {
            "nom": nom.strip(),
            "type": type,
            "siren": siren.strip() or None,
            "departements": _liste(departements),
            "code_guichet": code_guichet.strip().upper() or None,
            "guichet_enregistreur": guichet_enregistreur == "oui",
            "reservataire": reservataire == "oui",
            "bailleur": bailleur == "oui",
        }
        reponse = await api.post("/api/identite/organisations", json=corps)
        if reponse.status_code == 422:
            valeurs = {**corps, "departements": departements, "siren": siren}
            return await page_organisations(
                request, saisie.erreurs(reponse.json(), LIBELLES_ORGANISATION), valeurs, 422
            )
        if reponse.status_code != 201:
            return refus(ui, request, reponse)
        ui.flash(request, "succes", f"Organisation « {reponse.json()['nom']} » créée.")
        return ui.redirect("/organisations")

    # --- accounts -----------------------------------------------------------------------------

    async def page_comptes(
        request: Request,
        erreurs: list[dict[str, str]] | None = None,
        valeurs: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Response:
        api = await ui.gateway.api(request)
        comptes = await api.get("/api/identite/comptes")
        if comptes.status_code != 200:
            return refus(ui, request, comptes)
        organisations = await api.get("/api/identite/organisations")
        orgs = organisations.json() if organisations.status_code == 200 else []
        user = session_of(request).get("user") or {}
        return ui.render(
            request,
            "pro/comptes.html",
            {
                "titre": "Comptes",
                "comptes": comptes.json(),
                "organisations": [(o["id"], o["nom"]) for o in orgs],
                "noms_organisations": {o["id"]: o["nom"] for o in orgs},
                "roles": list(ROLES.items()),
                "libelles_roles": ROLES,
                "erreurs": erreurs or [],
                "messages": {e["champ"]: e["message"] for e in erreurs or []},
                "valeurs": valeurs or {"departements": ",".join(user.get("departements", []))},
            },
            status_code=status_code,
        )

    @router.get("/comptes", response_model=None)
    async def comptes(request: Request) -> Response:
        return await page_comptes(request)

    @router.post("/comptes", response_model=None)
    async def creer_compte(
        request: Request,
        identifiant: str = Form("", max_length=100),
        email: str = Form("", max_length=254),
        nom: str = Form("", max_length=100),
        prenom: str = Form("", max_length=100),
        organisation_id: str = Form("", max_length=64),
        role: str = Form("", max_length=40),
        departements: str = Form("", max_length=100),
    ) -> Response:
        api = await ui.gateway.api(request)
        corps = {
            "identifiant": identifiant.strip(),
            "email": email.strip(),
            "nom": nom.strip(),
            "prenom": prenom.strip(),
            "organisation_id": organisation_id,
            "roles": [role] if role else [],
            "departements": _liste(departements),
        }
        reponse = await api.post("/api/identite/comptes", json=corps)
        if reponse.status_code == 422:
            erreurs = saisie.erreurs(reponse.json(), LIBELLES_COMPTE)
            for e in erreurs:
                if e["champ"] == "roles":
                    e["champ"] = "role"
            valeurs = {**corps, "role": role, "departements": departements}
            return await page_comptes(request, erreurs, valeurs, 422)
        if reponse.status_code != 201:
            return refus(ui, request, reponse)
        ui.flash(
            request,
            "succes",
            f"Compte « {reponse.json()['identifiant']} » créé : un lien d'activation est envoyé.",
        )
        return ui.redirect("/comptes")

    @router.post("/comptes/{compte_id}/{action}", response_model=None)
    async def changer_statut(
        request: Request, compte_id: str, action: str, motif: str = Form("", max_length=500)
    ) -> Response:
        if action not in ("desactivation", "reactivation"):
            return ui.error_page(request, 404, "Page introuvable", "Action inconnue.")
        api = await ui.gateway.api(request)
        corps = {"motif": motif.strip() or "Désactivé par un administrateur"}
        reponse = await api.post(
            f"/api/identite/comptes/{compte_id}/{action}",
            json=corps if action == "desactivation" else None,
        )
        if reponse.status_code not in (200, 204):
            if reponse.status_code in (409, 422):
                ui.flash(request, "erreur", f"Action refusée : {reponse.json().get('detail')}")
                return ui.redirect("/comptes")
            return refus(ui, request, reponse)
        ui.flash(
            request,
            "succes",
            "Compte désactivé." if action == "desactivation" else "Compte réactivé.",
        )
        return ui.redirect("/comptes")

    return router
