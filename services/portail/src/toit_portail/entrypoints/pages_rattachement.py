"""Pages to attach a demande made at a guichet to the logged-in account.

`/mon-espace/rattacher` (numéro unique + date of birth) then
`/mon-espace/rattacher/<id>` (the code received by email). The answers never tell
whether a numéro exists: the first step always says "if these match a demande, a
code was sent", the second refuses a wrong code and an unknown numéro in the same
words (domain/rattachement.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from toit_ui import NotAuthenticated, WebUI
from toit_ui.session import session_of

from servicekit.runtime import ServiceRuntime
from toit_contracts.types import NumeroUnique
from toit_portail.domain.rattachement import ESSAIS_MAX, Verdict
from toit_portail.service_layer import rattachement

LIBELLES = {
    "numero_unique": "Numéro unique",
    "date_naissance": "Date de naissance du demandeur",
    "code": "Code reçu par courriel",
}


async def compte_connecte(ui: WebUI, request: Request) -> str:
    await ui.gateway.api(request)  # raises NotAuthenticated: to the login page
    user = session_of(request).get("user")
    if not user:
        raise NotAuthenticated()
    return str(user["id"])


def _resume(erreurs: dict[str, str]) -> list[dict[str, str]]:
    return [{"champ": c, "message": m, "libelle": LIBELLES.get(c, "")} for c, m in erreurs.items()]


def _date(texte: str) -> date | None:
    try:
        valeur = date.fromisoformat(texte.strip())
    except ValueError:
        return None
    return valeur if date(1900, 1, 1) <= valeur <= date.today() else None


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    router = ui.router()

    def page(request: Request, template: str, ctx: dict[str, Any], status: int = 200) -> Response:
        return ui.render(
            request,
            template,
            {"titre": "Rattacher une demande déposée à un guichet", **ctx},
            status_code=status,
        )

    @router.get("/mon-espace/rattacher")
    async def formulaire(request: Request) -> Response:
        await compte_connecte(ui, request)
        return page(request, "portail/rattacher.html", {})

    @router.post("/mon-espace/rattacher", response_model=None)
    async def demander(
        request: Request,
        numero_unique: str = Form("", max_length=40),
        date_naissance: str = Form("", max_length=20),
    ) -> Response:
        compte = await compte_connecte(ui, request)
        erreurs: dict[str, str] = {}
        numero: str | None = None
        try:
            numero = NumeroUnique.parse(numero_unique).format()
        except ValueError:
            erreurs["numero_unique"] = (
                "Saisissez les 18 caractères du numéro unique, tel qu'il figure sur votre "
                "attestation d'enregistrement (par exemple 0440126000001GU044)"
            )
        naissance = _date(date_naissance)
        if naissance is None:
            erreurs["date_naissance"] = "Saisissez une date de naissance valide"
        saisie = {"numero_unique": numero_unique, "date_naissance": date_naissance}
        if erreurs or numero is None or naissance is None:
            return page(
                request,
                "portail/rattacher.html",
                {"saisie": saisie, "erreurs": erreurs, "resume": _resume(erreurs)},
                400,
            )
        async with runtime.unit_of_work() as uow:
            tentative = await rattachement.demander_code(
                uow, compte, numero, naissance, datetime.now(UTC)
            )
        if tentative is None:
            return page(
                request,
                "portail/rattacher.html",
                {
                    "saisie": saisie,
                    "erreurs": {
                        "__all__": "Trop de demandes de code pour ce compte ou ce numéro : "
                        "réessayez dans une heure, ou adressez-vous à votre guichet."
                    },
                },
                429,
            )
        return ui.redirect(f"/mon-espace/rattacher/{tentative}")

    @router.get("/mon-espace/rattacher/{tentative_id}")
    async def code(request: Request, tentative_id: UUID) -> Response:
        await compte_connecte(ui, request)
        return page(request, "portail/rattacher-code.html", {"tentative_id": tentative_id})

    @router.post("/mon-espace/rattacher/{tentative_id}", response_model=None)
    async def confirmer(
        request: Request, tentative_id: UUID, code: str = Form("", max_length=20)
    ) -> Response:
        compte = await compte_connecte(ui, request)
        saisi = "".join(code.split())
        if not (len(saisi) == 8 and saisi.isdigit()):
            erreurs = {"code": "Saisissez les 8 chiffres du code reçu par courriel"}
            return page(
                request,
                "portail/rattacher-code.html",
                {"tentative_id": tentative_id, "erreurs": erreurs, "resume": _resume(erreurs)},
                400,
            )
        async with runtime.unit_of_work() as uow:
            verdict = await rattachement.confirmer(
                uow, tentative_id, compte, saisi, datetime.now(UTC)
            )
        if verdict is None:
            return ui.redirect("/mon-espace/rattacher")
        if verdict is Verdict.CONFIRMEE:
            ui.flash(request, "succes", "Votre demande est rattachée à votre compte.")
            return ui.redirect("/mon-espace")
        if verdict is Verdict.EPUISEE:
            ui.flash(
                request,
                "erreur",
                "Ce code n'est plus valable (expiré, déjà utilisé ou trop d'essais) : "
                "demandez-en un nouveau.",
            )
            return ui.redirect("/mon-espace/rattacher")
        erreurs = {
            "code": "Code incorrect, ou numéro et date de naissance qui ne correspondent à "
            f"aucune demande (au plus {ESSAIS_MAX} essais)"
        }
        return page(
            request,
            "portail/rattacher-code.html",
            {"tentative_id": tentative_id, "erreurs": erreurs, "resume": _resume(erreurs)},
            400,
        )

    return router
