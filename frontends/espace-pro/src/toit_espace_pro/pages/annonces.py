"""Announcements of the fichier (gestionnaire): list, publish, edit (If-Match), expire.
The home page shows those addressed to the user (pages/accueil.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from toit_ui import WebUI, session_of

from toit_espace_pro import saisie
from toit_espace_pro.libelles import ROLES, TYPES_ORGANISATION
from toit_espace_pro.pages.commun import detail, refus

PARIS = ZoneInfo("Europe/Paris")
NIVEAUX = [("INFORMATION", "Information"), ("IMPORTANT", "Important"), ("ALERTE", "Alerte")]
TONS = {"INFORMATION": "info", "IMPORTANT": "avertissement", "ALERTE": "erreur"}
LIBELLES = {
    "departement": "Département",
    "titre": "Titre",
    "texte": "Texte",
    "niveau": "Niveau",
    "roles": "Rôles destinataires",
    "types_organisation": "Types d'organisation destinataires",
    "debut": "Afficher à partir du",
    "fin": "Afficher jusqu'au",
}


def _jour(valeur: str, champ: str, erreurs: list[dict[str, str]]) -> date | None:
    if not valeur:
        return None
    try:
        return date.fromisoformat(valeur)
    except ValueError:
        erreurs.append(
            {"champ": champ, "message": "date attendue (jj/mm/aaaa)", "libelle": LIBELLES[champ]}
        )
        return None


def _etat(annonce: dict[str, Any], maintenant: datetime) -> tuple[str, str]:
    debut = datetime.fromisoformat(annonce["debut"])
    fin = datetime.fromisoformat(annonce["fin"]) if annonce["fin"] else None
    if fin is not None and fin <= maintenant:
        return "Expirée", "neutre"
    if debut > maintenant:
        return "À venir", "info"
    return "Affichée", "succes"


def destinataires(annonce: dict[str, Any]) -> str:
    types = dict(TYPES_ORGANISATION)
    noms = [ROLES.get(r, r) for r in annonce["roles"]]
    noms += [types.get(t, t) for t in annonce["types_organisation"]]
    return ", ".join(noms) or "Tous les professionnels"


def _valeurs(annonce: dict[str, Any]) -> dict[str, Any]:
    """The form's values from an announcement of the API (dates in Paris time)."""
    debut = datetime.fromisoformat(annonce["debut"]).astimezone(PARIS).date()
    fin = annonce.get("fin")
    # The form's "until" day is the last day shown: the API's end is the next midnight.
    dernier_jour = (
        (datetime.fromisoformat(fin).astimezone(PARIS) - timedelta(seconds=1)).date()
        if fin
        else None
    )
    return {
        **annonce,
        "debut": debut.isoformat(),
        "fin": dernier_jour.isoformat() if dernier_jour else "",
    }


