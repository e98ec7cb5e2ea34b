"""CALEOL screens of the espace professionnel: commissions and sessions, the agenda, the
dossier with its remote vote (open, vote, thread, result), the decisions and the minutes,
the offers and their deadlines. Pages call the public API through the gateway with the
user's token, like matching's other screens; they work without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import NavItem, WebUI

from toit_matching.domain.caleol import LIBELLES_QUALITE
from toit_matching.web.offres import ajouter_pages_offres

CALEOL = frozenset({"INSTRUCTEUR", "GESTIONNAIRE_FICHIER", "MEMBRE_CALEOL"})
BAILLEUR = frozenset({"INSTRUCTEUR", "GESTIONNAIRE_FICHIER"})
PARIS = ZoneInfo("Europe/Paris")
CHOIX = [
    ("ATTRIBUER", "Attribuer (classer les candidats)"),
    ("NE_PAS_ATTRIBUER", "Ne pas attribuer"),
    ("REJETER", "Rejeter (irrecevable)"),
    ("REPORTER", "Reporter en commission physique"),
]
SENS = [
    ("ATTRIBUTION", "a) Attribution"),
    ("ATTRIBUTION_RANG", "b) Attribution par ordre de priorité"),
    ("ATTRIBUTION_SOUS_CONDITION", "c) Attribution sous condition suspensive"),
    ("NON_ATTRIBUTION", "d) Non-attribution (motivée)"),
    ("IRRECEVABILITE", "e) Irrecevabilité (fondement légal)"),
]
FONDEMENTS = [
    ("PLAFOND_RESSOURCES", "Ressources au-dessus du plafond"),
    ("SEJOUR_IRREGULIER", "Séjour irrégulier d'un majeur du ménage"),
]
DEPARTEMENTS = ("22", "29", "35", "44", "49", "53", "56", "72", "85")
MODES = [("PRESENTIELLE", "Séance physique"), ("NUMERIQUE", "CALEOL numérique (vote à distance)")]
NAVIGATION = [
    NavItem("CALEOL", "/matching/caleol", CALEOL),
    NavItem("Offres", "/matching/offres", BAILLEUR),
]


def _message(reponse: Any) -> str:
    try:
        corps = reponse.json()
    except ValueError:
        return "Le service n'a pas répondu correctement : réessayez."
    erreurs = corps.get("erreurs") if isinstance(corps, dict) else None
    if erreurs:
        return "; ".join(f"{e.get('champ')} : {e.get('message')}" for e in erreurs)
    detail = corps.get("detail") if isinstance(corps, dict) else None
    return detail if isinstance(detail, str) else "Requête refusée"


def ajouter_pages(ui: WebUI, router: APIRouter) -> None:
    def page(request: Request, modele: str, titre: str, **ctx: Any) -> HTMLResponse:
        return ui.render(request, f"matching/caleol/{modele}", {"titre": titre, **ctx})

    async def refus(request: Request, reponse: Any, retour: str) -> Response:
        ui.flash(request, "erreur", _message(reponse))
        return ui.redirect(retour)

    async def envoyer(
        request: Request,
        chemin: str,
        corps: Any,
        *,
        attendu: int,
        retour: str,
        succes: str,
        vers: Callable[[Any], str] | None = None,
    ) -> Response:
        """POST to the API; its refusal goes back to `retour` in French, its success to
        `vers(answer)` (or `retour`) with `succes`."""
        api = await ui.gateway.api(request)
        r = await api.post(chemin, json=corps)
        if r.status_code != attendu:
            return await refus(request, r, retour)
        ui.flash(request, "succes", succes)
        return ui.redirect(retour if vers is None else vers(r.json()))

    @router.get("/caleol", response_class=HTMLResponse)
    async def commissions(request: Request) -> HTMLResponse:
        api = await ui.gateway.api(request)
        liste = (await api.get("/api/matching/commissions")).json()
        details = [(await api.get(f"/api/matching/commissions/{c['id']}")).json() for c in liste]
        return page(
            request,
            "commissions.html",
            "Commissions d'attribution",
            commissions=details,
            departements=[(d, d) for d in DEPARTEMENTS],
        )

    @router.get("/caleol/commissions/{commission_id}", response_class=HTMLResponse)
    async def commission(request: Request, commission_id: str) -> Response:
        api = await ui.gateway.api(request)
        r = await api.get(f"/api/matching/commissions/{commission_id}")
        if r.status_code != 200:
            return ui.error_page(request, r.status_code, "Commission introuvable", _message(r))
        return page(
            request,
            "commission.html",
            r.json()["nom"],
            c=r.json(),
            qualites=[(q.value, libelle) for q, libelle in LIBELLES_QUALITE.items()],
            modes=MODES,
            seance_defaut=(datetime.now(PARIS) + timedelta(days=7))
            .replace(hour=10, minute=0)
            .strftime("%Y-%m-%dT%H:%M"),
        )

    @router.post("/caleol/commissions", response_class=HTMLResponse)
    async def creer_commission(request: Request) -> Response:
        f = await request.form()
        corps = {
            "nom": str(f.get("nom") or "").strip(),
            "departement": str(f.get("departement") or ""),
            "territoire": str(f.get("territoire") or "").strip() or None,
            "epci_preponderant": f.get("epci_preponderant") == "oui",
        }
        return await envoyer(
            request,
            "/api/matching/commissions",
            corps,
            attendu=201,
            retour="/matching/caleol",
            succes="Commission créée : ajoutez ses membres et ses séances",
            vers=lambda c: f"/matching/caleol/commissions/{c['id']}",
        )

    @router.post("/caleol/commissions/{commission_id}/membres", response_class=HTMLResponse)
    async def ajouter_membre(request: Request, commission_id: str) -> Response:
        f = await request.form()
        corps: dict[str, Any] = {
            "compte_id": str(f.get("compte_id") or "").strip(),
            "nom": str(f.get("nom") or "").strip(),
            "qualite": str(f.get("qualite") or ""),
            "president": f.get("president") == "oui",
        }
        for champ in ("commune", "epci", "reservataire_id"):
            if valeur := str(f.get(champ) or "").strip():
                corps[champ] = valeur
        return await envoyer(
            request,
            f"/api/matching/commissions/{commission_id}/membres",
            corps,
            attendu=201,
            retour=f"/matching/caleol/commissions/{commission_id}",
            succes="Membre ajouté",
        )

    @router.post("/caleol/commissions/{commission_id}/seances", response_class=HTMLResponse)
    async def creer_seance(request: Request, commission_id: str) -> Response:
        f = await request.form()
        retour = f"/matching/caleol/commissions/{commission_id}"
        try:
            quand = datetime.fromisoformat(str(f.get("date_seance") or "")).replace(tzinfo=PARIS)
        except ValueError:
            ui.flash(request, "erreur", "date_seance : date et heure attendues")
            return ui.redirect(retour)
        corps = {
            "reference": str(f.get("reference") or "").strip(),
            "date_seance": quand.isoformat(),
            "mode": str(f.get("mode") or ""),
        }
        return await envoyer(
            request,
            f"/api/matching/commissions/{commission_id}/seances",
            corps,
            attendu=201,
            retour=retour,
            succes="Séance créée : inscrivez-y les logements désignés",
            vers=lambda x: f"/matching/caleol/seances/{x['id']}",
        )

    @router.get("/caleol/seances/{seance_id}", response_class=HTMLResponse)
    async def seance(request: Request, seance_id: str) -> Response:
        api = await ui.gateway.api(request)
        r = await api.get(f"/api/matching/seances/{seance_id}")
        if r.status_code != 200:
            return ui.error_page(request, r.status_code, "Séance introuvable", _message(r))
        vacances = await api.get("/api/matching/vacances")
        designees = [
            v
            for v in (vacances.json() if vacances.status_code == 200 else [])
            if isinstance(v, dict) and v.get("statut") == "DESIGNEE"
        ]
        return page(request, "seance.html", "Séance", seance=r.json(), designees=designees)

    @router.post("/caleol/seances/{seance_id}/dossiers", response_class=HTMLResponse)
    async def inscrire(request: Request, seance_id: str) -> Response:
        f = await request.form()
        return await envoyer(
            request,
            f"/api/matching/seances/{seance_id}/dossiers",
            {"vacance_id": str(f.get("vacance_id") or "")},
            attendu=201,
            retour=f"/matching/caleol/seances/{seance_id}",
            succes="Dossier inscrit à l'ordre du jour",
            vers=lambda d: f"/matching/caleol/dossiers/{d['id']}",
        )

    @router.post("/caleol/seances/{seance_id}/signature", response_class=HTMLResponse)
    async def signer(request: Request, seance_id: str) -> Response:
        return await envoyer(
            request,
            f"/api/matching/seances/{seance_id}/proces-verbal/signature",
            None,
            attendu=200,
            retour=f"/matching/caleol/seances/{seance_id}",
            succes="Procès-verbal signé",
        )

    @router.get("/caleol/seances/{seance_id}/proces-verbal.pdf")
    async def proces_verbal(request: Request, seance_id: str) -> Response:
        api = await ui.gateway.api(request)
        r = await api.get(f"/api/matching/seances/{seance_id}/proces-verbal.pdf")
        if r.status_code != 200:
            return ui.error_page(request, r.status_code, "Procès-verbal indisponible", _message(r))
        return Response(
            r.content,
            media_type="application/pdf",
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": f'inline; filename="proces-verbal-{seance_id}.pdf"',
            },
        )

    @router.get("/caleol/dossiers/{dossier_id}", response_class=HTMLResponse)
    async def dossier(request: Request, dossier_id: str) -> Response:
        api = await ui.gateway.api(request)
        r = await api.get(f"/api/matching/dossiers/{dossier_id}")
        if r.status_code != 200:
            return ui.error_page(request, r.status_code, "Dossier introuvable", _message(r))
        d = r.json()
        c = await api.get(f"/api/matching/dossiers/{dossier_id}/comparateur")
        limite_defaut = (datetime.now(PARIS) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        return page(
            request,
            "dossier.html",
            "Dossier",
            d=d,
            comparaison=c.json() if c.status_code == 200 else None,
            choix=CHOIX,
            sens=SENS,
            fondements=FONDEMENTS,
            limite_defaut=limite_defaut,
            libelles_choix=dict(CHOIX),
            libelles_sens=dict(SENS),
        )

    @router.post("/caleol/dossiers/{dossier_id}/vote", response_class=HTMLResponse)
    async def ouvrir(request: Request, dossier_id: str) -> Response:
        f = await request.form()
        texte = str(f.get("date_limite") or "")
        retour = f"/matching/caleol/dossiers/{dossier_id}"
        try:
            limite = datetime.fromisoformat(texte).replace(tzinfo=PARIS).astimezone(UTC)
        except ValueError:
            ui.flash(request, "erreur", "date_limite : date et heure attendues")
            return ui.redirect(retour)
        return await envoyer(
            request,
            f"/api/matching/dossiers/{dossier_id}/vote",
            {"date_limite": limite.isoformat()},
            attendu=200,
            retour=retour,
            succes="Vote à distance ouvert",
        )

    @router.post("/caleol/dossiers/{dossier_id}/bulletin", response_class=HTMLResponse)
    async def voter(request: Request, dossier_id: str) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        choix = str(f.get("choix") or "")
        rangs = sorted(
            ((str(f.get(k)), k.removeprefix("rang-")) for k in f if k.startswith("rang-")),
            key=lambda x: x[0],
        )
        corps: dict[str, Any] = {
            "choix": choix,
            "rangs": [d for r, d in rangs if r.isdigit()] if choix == "ATTRIBUER" else [],
            "commentaire": str(f.get("commentaire") or "").strip() or None,
        }
        retour = f"/matching/caleol/dossiers/{dossier_id}"
        r = await api.put(f"/api/matching/dossiers/{dossier_id}/vote/bulletin", json=corps)
        if r.status_code != 200:
            return await refus(request, r, retour)
        ui.flash(request, "succes", "Vote enregistré (modifiable jusqu'à la clôture)")
        return ui.redirect(retour)

    @router.post("/caleol/dossiers/{dossier_id}/messages", response_class=HTMLResponse)
    async def ecrire(request: Request, dossier_id: str) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        retour = f"/matching/caleol/dossiers/{dossier_id}"
        r = await api.post(
            f"/api/matching/dossiers/{dossier_id}/messages",
            json={"texte": str(f.get("texte") or "")[:2000]},
        )
        if r.status_code != 201:
            return await refus(request, r, retour)
        return ui.redirect(retour + "#fil")

    @router.post("/caleol/dossiers/{dossier_id}/decision", response_class=HTMLResponse)
    async def decider(request: Request, dossier_id: str) -> Response:
        f = await request.form()
        decisions = []
        for cle in f:
            if not cle.startswith("sens-"):
                continue
            demande = cle.removeprefix("sens-")
            sens = str(f.get(cle) or "")
            if not sens:
                continue
            rang = str(f.get(f"rang-{demande}") or "")
            decisions.append(
                {
                    "demande_id": demande,
                    "sens": sens,
                    "rang": int(rang) if rang.isdigit() else None,
                    "motifs": str(f.get(f"motifs-{demande}") or "").strip() or None,
                    "fondement": str(f.get(f"fondement-{demande}") or "") or None,
                    "piece": str(f.get(f"piece-{demande}") or "").strip() or None,
                    "date_limite_piece": str(f.get(f"date-{demande}") or "") or None,
                }
            )
        return await envoyer(
            request,
            f"/api/matching/dossiers/{dossier_id}/decision",
            {"decisions": decisions},
            attendu=200,
            retour=f"/matching/caleol/dossiers/{dossier_id}",
            succes="Décision enregistrée ; l'offre part au rang 1",
        )

    ajouter_pages_offres(ui, router, page, refus, envoyer)
