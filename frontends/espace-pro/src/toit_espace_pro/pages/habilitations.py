"""An account's habilitations (roles, perimeter, validity): the form sends the change
with If-Match; identite decides who may grant what (its French refusals are shown
field by field) and journals each change with its author, listed below the form."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from toit_ui import WebUI, session_of

from toit_espace_pro import saisie
from toit_espace_pro.libelles import ROLES
from toit_espace_pro.pages.commun import refus, roles

LIBELLES = {
    "roles": "Rôles",
    "departements": "Départements",
    "epcis": "EPCI (SIREN)",
    "communes": "Communes (codes INSEE)",
    "valide_du": "Valide du",
    "valide_jusqu_au": "Valide jusqu'au",
    "organisation_id": "Organisation",
}
OPERATIONS = {
    "COMPTE_CREE": "Compte créé",
    "ROLE_ACCORDE": "Rôle accordé",
    "ROLE_RETIRE": "Rôle retiré",
    "PERIMETRE_MODIFIE": "Périmètre ou validité modifiés",
    "COMPTE_DESACTIVE": "Compte désactivé",
    "COMPTE_REACTIVE": "Compte réactivé",
}


def _liste(texte: str) -> list[str]:
    return [v.strip() for v in texte.replace(";", ",").split(",") if v.strip()][:500]


def _details(operation: str, details: dict[str, Any]) -> str:
    if operation in ("ROLE_ACCORDE", "ROLE_RETIRE"):
        return ROLES.get(details.get("role", ""), str(details.get("role", "")))
    morceaux = []
    for cle, libelle in (
        ("departements", "départements"),
        ("epcis", "EPCI"),
        ("communes", "communes"),
        ("valide_jusqu_au", "valide jusqu'au"),
        ("motif", "motif"),
    ):
        valeur = details.get(cle)
        if valeur in (None, [], "None"):
            continue
        morceaux.append(f"{libelle} : {', '.join(valeur) if isinstance(valeur, list) else valeur}")
    return " ; ".join(morceaux)


def routes(ui: WebUI) -> APIRouter:
    router = ui.router(prefix="/comptes")

    async def page(
        request: Request,
        compte_id: UUID,
        valeurs: dict[str, Any] | None = None,
        erreurs: list[dict[str, str]] | None = None,
        status_code: int = 200,
    ) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get(f"/api/identite/comptes/{compte_id}")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        compte = reponse.json()
        journal = await api.get(f"/api/identite/comptes/{compte_id}/journal")
        organisation = await api.get(f"/api/identite/organisations/{compte['organisation_id']}")
        comptes = await api.get("/api/identite/comptes")
        noms = (
            {c["id"]: f"{c['prenom']} {c['nom']} ({c['identifiant']})" for c in comptes.json()}
            if comptes.status_code == 200
            else {}
        )
        user = session_of(request).get("user") or {}
        noms[user.get("id", "")] = noms.get(user.get("id", ""), "Vous")
        lignes = [
            {
                "date": datetime.fromisoformat(j["date"]),
                "auteur": (
                    "Le système"
                    if j["auteur"] is None
                    else noms.get(j["auteur"], "Un administrateur")
                ),
                "operation": OPERATIONS.get(j["operation"], j["operation"]),
                "details": _details(j["operation"], j["details"]),
            }
            for j in (journal.json() if journal.status_code == 200 else [])
        ]
        # Who may grant what is identite's rule; the form offers the roles one may grant.
        offerts = [
            (code, libelle)
            for code, libelle in ROLES.items()
            if code != "GESTIONNAIRE_FICHIER" or "GESTIONNAIRE_FICHIER" in roles(request)
        ]
        valeurs = valeurs or {
            "roles": compte["roles"],
            "departements": ", ".join(compte["departements"]),
            "epcis": ", ".join(compte["epcis"]),
            "communes": ", ".join(compte["communes"]),
            "valide_du": compte["valide_du"] or "",
            "valide_jusqu_au": compte["valide_jusqu_au"] or "",
            "version": compte["version"],
        }
        return ui.render(
            request,
            "pro/habilitations.html",
            {
                "titre": f"Habilitations de {compte['prenom']} {compte['nom']}",
                "compte": compte,
                "organisation": organisation.json() if organisation.status_code == 200 else None,
                "soi_meme": compte["id"] == user.get("id"),
                "journal": list(reversed(lignes)),
                "roles_offerts": offerts,
                "valeurs": valeurs,
                "erreurs": erreurs or [],
                "messages": {e["champ"]: e["message"] for e in erreurs or []},
            },
            status_code=status_code,
        )

    @router.get("/{compte_id}", response_model=None)
    async def habilitations(request: Request, compte_id: UUID) -> Response:
        return await page(request, compte_id)

    @router.post("/{compte_id}/habilitation", response_model=None)
    async def modifier(request: Request, compte_id: UUID) -> Response:
        form = await request.form()

        def texte(nom: str, taille: int) -> str:
            valeur = form.get(nom)
            return valeur[:taille] if isinstance(valeur, str) else ""

        valeurs: dict[str, Any] = {
            "roles": [r[:40] for r in form.getlist("roles") if isinstance(r, str)][:10],
            "departements": texte("departements", 100),
            "epcis": texte("epcis", 1000),
            "communes": texte("communes", 4000),
            "valide_du": texte("valide_du", 10),
            "valide_jusqu_au": texte("valide_jusqu_au", 10),
            "version": texte("version", 12),
        }
        corps = {
            "roles": valeurs["roles"],
            "departements": _liste(texte("departements", 100)),
            "epcis": _liste(texte("epcis", 1000)),
            "communes": _liste(texte("communes", 4000)),
            "valide_du": valeurs["valide_du"] or None,
            "valide_jusqu_au": valeurs["valide_jusqu_au"] or None,
        }
        api = await ui.gateway.api(request)
        reponse = await api.put(
            f"/api/identite/comptes/{compte_id}/habilitation",
            json=corps,
            headers={"If-Match": f'"{valeurs["version"]}"'},
        )
        if reponse.status_code == 200:
            ui.flash(request, "succes", "Habilitations enregistrées.")
            return ui.redirect(f"/comptes/{compte_id}")
        if reponse.status_code in (412, 428):
            ui.flash(
                request,
                "erreur",
                "Ce compte a été modifié entre-temps par un autre administrateur : voici "
                "ses habilitations actuelles, rien n'a été écrasé.",
            )
            return ui.redirect(f"/comptes/{compte_id}")
        if reponse.status_code == 422:
            erreurs = saisie.erreurs(reponse.json(), LIBELLES)
            for e in erreurs:  # pydantic paths of list items: "communes.0" -> "communes"
                e["champ"] = e["champ"].split(".")[0]
                e["libelle"] = LIBELLES.get(e["champ"], e["champ"])
            return await page(request, compte_id, valeurs, erreurs, 422)
        return refus(ui, request, reponse)

    return router