def routes(ui: WebUI) -> APIRouter:
    router = ui.router(prefix="/annonces")

    def contexte(
        request: Request,
        valeurs: dict[str, Any],
        erreurs: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        user = session_of(request).get("user") or {}
        return {
            "valeurs": valeurs,
            "erreurs": erreurs or [],
            "messages": {e["champ"]: e["message"] for e in erreurs or []},
            "departements": [(d, d) for d in user.get("departements", [])],
            "niveaux": NIVEAUX,
            "roles": list(ROLES.items()),
            "types": TYPES_ORGANISATION,
        }

    async def page_liste(
        request: Request,
        erreurs: list[dict[str, str]] | None = None,
        valeurs: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get("/api/identite/annonces")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        maintenant = datetime.now(PARIS)
        user = session_of(request).get("user") or {}
        annonces = [
            {**a, "etat": _etat(a, maintenant), "destinataires": destinataires(a)}
            for a in reponse.json()
        ]
        defaut = {"departement": (user.get("departements") or [""])[0], "niveau": "INFORMATION"}
        return ui.render(
            request,
            "pro/annonces.html",
            {
                "titre": "Annonces",
                "annonces": annonces,
                "tons": TONS,
                **contexte(request, valeurs or defaut, erreurs),
            },
            status_code=status_code,
        )

    def corps(form: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
        erreurs: list[dict[str, str]] = []
        debut = _jour(form["debut"], "debut", erreurs)
        fin = _jour(form["fin"], "fin", erreurs)
        return {
            "departement": form["departement"],
            "titre": form["titre"].strip(),
            "texte": form["texte"].strip(),
            "niveau": form["niveau"] or "INFORMATION",
            "roles": form["roles"],
            "types_organisation": form["types_organisation"],
            # A day in Paris: from its midnight; "until" includes the whole last day.
            "debut": datetime.combine(debut, time(), PARIS).isoformat() if debut else None,
            "fin": (
                datetime.combine(fin + timedelta(days=1), time(), PARIS).isoformat()
                if fin
                else None
            ),
        }, erreurs

    async def formulaire(request: Request) -> dict[str, Any]:
        form = await request.form()

        def texte(nom: str, taille: int) -> str:
            valeur = form.get(nom)
            return valeur[:taille] if isinstance(valeur, str) else ""

        def liste(nom: str) -> list[str]:
            return [v[:40] for v in form.getlist(nom) if isinstance(v, str)][:12]

        return {
            "departement": texte("departement", 3),
            "titre": texte("titre", 200),
            "texte": texte("texte", 2000),
            "niveau": texte("niveau", 20),
            "roles": liste("roles"),
            "types_organisation": liste("types_organisation"),
            "debut": texte("debut", 10),
            "fin": texte("fin", 10),
            "version": texte("version", 12),
        }

    @router.get("", response_model=None)
    async def annonces(request: Request) -> Response:
        return await page_liste(request)

    @router.post("", response_model=None)
    async def publier(request: Request) -> Response:
        form = await formulaire(request)
        donnees, erreurs = corps(form)
        if not erreurs:
            api = await ui.gateway.api(request)
            reponse = await api.post("/api/identite/annonces", json=donnees)
            if reponse.status_code == 201:
                ui.flash(request, "succes", f"Annonce « {reponse.json()['titre']} » publiée.")
                return ui.redirect("/annonces")
            if reponse.status_code != 422:
                return refus(ui, request, reponse)
            erreurs = saisie.erreurs(reponse.json(), LIBELLES)
        return await page_liste(request, erreurs, form, 422)

    async def page_edition(
        request: Request,
        annonce_id: UUID,
        valeurs: dict[str, Any],
        erreurs: list[dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Response:
        return ui.render(
            request,
            "pro/annonce.html",
            {
                "titre": "Modifier une annonce",
                "annonce_id": annonce_id,
                **contexte(request, valeurs, erreurs),
            },
            status_code=status_code,
        )

    @router.get("/{annonce_id}", response_model=None)
    async def edition(request: Request, annonce_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get(f"/api/identite/annonces/{annonce_id}")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        return await page_edition(request, annonce_id, _valeurs(reponse.json()))

    @router.post("/{annonce_id}", response_model=None)
    async def modifier(request: Request, annonce_id: UUID) -> Response:
        form = await formulaire(request)
        donnees, erreurs = corps(form)
        if not erreurs:
            api = await ui.gateway.api(request)
            reponse = await api.put(
                f"/api/identite/annonces/{annonce_id}",
                json=donnees,
                headers={"If-Match": f'"{form["version"]}"'},
            )
            if reponse.status_code == 200:
                ui.flash(request, "succes", f"Annonce « {reponse.json()['titre']} » modifiée.")
                return ui.redirect("/annonces")
            if reponse.status_code in (412, 428):
                ui.flash(
                    request,
                    "erreur",
                    "Cette annonce a été modifiée entre-temps par un autre gestionnaire : "
                    "voici sa version actuelle, rien n'a été écrasé.",
                )
                return ui.redirect(f"/annonces/{annonce_id}")
            if reponse.status_code != 422:
                return refus(ui, request, reponse)
            erreurs = saisie.erreurs(reponse.json(), LIBELLES)
        return await page_edition(request, annonce_id, form, erreurs, 422)

    @router.post("/{annonce_id}/expiration", response_model=None)
    async def expirer(request: Request, annonce_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.post(f"/api/identite/annonces/{annonce_id}/expiration")
        if reponse.status_code == 409:
            ui.flash(request, "erreur", f"Action impossible : {detail(reponse)}")
            return ui.redirect("/annonces")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        ui.flash(
            request,
            "succes",
            f"Annonce « {reponse.json()['titre']} » expirée : elle n'est plus affichée.",
        )
        return ui.redirect("/annonces")

    return router
