"""Screens of abonnements in the espace professionnel (entry point `toit.espace_pro.pages`):
partners and their API clients, subscriptions, delivery health, dead letters (with replay),
the data profiles. For the gestionnaire du fichier (their perimeter) and a partner's
administrator (their own organisation).

Pages call the public API through the gateway with the user's token (`ui.gateway.api`);
they hold no data of their own. Forms work without JavaScript (POST then 303; a refused
form is shown again with the API's French messages next to each field). A webhook secret
or an AMQP password is shown once, on the page that follows the creation or the rotation
(`Cache-Control: no-store`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import NavItem, WebUI, session_of
from toit_ui.formulaires import erreurs_api, liste
from toit_ui.pages import PagePackage

API = "/api/abonnements"
ROLES = frozenset({"GESTIONNAIRE_FICHIER", "ADMINISTRATEUR_ORGANISATION"})
MODES = {"FLUX": "Flux (lecture)", "WEBHOOK": "Webhook signé", "AMQP": "File AMQP dédiée"}
STATUTS = {
    "ACTIF": ("Actif", "succes"),
    "SUSPENDU": ("Suspendu", "alerte"),
    "REVOQUE": ("Révoqué", "neutre"),
}


# The roles whose data rights a partner's subscriptions follow (servicekit.authz).
ROLES_PARTENAIRE = {
    "INSTRUCTEUR": "Instructeur (bailleur, service instructeur)",
    "RESERVATAIRE": "Réservataire",
    "AGENT_ENREGISTREUR": "Guichet enregistreur",
    "MEMBRE_CALEOL": "Membre de CALEOL",
    "OBSERVATEUR": "Observateur (statistiques)",
}
LIBELLES = {
    "organisation_id": "Organisation",
    "nom": "Nom",
    "contact_email": "Courriel du contact",
    "roles": "Rôles",
    "habilitation.departements": "Départements",
    "habilitation.epcis": "EPCI",
    "habilitation.communes": "Communes",
    "types": "Types d'événements",
    "profil": "Profil de données",
    "complements": "Compléments",
    "perimetre.departements": "Départements",
    "perimetre.epcis": "EPCI",
    "perimetre.communes": "Communes",
    "mode": "Mode de livraison",
    "url": "Adresse du webhook",
}
NO_STORE = {"Cache-Control": "no-store"}


def _champ(champ: str) -> str:
    """The form field of an API field path (body.perimetre.departements.0 → perimetre.…)."""
    parties = [p for p in champ.split(".") if p != "body" and not p.isdigit()]
    return ".".join(parties) or "requete"


def _erreurs(response: Any) -> list[dict[str, str]]:
    body = response.json() if response.content else {}
    if response.status_code == 403 and isinstance(body, dict) and body.get("partie"):
        return [{"champ": "requete", "message": str(body.get("detail")), "libelle": ""}]
    entrees = erreurs_api(body)
    for e in entrees:
        e["champ"] = _champ(e["champ"])
        e["libelle"] = LIBELLES.get(e["champ"], "" if e["champ"] == "requete" else e["champ"])
    return entrees


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

    # --- partner declaration (gestionnaire du fichier) --------------------------------------

    async def _page_partenaire(
        request: Request,
        valeurs: dict[str, Any],
        erreurs: list[dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Response:
        api = await ui.gateway.api(request)
        organisations = await api.get("/api/identite/organisations")
        options = (
            [(o["id"], o["nom"]) for o in organisations.json()]
            if organisations.status_code == 200
            else []
        )
        return ui.render(
            request,
            "abonnements/partenaire_form.html",
            {
                "organisations": options,
                "roles": list(ROLES_PARTENAIRE.items()),
                "valeurs": valeurs,
                "erreurs": erreurs or [],
                "messages": {e["champ"]: e["message"] for e in erreurs or []},
            },
            status_code=status_code,
        )

    @router.get("/partenaires/nouveau", response_class=HTMLResponse)
    async def nouveau_partenaire(request: Request) -> Response:
        user = session_of(request).get("user") or {}
        return await _page_partenaire(
            request, {"departements": ", ".join(user.get("departements", [])), "roles": []}
        )

    @router.post("/partenaires", response_class=HTMLResponse)
    async def declarer_partenaire(request: Request) -> Response:
        form = await request.form()
        valeurs: dict[str, Any] = {
            k: str(form.get(k, ""))[:300]
            for k in ("organisation_id", "contact_email", "departements", "epcis", "communes")
        }
        valeurs["roles"] = [str(r) for r in form.getlist("roles")][:8]
        api = await ui.gateway.api(request)
        organisations = await api.get("/api/identite/organisations")
        noms = (
            {o["id"]: o["nom"] for o in organisations.json()}
            if organisations.status_code == 200
            else {}
        )
        body = {
            "organisation_id": valeurs["organisation_id"] or None,
            "nom": noms.get(valeurs["organisation_id"], "")[:200] or "?",
            "contact_email": valeurs["contact_email"],
            "roles": valeurs["roles"],
            "habilitation": {
                "departements": liste(valeurs["departements"]),
                "epcis": liste(valeurs["epcis"]),
                "communes": liste(valeurs["communes"]),
            },
        }
        response = await api.post(f"{API}/partenaires", json=body)
        if response.status_code >= 400:
            return await _page_partenaire(request, valeurs, _erreurs(response), 422)
        ui.flash(request, "succes", f"Partenaire déclaré : {body['nom']}")
        return ui.redirect("/abonnements")

    # --- subscription creation (gestionnaire; a partner's administrator for their own) ----

    async def _page_abonnement(
        request: Request,
        valeurs: dict[str, Any],
        erreurs: list[dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Response:
        api = await ui.gateway.api(request)
        partenaires = await api.get(f"{API}/partenaires")
        profils = (await api.get(f"{API}/profils")).json()
        types = sorted({t for p in profils for t in p["evenements"]})
        complements = {c["code"]: c["libelle"] for p in profils for c in p["complements"]}
        return ui.render(
            request,
            "abonnements/abonnement_form.html",
            {
                "partenaires": [
                    (p["organisation_id"], p["nom"])
                    for p in (partenaires.json() if partenaires.status_code == 200 else [])
                ],
                "profils": [(p["code"], f"{p['libelle']} — {p['description']}") for p in profils],
                "types": [(t, t) for t in types],
                "complements": list(complements.items()),
                "modes": list(MODES.items()),
                "valeurs": valeurs,
                "erreurs": erreurs or [],
                "messages": {e["champ"]: e["message"] for e in erreurs or []},
            },
            status_code=status_code,
        )

    @router.get("/nouveau", response_class=HTMLResponse)
    async def nouvel_abonnement(request: Request) -> Response:
        user = session_of(request).get("user") or {}
        return await _page_abonnement(
            request,
            {
                "departements": ", ".join(user.get("departements", [])),
                "types": [],
                "complements": [],
                "mode": "FLUX",
            },
        )

    @router.post("/nouveau", response_class=HTMLResponse)
    async def creer_abonnement(request: Request) -> Response:
        form = await request.form()
        valeurs: dict[str, Any] = {
            k: str(form.get(k, ""))[:2048]
            for k in (
                "organisation_id",
                "nom",
                "profil",
                "mode",
                "url",
                "departements",
                "epcis",
                "communes",
            )
        }
        valeurs["types"] = [str(t) for t in form.getlist("types")][:20]
        valeurs["complements"] = [str(c) for c in form.getlist("complements")][:5]
        body = {
            "organisation_id": valeurs["organisation_id"] or None,
            "nom": valeurs["nom"],
            "types": valeurs["types"],
            "perimetre": {
                "departements": liste(valeurs["departements"]),
                "epcis": liste(valeurs["epcis"]),
                "communes": liste(valeurs["communes"]),
            },
            "profil": valeurs["profil"],
            "complements": valeurs["complements"],
            "mode": valeurs["mode"] or "FLUX",
            "url": valeurs["url"] or None,
        }
        api = await ui.gateway.api(request)
        response = await api.post(f"{API}/abonnements", json=body)
        if response.status_code >= 400:
            return await _page_abonnement(request, valeurs, _erreurs(response), 422)
        creation = response.json()
        return ui.render(
            request,
            "abonnements/secret.html",
            {
                "titre": "Abonnement créé",
                "a": creation["abonnement"],
                "secret": creation.get("secret"),
                "amqp": creation.get("amqp"),
                "modes": MODES,
            },
            status_code=201,
            headers=NO_STORE,
        )

    @router.post("/{abonnement_id}/secret", response_class=HTMLResponse)
    async def nouveau_secret(request: Request, abonnement_id: str) -> Response:
        api = await ui.gateway.api(request)
        a = await api.get(f"{API}/abonnements/{abonnement_id}")
        response = await api.post(f"{API}/abonnements/{abonnement_id}/secret")
        if a.status_code != 200 or response.status_code >= 400:
            return _refus(ui, request, response if a.status_code == 200 else a)
        return ui.render(
            request,
            "abonnements/secret.html",
            {
                "titre": "Nouveau secret de signature",
                "a": a.json(),
                "secret": response.json()["secret"],
                "amqp": None,
                "modes": MODES,
                "rotation": True,
            },
            headers=NO_STORE,
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

    @router.post("/{abonnement_id}/revocation")
    async def revoquer(request: Request, abonnement_id: str) -> Response:
        return await _action(request, abonnement_id, "revocation", "Abonnement révoqué")

    @router.post("/{abonnement_id}/rejeu")
    async def rejouer(request: Request, abonnement_id: str) -> Response:
        return await _action(
            request, abonnement_id, "lettres-mortes/rejeu", "Rejeu des lettres mortes demandé"
        )

    return PagePackage(
        router, navigation=[NavItem("Abonnements partenaires", "/abonnements", ROLES)]
    )
