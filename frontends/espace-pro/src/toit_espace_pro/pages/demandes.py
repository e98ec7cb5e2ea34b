"""Demandes: search, consultation (tabs, synthetic view, cotation), creation and
edition (If-Match; a concurrent change shows who changed it and when), registration,
renewal, radiation, reactivation, historique, duplicates, consultation trace, courriers."""

from __future__ import annotations

import json
import math
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import ApiClient, WebUI, session_of

from servicekit import authz_fields
from toit_espace_pro import saisie
from toit_espace_pro.libelles import libelle, ton_statut
from toit_espace_pro.pages.commun import refus, roles

ONGLETS = [
    ("demandeur", "Demandeur"),
    ("codemandeurs", "Codemandeurs"),
    ("colocataires", "Colocataires"),
    ("occupants", "Occupants"),
    ("situation-professionnelle", "Sit. professionnelle"),
    ("revenus", "Revenus"),
    ("situation-actuelle", "Sit. actuelle"),
    ("logement-recherche", "Log. recherché"),
    ("complements", "Compléments"),
    ("pieces", "Gestion des pièces"),
    ("historique", "Historique"),
    ("cotation", "Cotation"),
    ("synthese", "Vue synthétique"),
]
TRACE = ("consultations", "Consultations")
PAR_PAGE = 20


def _params(**criteres: Any) -> dict[str, Any]:
    return {k: v for k, v in criteres.items() if v not in (None, "")}


async def lire(api: ApiClient, demande_id: UUID) -> Any:
    return await api.get(f"/api/demandes/{demande_id}")


def droits_complements(roles_: set[str]) -> dict[str, Any]:
    """What the creation form offers of the fields with an owner (servicekit.authz_fields):
    the priority statuses a role may set, whether it records a DALO decision."""
    priorites = authz_fields.droit(roles_, "priorites")
    statuts = (
        saisie.OPTIONS["statut_priorite"]
        if priorites == "ecrire"
        else [o for o in saisie.OPTIONS["statut_priorite"] if o[0] == "DECLAREE"]
        if priorites == "declarer"
        else []
    )
    return {
        "handicap": authz_fields.droit(roles_, "complement_handicap") is not None,
        "dalo": authz_fields.droit(roles_, "dalo") == "ecrire",
        "dalo_proprietaires": " et ".join(authz_fields.proprietaires("dalo")),
        "statuts_priorite": statuts,
    }


