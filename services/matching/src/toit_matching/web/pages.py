"""Matching screens contributed to the espace professionnel (toit_ui.pages).

Every page calls the public API through the gateway with the user's token
(`ui.gateway.api(request)`): no import of the service's internals, the same
authorisation and traces as any other client. Pages work without JavaScript; the
comparateur's map is an enhancement (Leaflet, vendored) beside a table holding the same
information."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import NavItem, WebUI
from toit_ui.pages import PagePackage

from toit_matching.settings import MatchingSettings
from toit_matching.web.caleol import NAVIGATION as NAVIGATION_CALEOL
from toit_matching.web.caleol import ajouter_pages

BAILLEUR = frozenset({"INSTRUCTEUR", "GESTIONNAIRE_FICHIER"})
RECHERCHE = frozenset({"INSTRUCTEUR", "GESTIONNAIRE_FICHIER", "RESERVATAIRE"})
CONTINGENTS = [
    ("ETAT_PRIORITAIRES", "État — publics prioritaires"),
    ("ETAT_FONCTIONNAIRES", "État — agents publics"),
    ("ACTION_LOGEMENT", "Action Logement"),
    ("COLLECTIVITES", "Collectivités territoriales"),
    ("BAILLEUR", "Bailleur (non réservé)"),
]
LIBELLE_CONTINGENT = dict(CONTINGENTS)
MOTIFS_RETRAIT = {
    "PREAVIS_ANNULE": "Préavis annulé par le locataire sortant",
    "TRAVAUX": "Travaux",
    "VENTE": "Vente",
    "DEMOLITION": "Démolition",
    "AUTRE": "Autre motif",
}
EXCEPTIONS = [
    ("PAS_ASSEZ_DE_CANDIDATS", "Pas assez de candidats"),
    ("DALO_DESIGNE_SEUL", "Ménage DALO désigné seul"),
]


def _erreurs(reponse: Any) -> tuple[str, list[dict[str, str]]]:
    """The French message and field errors of an API refusal."""
    try:
        corps = reponse.json()
    except ValueError:
        return "Le service n'a pas répondu correctement : réessayez.", []
    detail = corps.get("detail") if isinstance(corps, dict) else None
    erreurs = corps.get("erreurs", []) if isinstance(corps, dict) else []
    return (detail if isinstance(detail, str) else "Requête refusée"), list(erreurs or [])


def pages(ui: WebUI) -> PagePackage:
    router = ui.router(prefix="/matching")
    tuiles = MatchingSettings().matching_tuiles_url

    def page(request: Request, modele: str, titre: str, **ctx: Any) -> HTMLResponse:
        erreurs = ctx.setdefault("erreurs", [])
        ctx["champs"] = {e.get("champ", ""): e.get("message", "") for e in erreurs}
        return ui.render(request, f"matching/{modele}", {"titre": titre, **ctx})

    # --- Patrimoine ---------------------------------------------------------------------------

    @router.get("/patrimoine", response_class=HTMLResponse)
    async def patrimoine(request: Request, page_no: int = 1) -> HTMLResponse:
        api = await ui.gateway.api(request)
        imports = await api.get("/api/matching/patrimoine/imports")
        logements = await api.get(
            "/api/matching/patrimoine/logements", params={"page": page_no, "par_page": 25}
        )
        return page(
            request,
            "patrimoine.html",
            "Patrimoine",
            imports=imports.json() if imports.status_code == 200 else [],
            logements=logements.json() if logements.status_code == 200 else None,
            rapport=None,
            page_url=lambda n: ui.url("/matching/patrimoine", page_no=n),
        )

    @router.post("/patrimoine/import", response_class=HTMLResponse)
    async def importer(request: Request) -> HTMLResponse:
        api = await ui.gateway.api(request)
        formulaire = await request.form()
        fichier = formulaire.get("fichier")
        erreurs: list[dict[str, str]] = []
        rapport = None
        if fichier is None or isinstance(fichier, str) or not fichier.filename:
            erreurs.append({"champ": "fichier", "message": "choisissez un fichier CSV ou JSON"})
        else:
            contenu = await fichier.read()
            nom = fichier.filename
            format = "json" if nom.lower().endswith(".json") else "csv"
            reponse = await api.post(
                "/api/matching/patrimoine/imports",
                params={"format": format, "nom_fichier": nom[:200]},
                content=contenu,
                headers={"Content-Type": "application/octet-stream"},
            )
            if reponse.status_code in (201, 422) and "statut" in reponse.json():
                rapport = reponse.json()
            else:
                message, erreurs = _erreurs(reponse)
                erreurs = erreurs or [{"champ": "fichier", "message": message}]
        imports = await api.get("/api/matching/patrimoine/imports")
        return page(
            request,
            "patrimoine.html",
            "Patrimoine",
            imports=imports.json() if imports.status_code == 200 else [],
            logements=None,
            rapport=rapport,
            erreurs=erreurs,
        )

    # --- Vacances -----------------------------------------------------------------------------

    @router.get("/vacances", response_class=HTMLResponse)
    async def liste_vacances(request: Request) -> HTMLResponse:
        api = await ui.gateway.api(request)
        reponse = await api.get("/api/matching/vacances")
        return page(
            request,
            "vacances.html",
            "Vacances",
            vacances=reponse.json() if reponse.status_code == 200 else [],
            erreurs=[],
            saisie={},
        )

    @router.post("/vacances", response_class=HTMLResponse)
    async def declarer(request: Request) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        saisie = {k: str(f.get(k) or "").strip() for k in ("rpls", "type", "date_disponibilite")}
        reponse = await api.post("/api/matching/vacances", json=saisie)
        if reponse.status_code == 201:
            ui.flash(request, "succes", "Vacance déclarée")
            return ui.redirect(f"/matching/vacances/{reponse.json()['id']}")
        message, erreurs = _erreurs(reponse)
        liste = await api.get("/api/matching/vacances")
        return page(
            request,
            "vacances.html",
            "Vacances",
            vacances=liste.json() if liste.status_code == 200 else [],
            erreurs=erreurs or [{"champ": "rpls", "message": message}],
            saisie=saisie,
        )

    async def _vacance(request: Request, vacance_id: str, **ctx: Any) -> HTMLResponse:
        api = await ui.gateway.api(request)
        reponse = await api.get(f"/api/matching/vacances/{vacance_id}")
        if reponse.status_code != 200:
            return ui.error_page(request, 404, "Vacance introuvable", _erreurs(reponse)[0])
        vacance = reponse.json()
        conventions = await api.get(
            "/api/matching/conventions",
            params={"annee": vacance["date_disponibilite"][:4]},
        )
        choix = []
        for c in conventions.json() if conventions.status_code == 200 else []:
            if c["bailleur_id"] != vacance["bailleur_id"]:
                continue
            for contingent in c["parts"]:
                libelle = LIBELLE_CONTINGENT.get(contingent, contingent)
                choix.append(
                    (f"{c['reservataire_id']}|{contingent}", f"{c['reservataire_nom']} — {libelle}")
                )
        choix.append(("|BAILLEUR", "Contingent du bailleur (non réservé)"))
        return page(
            request,
            "vacance.html",
            f"Vacance du logement {vacance['rpls']}",
            vacance=vacance,
            choix=choix,
            libelles=LIBELLE_CONTINGENT,
            motifs_retrait=MOTIFS_RETRAIT,
            erreurs=ctx.get("erreurs", []),
        )

    @router.get("/vacances/{vacance_id}", response_class=HTMLResponse)
    async def vacance(request: Request, vacance_id: str) -> HTMLResponse:
        return await _vacance(request, vacance_id)

    @router.post("/vacances/{vacance_id}/orientation", response_class=HTMLResponse)
    async def orienter(request: Request, vacance_id: str) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        choix = str(f.get("orientation") or "")
        motif = str(f.get("motif_hors_flux") or "").strip()
        if motif:
            corps: dict[str, Any] = {"motif_hors_flux": motif}
        elif "|" in choix:
            reservataire, contingent = choix.split("|", 1)
            corps = {"contingent": contingent, "reservataire_id": reservataire or None}
        else:
            return await _vacance(
                request,
                vacance_id,
                erreurs=[{"champ": "orientation", "message": "choisissez un contingent"}],
            )
        reponse = await api.post(
            f"/api/matching/vacances/{vacance_id}/orientation",
            json=corps,
            headers={"If-Match": f'"{f.get("version") or ""}"'} if f.get("version") else {},
        )
        if reponse.status_code == 200:
            ui.flash(request, "succes", "Vacance orientée")
            return ui.redirect(f"/matching/vacances/{vacance_id}")
        message, erreurs = _erreurs(reponse)
        return await _vacance(
            request,
            vacance_id,
            erreurs=[{"champ": "orientation", "message": e["message"]} for e in erreurs]
            or [{"champ": "orientation", "message": message}],
        )

    @router.post("/vacances/{vacance_id}/retrait", response_class=HTMLResponse)
    async def retirer(request: Request, vacance_id: str) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        motif = str(f.get("motif") or "")
        if motif not in MOTIFS_RETRAIT:
            return await _vacance(
                request,
                vacance_id,
                erreurs=[{"champ": "motif", "message": "choisissez le motif du retrait"}],
            )
        precision = str(f.get("precision") or "").strip()
        reponse = await api.post(
            f"/api/matching/vacances/{vacance_id}/retrait",
            json={"motif": motif, "precision": precision or None},
            headers={"If-Match": f'"{f.get("version") or ""}"'} if f.get("version") else {},
        )
        if reponse.status_code == 200:
            ui.flash(request, "succes", "Vacance retirée")
            return ui.redirect(f"/matching/vacances/{vacance_id}")
        message, erreurs = _erreurs(reponse)
        return await _vacance(
            request,
            vacance_id,
            erreurs=[{"champ": e.get("champ") or "motif", "message": e["message"]} for e in erreurs]
            or [{"champ": "motif", "message": message}],
        )

    # --- Conventions et flux ------------------------------------------------------------------

    async def _flux(request: Request, annee: int, **ctx: Any) -> HTMLResponse:
        api = await ui.gateway.api(request)
        conventions = await api.get("/api/matching/conventions", params={"annee": annee})
        livres = await api.get("/api/matching/flux", params={"annee": annee})
        return page(
            request,
            "flux.html",
            "Conventions et flux",
            annee=annee,
            conventions=conventions.json() if conventions.status_code == 200 else [],
            livres=livres.json() if livres.status_code == 200 else [],
            libelles=LIBELLE_CONTINGENT,
            contingents=CONTINGENTS[:-1],
            erreurs=ctx.get("erreurs", []),
            saisie=ctx.get("saisie", {}),
        )

    @router.get("/flux", response_class=HTMLResponse)
    async def flux(request: Request, annee: int | None = None) -> HTMLResponse:
        return await _flux(request, annee or date.today().year)

    @router.post("/conventions", response_class=HTMLResponse)
    async def convention(request: Request) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        saisie = {k: str(f.get(k) or "").strip() for k in f if k != "csrf_token"}
        annee = (
            int(saisie.get("annee") or date.today().year)
            if saisie.get("annee", "").isdigit()
            else date.today().year
        )
        parts = {c: saisie[f"part_{c}"] for c, _ in CONTINGENTS[:-1] if saisie.get(f"part_{c}")}
        corps = {
            "reservataire_id": saisie.get("reservataire_id"),
            "reservataire_nom": saisie.get("reservataire_nom"),
            "departement": saisie.get("departement"),
            "commune": saisie.get("commune") or None,
            "annee": annee,
            "parts": parts,
        }
        reponse = await api.post("/api/matching/conventions", json=corps)
        if reponse.status_code == 201:
            ui.flash(request, "succes", "Convention enregistrée")
            return ui.redirect("/matching/flux", annee=annee)
        message, erreurs = _erreurs(reponse)
        return await _flux(
            request,
            annee,
            erreurs=erreurs or [{"champ": "reservataire_id", "message": message}],
            saisie=saisie,
        )

    # --- Candidats, comparateur, désignation --------------------------------------------------

    @router.get("/vacances/{vacance_id}/candidats", response_class=HTMLResponse)
    async def candidats(
        request: Request,
        vacance_id: str,
        perimetre: str = "commune",
        souples: str = "oui",
        page_no: int = 1,
    ) -> HTMLResponse:
        api = await ui.gateway.api(request)
        vacance = await api.get(f"/api/matching/vacances/{vacance_id}")
        if vacance.status_code != 200:
            return ui.error_page(request, 404, "Vacance introuvable", _erreurs(vacance)[0])
        reponse = await api.get(
            f"/api/matching/vacances/{vacance_id}/candidats",
            params={
                "perimetre": "epci" if perimetre == "epci" else "commune",
                "filtres_souples": "false" if souples == "non" else "true",
                "page": page_no,
                "page_exclues": page_no,
                "par_page": 20,
            },
        )
        if reponse.status_code != 200:
            return ui.error_page(
                request, reponse.status_code, "Recherche impossible", _erreurs(reponse)[0]
            )
        resultat = reponse.json()
        listes = max(resultat["candidats_total"], resultat["exclues_listees"])
        pages_total = max(1, -(-listes // 20))
        return page(
            request,
            "candidats.html",
            "Recherche de candidats",
            vacance=vacance.json(),
            resultat=resultat,
            perimetre=perimetre,
            souples=souples,
            page_no=page_no,
            pages_total=pages_total,
            page_url=lambda n: ui.url(
                f"/matching/vacances/{vacance_id}/candidats",
                perimetre=perimetre,
                souples=souples,
                page_no=n,
            ),
        )

    @router.get("/vacances/{vacance_id}/comparateur", response_class=HTMLResponse)
    async def comparateur(request: Request, vacance_id: str) -> HTMLResponse:
        api = await ui.gateway.api(request)
        demandes = request.query_params.getlist("demandes")[:10]
        if not demandes:
            return ui.error_page(
                request, 422, "Aucun candidat choisi", "Cochez de 1 à 10 candidats à comparer."
            )
        reponse = await api.get(
            f"/api/matching/vacances/{vacance_id}/comparateur",
            params=[("demandes", d) for d in demandes],
        )
        if reponse.status_code != 200:
            message, erreurs = _erreurs(reponse)
            detail = "; ".join(e["message"] for e in erreurs) or message
            return ui.error_page(request, reponse.status_code, "Comparaison impossible", detail)
        comparaison = reponse.json()
        points = [
            {"nom": "Logement", "lat": p[0], "lon": p[1], "logement": True}
            for p in [comparaison["position_logement"]]
            if p
        ] + [
            {
                "nom": c["numero_unique"] or c["demande_id"][:8],
                "lat": c["position"][0],
                "lon": c["position"][1],
                "logement": False,
            }
            for c in comparaison["colonnes"]
            if c["position"]
        ]
        return page(
            request,
            "comparateur.html",
            "Comparateur",
            comparaison=comparaison,
            vacance_id=vacance_id,
            points=points,
            tuiles=tuiles,
            exceptions=EXCEPTIONS,
            perimetre="epci" if request.query_params.get("perimetre") == "epci" else "commune",
            souples="non" if request.query_params.get("souples") == "non" else "oui",
            options_designation=[
                (c["demande_id"], c["numero_unique"] or c["demande_id"][:8])
                for c in comparaison["colonnes"]
            ],
            erreurs=[],
        )

    @router.post("/vacances/{vacance_id}/designation", response_class=HTMLResponse)
    async def designer(request: Request, vacance_id: str) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        rangs = [str(f.get(f"rang_{i}") or "") for i in range(1, 4)]
        candidats_choisis = [r for r in rangs if r]
        ecarts = [
            {"demande_id": cle.removeprefix("motif_"), "motif": str(v).strip()}
            for cle, v in f.items()
            if cle.startswith("motif_") and str(v).strip()
        ]
        corps: dict[str, Any] = {"candidats": candidats_choisis, "ecarts": ecarts}
        if f.get("exception"):
            corps["exception"] = str(f.get("exception"))
        if f.get("perimetre") == "epci":
            corps["perimetre"] = "epci"
        if f.get("souples") == "non":
            corps["filtres_souples"] = False
        reponse = await api.post(f"/api/matching/vacances/{vacance_id}/designation", json=corps)
        if reponse.status_code == 201:
            ui.flash(request, "succes", "Candidats désignés")
            return ui.redirect(f"/matching/vacances/{vacance_id}/designation")
        message, erreurs = _erreurs(reponse)
        detail = "; ".join(e["message"] for e in erreurs) or message
        return ui.error_page(request, reponse.status_code, "Désignation refusée", detail)

    @router.get("/vacances/{vacance_id}/designation", response_class=HTMLResponse)
    async def designation(request: Request, vacance_id: str) -> HTMLResponse:
        api = await ui.gateway.api(request)
        reponse = await api.get(f"/api/matching/vacances/{vacance_id}/designation")
        if reponse.status_code != 200:
            return ui.error_page(request, 404, "Aucune désignation", _erreurs(reponse)[0])
        return page(
            request,
            "designation.html",
            "Désignation",
            designation=reponse.json(),
            vacance_id=vacance_id,
        )

    # CALEOL, remote vote, decisions, minutes, offers (issue 17): web/caleol.py.
    ajouter_pages(ui, router)

    return PagePackage(
        router,
        navigation=[
            NavItem("Patrimoine", "/matching/patrimoine", BAILLEUR),
            NavItem("Vacances", "/matching/vacances", RECHERCHE),
            NavItem("Conventions et flux", "/matching/flux", RECHERCHE),
            *NAVIGATION_CALEOL,
        ],
    )
