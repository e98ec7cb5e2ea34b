"""Screens of abonnements in the espace professionnel (entry point `toit.espace_pro.pages`):
partners and their API clients, subscriptions, delivery health, dead letters (with replay),
the data profiles. For the gestionnaire du fichier (their perimeter) and a partner's
administrator (their own organisation).

Pages call the public API through the gateway with the user's token (`ui.gateway.api`);
they hold no data of their own. Forms work without JavaScript (POST then 303)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import NavItem, WebUI
from toit_ui.pages import PagePackage

API = "/api/abonnements"
ROLES = frozenset({"GESTIONNAIRE_FICHIER", "ADMINISTRATEUR_ORGANISATION"})
MODES = {"FLUX": "Flux (lecture)", "WEBHOOK": "Webhook signé", "AMQP": "File AMQP dédiée"}
STATUTS = {
    "ACTIF": ("Actif", "succes"),
    "SUSPENDU": ("Suspendu", "alerte"),
    "REVOQUE": ("Révoqué", "neutre"),
}


def _refus(ui: WebUI, request: Request, response: Any) -> HTMLResponse:
    detail = response.json().get("detail", "Erreur") if response.content else "Erreur"
    return ui.render(
        request,
        "abonnements/refus.html",
        {"titre": "Action impossible", "detail": detail, "code": response.status_code},
        status_code=response.status_code if response.status_code >= 400 else 400,
    )


def pages(ui: WebUI) -> PagePackage:
    router = ui.router(prefix="/abonnements")

    @router.get("", response_class=HTMLResponse)
    async def accueil(request: Request) -> Response:
        api = await ui.gateway.api(request)
        partenaires = await api.get(f"{API}/partenaires")
        abonnements = await api.get(f"{API}/abonnements")
        if partenaires.status_code != 200:
            return _refus(ui, request, partenaires)
        noms = {p["organisation_id"]: p["nom"] for p in partenaires.json()}
        return ui.render(
            request,
            "abonnements/accueil.html",
            {
                "partenaires": partenaires.json(),
                "abonnements": abonnements.json() if abonnements.status_code == 200 else [],
                "noms": noms,
                "modes": MODES,
                "statuts": STATUTS,
            },
        )

    @router.get("/profils", response_class=HTMLResponse)
    async def profils(request: Request) -> Response:
        api = await ui.gateway.api(request)
        response = await api.get(f"{API}/profils")
        return ui.render(request, "abonnements/profils.html", {"profils": response.json()})

    @router.get("/{abonnement_id}", response_class=HTMLResponse)
    async def abonnement(request: Request, abonnement_id: str) -> Response:
        api = await ui.gateway.api(request)
        a = await api.get(f"{API}/abonnements/{abonnement_id}")
        if a.status_code != 200:
            return _refus(ui, request, a)
        sante = (await api.get(f"{API}/abonnements/{abonnement_id}/sante")).json()
        mortes = (await api.get(f"{API}/abonnements/{abonnement_id}/lettres-mortes")).json()
        livraisons = (
            await api.get(f"{API}/abonnements/{abonnement_id}/livraisons", params={"limite": 20})
        ).json()
        return ui.render(
            request,
            "abonnements/abonnement.html",
            {
                "a": a.json(),
                "sante": sante,
                "mortes": mortes,
                "livraisons": livraisons,
                "modes": MODES,
                "statuts": STATUTS,
            },
        )

    async def _action(request: Request, abonnement_id: str, chemin: str, message: str) -> Response:
        api = await ui.gateway.api(request)
        body: dict[str, Any] | None = {} if chemin.endswith("rejeu") else None
        response = await api.post(f"{API}/abonnements/{abonnement_id}/{chemin}", json=body)
        if response.status_code >= 400:
            return _refus(ui, request, response)
        ui.flash(request, "succes", message)
        return ui.redirect(f"/abonnements/{abonnement_id}")

    @router.post("/{abonnement_id}/suspension")
    async def suspendre(request: Request, abonnement_id: str) -> Response:
        return await _action(request, abonnement_id, "suspension", "Livraisons suspendues")

    @router.post("/{abonnement_id}/reprise")
    async def reprendre(request: Request, abonnement_id: str) -> Response:
        return await _action(request, abonnement_id, "reprise", "Livraisons reprises")

    @router.post("/{abonnement_id}/rejeu")
    async def rejouer(request: Request, abonnement_id: str) -> Response:
        return await _action(
            request, abonnement_id, "lettres-mortes/rejeu", "Rejeu des lettres mortes demandé"
        )

    return PagePackage(
        router, navigation=[NavItem("Abonnements partenaires", "/abonnements", ROLES)]
    )