def routes(ui: WebUI) -> APIRouter:
    router = ui.router(prefix="/demandes")

    def contexte_demande(request: Request, demande: dict[str, Any], onglet: str) -> dict[str, Any]:
        onglets = list(ONGLETS)
        if "GESTIONNAIRE_FICHIER" in roles(request):
            onglets.append(TRACE)
        nom = f"{demande['demandeur'].get('nom_usage') or demande['demandeur']['nom_naissance']}"
        return {
            "titre": f"Demande de {demande['demandeur']['prenoms']} {nom}",
            "demande": demande,
            "onglet": onglet,
            "onglet_libelle": {**dict(onglets), "doublons": "Doublons"}.get(onglet, ""),
            "onglets": [
                (lib, ui.url(f"/demandes/{demande['id']}/{code}")) for code, lib in onglets
            ],
            "libelle": libelle,
            "ton_statut": ton_statut,
            "roles": roles(request),
            "peut_gerer": bool(roles(request) & {"AGENT_ENREGISTREUR", "GESTIONNAIRE_FICHIER"}),
            "peut_valider": bool(
                roles(request) & {"AGENT_ENREGISTREUR", "INSTRUCTEUR", "GESTIONNAIRE_FICHIER"}
            ),
        }

    # --- search -------------------------------------------------------------------------------

    @router.get("", response_model=None)
    async def rechercher(
        request: Request,
        numero_unique: str | None = Query(None, max_length=30),
        nom: str | None = Query(None, max_length=100),
        date_naissance: str | None = Query(None, max_length=10),
        commune: str | None = Query(None, max_length=5),
        statut: str | None = Query(None, max_length=20),
        typologie: str | None = Query(None, max_length=10),
        tri: str = Query("date_depot", max_length=20),
        page: int = Query(1, ge=1, le=10_000),
    ) -> Response:
        api = await ui.gateway.api(request)
        filtres = _params(
            numero_unique=numero_unique,
            nom=nom,
            date_naissance=date_naissance,
            commune=commune,
            statut=statut,
            typologie=typologie,
        )
        resultats = None
        erreurs: list[dict[str, str]] = []
        reponse = await api.get(
            "/api/demandes", params={**filtres, "tri": tri, "page": page, "par_page": PAR_PAGE}
        )
        if reponse.status_code == 200:
            resultats = reponse.json()
        elif reponse.status_code == 422:
            erreurs = saisie.erreurs(
                reponse.json(),
                {
                    "numero_unique": "Numéro unique",
                    "nom": "Nom",
                    "date_naissance": "Date de naissance",
                    "commune": "Commune (code INSEE)",
                },
            )
        else:
            return refus(ui, request, reponse)
        pages = max(1, math.ceil(resultats["total"] / PAR_PAGE)) if resultats else 1
        return ui.render(
            request,
            "pro/recherche.html",
            {
                "titre": "Rechercher une demande",
                "filtres": filtres,
                "tri": tri,
                "resultats": resultats,
                "erreurs": erreurs,
                "messages": {e["champ"]: e["message"] for e in erreurs},
                "page": page,
                "pages": pages,
                "page_url": lambda p: ui.url("/demandes", **filtres, tri=tri, page=p),
                "cible_favori": ui.url("/demandes", **filtres, tri=tri)[len(ui.prefix) :],
                "libelle_favori": "Recherche : " + ", ".join(f"{v}" for v in filtres.values()),
                "libelle": libelle,
                "ton_statut": ton_statut,
                "options": saisie.OPTIONS,
            },
            status_code=200 if not erreurs else 422,
        )

    # --- creation -----------------------------------------------------------------------------

    @router.get("/nouvelle")
    async def nouvelle(request: Request) -> HTMLResponse:
        await ui.gateway.api(request)
        return formulaire(request, {"departement": _departement(request)}, [], None)

    def formulaire(
        request: Request,
        valeurs: dict[str, Any],
        erreurs: list[dict[str, str]],
        demande: dict[str, Any] | None,
        status_code: int = 200,
        version: str | None = None,
    ) -> HTMLResponse:
        return ui.render(
            request,
            "pro/saisie.html",
            {
                "titre": "Modifier la demande" if demande else "Nouvelle demande",
                "valeurs": valeurs,
                "erreurs": erreurs,
                "messages": {e["champ"]: e["message"] for e in erreurs},
                "demande": demande,
                "version": version,
                "options": saisie.OPTIONS,
                "occupants": range(saisie.OCCUPANTS),
                "droits": droits_complements(roles(request)),
                "occupants_options": [
                    (f"occupants[{i}]", f"L'occupant {i + 1}") for i in range(saisie.OCCUPANTS)
                ],
            },
            status_code=status_code,
        )

    def _departement(request: Request) -> str:
        departements = (session_of(request).get("user") or {}).get("departements") or [""]
        return str(departements[0])

    async def _formulaire_soumis(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        form = await request.form()
        valeurs: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        listes = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in saisie.LISTES}
        valeurs |= listes
        return saisie.payload(valeurs, listes), valeurs

    @router.post("/nouvelle", response_model=None)
    async def creer(request: Request) -> Response:
        api = await ui.gateway.api(request)
        corps, valeurs = await _formulaire_soumis(request)
        reponse = await api.post("/api/demandes", json=corps)
        # 422: invalid values; 403 with `erreurs`: a field the user's roles may not write
        # (servicekit/authz_fields.py), named in French; nothing was written.
        if reponse.status_code == 422 or (
            reponse.status_code == 403 and "erreurs" in reponse.json()
        ):
            erreurs = saisie.erreurs(reponse.json(), saisie.LIBELLES)
            for e in erreurs:
                e["champ"] = saisie.champ_priorite(e["champ"], corps)
                e["libelle"] = saisie.LIBELLES.get(e["champ"], e["libelle"])
            return formulaire(request, valeurs, erreurs, None, reponse.status_code)
        if reponse.status_code != 201:
            return refus(ui, request, reponse)
        creee = reponse.json()
        if creee.get("doublons"):
            ui.flash(
                request,
                "avertissement",
                "Doublon potentiel : vérifiez les demandes signalées avant d'enregistrer.",
            )
            return ui.redirect(f"/demandes/{creee['id']}/doublons")
        ui.flash(request, "succes", "Demande créée (brouillon) : déposez la pièce d'identité.")
        return ui.redirect(f"/demandes/{creee['id']}/pieces")

    # --- edition (If-Match) -------------------------------------------------------------------

    @router.get("/{demande_id}/modifier", response_model=None)
    async def modifier(request: Request, demande_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await lire(api, demande_id)
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        demande = reponse.json()
        return formulaire(
            request, saisie.valeurs(demande), [], demande, version=reponse.headers.get("etag")
        )

    @router.post("/{demande_id}/modifier", response_model=None)
    async def enregistrer_modification(request: Request, demande_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        form = await request.form()
        version = str(form.get("version") or "")
        actuelle = await lire(api, demande_id)
        if actuelle.status_code != 200:
            return refus(ui, request, actuelle)
        corps, valeurs = await _formulaire_soumis(request)
        lues = saisie.valeurs(actuelle.json())
        avant = saisie.payload(lues, {k: lues.get(k, []) for k in saisie.LISTES})
        patch = saisie.garder_les_autres_codemandeurs(
            saisie.merge_patch(avant, corps), actuelle.json()
        )
        if not patch:
            ui.flash(request, "info", "Aucune modification.")
            return ui.redirect(f"/demandes/{demande_id}")
        reponse = await api.patch(
            f"/api/demandes/{demande_id}",
            content=json.dumps(patch),
            headers={"Content-Type": "application/merge-patch+json", "If-Match": version},
        )
        if reponse.status_code == 412 or reponse.status_code == 428:
            return await conflit(request, api, demande_id, actuelle.json(), valeurs)
        if reponse.status_code == 422:
            return formulaire(
                request,
                valeurs,
                saisie.erreurs(reponse.json(), saisie.LIBELLES),
                actuelle.json(),
                422,
                version=version,
            )
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        ui.flash(request, "succes", "Demande modifiée.")
        return ui.redirect(f"/demandes/{demande_id}")

    async def conflit(
        request: Request,
        api: ApiClient,
        demande_id: UUID,
        demande: dict[str, Any],
        valeurs: dict[str, Any],
    ) -> HTMLResponse:
        historique = await api.get(f"/api/demandes/{demande_id}/historique")
        dernier = historique.json()[-1] if historique.status_code == 200 else None
        return ui.render(
            request,
            "pro/conflit.html",
            {
                "titre": "Demande modifiée entre-temps",
                "demande": demande,
                "dernier": dernier,
                "valeurs": valeurs,
            },
            status_code=409,
        )

    # --- lifecycle actions --------------------------------------------------------------------

    async def action(
        request: Request, demande_id: UUID, chemin: str, succes: str, corps: Any = None
    ) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.post(f"/api/demandes/{demande_id}/{chemin}", json=corps)
        if reponse.status_code == 422:
            for e in saisie.erreurs(reponse.json()):
                ui.flash(request, "erreur", f"{e['champ']} : {e['message']}")
            return ui.redirect(f"/demandes/{demande_id}")
        if reponse.status_code == 409:
            ui.flash(request, "erreur", f"Action impossible : {reponse.json().get('detail')}")
            return ui.redirect(f"/demandes/{demande_id}")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        message = succes.format(**reponse.json())
        ui.flash(request, "succes", message)
        return ui.redirect(f"/demandes/{demande_id}")

    @router.post("/{demande_id}/enregistrement", response_model=None)
    async def enregistrer(request: Request, demande_id: UUID) -> Response:
        return await action(
            request,
            demande_id,
            "enregistrement",
            "Demande enregistrée : numéro unique {numero_unique}.",
        )

    @router.post("/{demande_id}/renouvellement", response_model=None)
    async def renouveler(request: Request, demande_id: UUID) -> Response:
        return await action(
            request, demande_id, "renouvellement", "Demande renouvelée jusqu'au {date_expiration}."
        )

    @router.post("/{demande_id}/reactivation", response_model=None)
    async def reactiver(request: Request, demande_id: UUID) -> Response:
        return await action(request, demande_id, "reactivation", "Demande réactivée.")

    @router.get("/{demande_id}/radiation", response_model=None)
    async def radiation(request: Request, demande_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await lire(api, demande_id)
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        return ui.render(
            request,
            "pro/radiation.html",
            {
                **contexte_demande(request, reponse.json(), "demandeur"),
                "titre": "Radier la demande",
                "motifs": [
                    (m, libelle("motif_radiation", m))
                    for m in ("ATTRIBUTION", "RENONCIATION", "ABSENCE_DE_REPONSE")
                ],
                "erreurs": [],
            },
        )

    @router.post("/{demande_id}/radiation", response_model=None)
    async def radier(
        request: Request, demande_id: UUID, motif: str = Form("", max_length=40)
    ) -> Response:
        if not motif:
            api = await ui.gateway.api(request)
            reponse = await lire(api, demande_id)
            if reponse.status_code != 200:
                return refus(ui, request, reponse)
            erreurs = [{"champ": "motif", "message": "Choisissez le motif de la radiation"}]
            return ui.render(
                request,
                "pro/radiation.html",
                {
                    **contexte_demande(request, reponse.json(), "demandeur"),
                    "titre": "Radier la demande",
                    "motifs": [
                        (m, libelle("motif_radiation", m))
                        for m in ("ATTRIBUTION", "RENONCIATION", "ABSENCE_DE_REPONSE")
                    ],
                    "erreurs": erreurs,
                    "messages": {e["champ"]: e["message"] for e in erreurs},
                },
                status_code=422,
            )
        return await action(
            request, demande_id, "radiation", "Demande radiée ({statut}).", {"motif": motif}
        )

    # --- duplicates ---------------------------------------------------------------------------

    @router.post("/{demande_id}/doublons/{autre_id}/{decision}", response_model=None)
    async def decider_doublon(
        request: Request, demande_id: UUID, autre_id: UUID, decision: str
    ) -> Response:
        if decision not in ("fusion", "distinctes"):
            return ui.error_page(request, 404, "Page introuvable", "Décision inconnue.")
        message = "Doublon fusionné." if decision == "fusion" else "Demandes déclarées distinctes."
        return await action(request, demande_id, f"doublons/{autre_id}/{decision}", message)

    # --- consultation -------------------------------------------------------------------------

    @router.get("/{demande_id}", response_model=None)
    async def consulter(request: Request, demande_id: UUID) -> Response:
        return await onglet(request, demande_id, "synthese")

    @router.get("/{demande_id}/{code}", response_model=None)
    async def onglet(request: Request, demande_id: UUID, code: str) -> Response:
        codes = {c for c, _ in ONGLETS} | {TRACE[0], "doublons"}
        if code not in codes:
            return ui.error_page(request, 404, "Page introuvable", "Cet onglet n'existe pas.")
        api = await ui.gateway.api(request)
        reponse = await lire(api, demande_id)
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        demande = reponse.json()
        ctx = contexte_demande(request, demande, code)
        if code == "pieces":
            pieces = await api.get(f"/api/demandes/{demande_id}/pieces")
            catalogue = await api.get("/api/demandes/catalogue-pieces")
            ctx["pieces"] = pieces.json() if pieces.status_code == 200 else None
            ctx["catalogue"] = catalogue.json() if catalogue.status_code == 200 else []
            ctx["types_pieces"] = {t["code"]: t["libelle"] for t in ctx["catalogue"]}
            ctx["catalogue_options"] = [(t["code"], t["libelle"]) for t in ctx["catalogue"]]
            ctx["erreurs"] = []
        elif code == "historique":
            historique = await api.get(f"/api/demandes/{demande_id}/historique")
            ctx["historique"] = (
                list(reversed(historique.json())) if historique.status_code == 200 else None
            )
        elif code in ("cotation", "synthese"):
            cotation = await api.get(f"/api/cotation/demandes/{demande_id}")
            ctx["cotation"] = cotation.json() if cotation.status_code == 200 else None
        elif code == "doublons":
            # Duplicates are searched when the page is opened (the demande's own answer
            # carries them only at creation and registration).
            doublons = await api.get(f"/api/demandes/{demande_id}/doublons")
            if doublons.status_code == 200:
                demande["doublons"] = doublons.json()
        elif code == TRACE[0]:
            trace = await api.get(
                "/api/demandes/consultations",
                params={"type_dossier": "demande", "dossier": str(demande_id), "par_page": 100},
            )
            ctx["trace"] = trace.json() if trace.status_code == 200 else None
        return ui.render(request, f"pro/demande/{code}.html", ctx)

    return router


def courriers_routes(ui: WebUI) -> APIRouter:
    router = ui.router(prefix="/courriers")

    @router.get("", response_model=None)
    async def courriers(
        request: Request, statut: str = Query("a_editer", max_length=20)
    ) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get("/api/notifications/courriers", params={"statut": statut})
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        return ui.render(
            request,
            "pro/courriers.html",
            {"titre": "Courriers à éditer", "courriers": reponse.json(), "statut": statut},
        )

    @router.get("/{courrier_id}/pdf", response_model=None)
    async def pdf(request: Request, courrier_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get(f"/api/notifications/courriers/{courrier_id}/pdf")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        return Response(
            reponse.content,
            media_type="application/pdf",
            headers={
                "Content-Disposition": reponse.headers.get(
                    "content-disposition", 'attachment; filename="courrier.pdf"'
                )
            },
        )

    @router.post("/{courrier_id}/edite", response_model=None)
    async def edite(request: Request, courrier_id: UUID) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.post(f"/api/notifications/courriers/{courrier_id}/edite")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        ui.flash(request, "succes", "Courrier marqué comme édité.")
        return ui.redirect("/courriers")

    return router
