"""Pages of the online application (issue 15, item 3) and of the household's actions on its
demande (item 5: modify, renew, renounce). Server-rendered, no JavaScript needed: each
step is a form POSTed to the server, which keeps the draft whatever its state and answers
the step's errors next to the fields with a summary at the top.

    /ma-demande                              start a draft, or resume one
    /ma-demande/{id}/{etape}                 menage, ressources, logement-actuel, motifs,
                                             logement-recherche, documents
    /ma-demande/{id}/recapitulatif           the whole demande, checked; submit (POST)
    /ma-demande/{id}/suivi                   what became of the submission
    /mon-espace/demandes/{id}                my demande's actions and their answers
    /mon-espace/demandes/{id}/modifier       logement recherché, enfants à naître
    /mon-espace/demandes/{id}/renouveler     from the date the law opens it
    /mon-espace/demandes/{id}/renoncer       radiation for renonciation, with confirmation
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import toit_referentiel as referentiel
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from toit_ui import WebUI
from toit_ui.gateway import NotAuthenticated
from toit_ui.session import session_of

from servicekit.exceptions import Conflit, Erreur, Introuvable, Invalide
from servicekit.runtime import ServiceRuntime
from toit_contracts.enums import (
    BesoinAccessibilite,
    Civilite,
    LienParente,
    MotifDemande,
    Nationalite,
    SituationFamiliale,
    SituationProfessionnelle,
    TypeLogementActuel,
    TypeLogementRecherche,
    TypeRessource,
    Typologie,
)
from toit_portail.adapters import repository, repository_candidatures
from toit_portail.domain import candidature as regles
from toit_portail.domain.departements import Portails
from toit_portail.domain.espace import DemandeVue
from toit_portail.service_layer import candidature as uc

MAX_FORMULAIRE = 400  # form fields read per step (bounded input)


def maintenant() -> datetime:
    """The portail's clock (the browser test moves it to the renewal date)."""
    return datetime.now(UTC)


def aujourd_hui() -> date:
    return maintenant().date()


def _options(enum: Any) -> list[tuple[str, str]]:
    return list(enum.labels().items())


OPTIONS = {
    "civilite": _options(Civilite),
    "nationalite": _options(Nationalite),
    "situation_familiale": _options(SituationFamiliale),
    "lien": _options(LienParente),
    "lien_codemandeur": [o for o in _options(LienParente) if o[0] != "SANS_LIEN"],
    "situation_professionnelle": _options(SituationProfessionnelle),
    "type_ressource": _options(TypeRessource),
    "logement_actuel": _options(TypeLogementActuel),
    "motif": _options(MotifDemande),
    "type_recherche": _options(TypeLogementRecherche),
    "typologie": _options(Typologie),
    "besoin": _options(BesoinAccessibilite),
    "type_piece": [
        ("PIECE_IDENTITE", "Pièce d'identité (carte nationale d'identité, passeport)"),
        ("TITRE_SEJOUR", "Titre de séjour en cours de validité"),
    ],
    "sexe": [("F", "Féminin"), ("M", "Masculin")],
}

LIBELLES_STATUT_CANDIDATURE = {
    "BROUILLON": "En cours de saisie",
    "SOUMISE": "Transmise, en cours d'enregistrement",
    "ACCEPTEE": "Transmise",
    "REFUSEE": "À corriger",
}
LIBELLES_COMMANDE = {
    "portail.demande_soumise": "Dépôt de la demande en ligne",
    "portail.modification_demandee": "Modification",
    "portail.renouvellement_demande": "Renouvellement",
    "portail.renonciation_demandee": "Renonciation",
}


def _communes(departement: str) -> list[tuple[str, str]]:
    return sorted(
        ((c.insee, c.nom) for c in referentiel.communes_of_departement(departement)),
        key=lambda c: c[1],
    )


def _titre(code: str) -> str:
    etape = regles.etape(code)
    return etape.titre if etape else code


def _preavis_mois() -> int:
    return referentiel.lifecycle_config().preavis_renouvellement_mois


def actions_possibles(demande: DemandeVue) -> dict[str, Any]:
    """What the household may do on its demande today (links of the espace)."""
    ouvert_le = (
        regles.renouvellement_ouvert_le(demande.date_expiration, _preavis_mois())
        if demande.date_expiration
        else None
    )
    return {
        "modifier": regles.peut_modifier(demande.statut),
        "renouveler": regles.peut_renouveler(
            demande.statut, demande.date_expiration, aujourd_hui(), _preavis_mois()
        ),
        "renouvellement_ouvert_le": ouvert_le,
        "renoncer": regles.peut_renoncer(demande.statut),
    }


def routes(ui: WebUI, runtime: ServiceRuntime, portails: Portails) -> APIRouter:
    router = ui.router()
    ui.env.globals["actions_demande"] = actions_possibles
    ui.env.globals["libelles_commande"] = LIBELLES_COMMANDE

    async def compte_de(request: Request) -> str:
        await ui.gateway.api(request)  # raises NotAuthenticated: to the login page
        user = session_of(request).get("user")
        if not user:
            raise NotAuthenticated()
        return str(user["id"])

    def page(
        request: Request, template: str, ctx: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        departement = ctx.pop("portail", None) or portails.pour_hote(request.headers.get("host"))
        return ui.render(
            request,
            template,
            {"departement": departement, "portails": portails.liste(), "options": OPTIONS, **ctx},
            status_code=status,
        )

    def resume(erreurs: dict[str, str]) -> list[dict[str, str]]:
        return [
            {"champ": c, "message": m, "libelle": regles.libelle(c)}
            for c, m in erreurs.items()
            if c != "__all__" and not c.startswith("etape:")
        ]

    async def formulaire(request: Request) -> list[tuple[str, str]]:
        form = await request.form(max_fields=MAX_FORMULAIRE)
        return [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"]

    # --- the application --------------------------------------------------------------------

    @router.get("/ma-demande")
    async def ma_demande(request: Request) -> HTMLResponse:
        compte = await compte_de(request)
        async with runtime.db.session() as session:
            brouillons = await repository_candidatures.candidatures_du_compte(session, compte)
        return page(
            request,
            "portail/candidature/debut.html",
            {
                "titre": "Déposer ma demande en ligne",
                "brouillons": brouillons,
                "libelles_statut": LIBELLES_STATUT_CANDIDATURE,
                "etapes": regles.ETAPES,
            },
        )

    @router.post("/ma-demande", response_model=None)
    async def commencer(request: Request) -> Response:
        compte = await compte_de(request)
        portail = portails.pour_hote(request.headers.get("host"))
        async with runtime.unit_of_work() as uow:
            candidature_id = await uc.commencer(uow, compte, portail.code, maintenant())
        return ui.redirect(f"/ma-demande/{candidature_id}/menage")

    async def lire(candidature_id: UUID, compte: str) -> repository_candidatures.Candidature:
        async with runtime.db.session() as session:
            try:
                return await uc.lire(session, candidature_id, compte)
            except Introuvable:
                raise HTTPException(404) from None

    def contexte_etape(
        trouvee: repository_candidatures.Candidature,
        code: str,
        partie: dict[str, Any] | None = None,
        erreurs: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        etape = regles.etape(code)
        assert etape is not None
        saisie = partie if partie is not None else trouvee.parties.get(code, {})
        return {
            "titre": f"{etape.titre} — étape {regles.CODES.index(code) + 1} sur "
            f"{len(regles.ETAPES)}",
            "candidature": trouvee,
            "etape": etape,
            "etapes": regles.ETAPES,
            "numero_etape": regles.CODES.index(code) + 1,
            "saisie": saisie,
            "erreurs": erreurs or {},
            "resume": resume(erreurs or {}),
            "communes": _communes(trouvee.departement),
            "lignes_vides": regles.LIGNES_VIDES,
            "precedente": regles.precedente(code),
            "portail": portails.get(trouvee.departement),
        }

    @router.get("/ma-demande/{candidature_id}/recapitulatif")
    async def recapitulatif(request: Request, candidature_id: UUID) -> HTMLResponse:
        compte = await compte_de(request)
        trouvee = await lire(candidature_id, compte)
        return page(request, "portail/candidature/recapitulatif.html", recap(trouvee))

    def recap(trouvee: repository_candidatures.Candidature) -> dict[str, Any]:
        verification = uc.verifier(trouvee)
        toutes = dict(verification.erreurs)
        if trouvee.piece is None:
            toutes.setdefault("fichier", "déposez votre pièce d'identité ou votre titre de séjour")
        noms = dict(_communes(trouvee.departement))
        return {
            "titre": "Récapitulatif de ma demande",
            "candidature": trouvee,
            "document": regles.document(trouvee.departement, trouvee.parties),
            "erreurs": toutes,
            "resume": [
                {
                    "champ": "recap-" + regles.etape_du_champ(c.removeprefix("etape:")),
                    "message": m,
                    "libelle": _titre(regles.etape_du_champ(c.removeprefix("etape:")))
                    + (f" ({c})" if not c.startswith("etape:") else ""),
                }
                for c, m in toutes.items()
                if c != "fichier"
            ]
            + (
                [
                    {
                        "champ": "recap-documents",
                        "message": toutes["fichier"],
                        "libelle": "Votre pièce d'identité",
                    }
                ]
                if "fichier" in toutes
                else []
            ),
            "incompletes": set(verification.etapes_incompletes),
            "etapes": regles.ETAPES,
            "noms_communes": noms,
            "portail": portails.get(trouvee.departement),
            "libelles": {
                "motif": dict(OPTIONS["motif"]),
                "typologie": dict(OPTIONS["typologie"]),
                "logement_actuel": dict(OPTIONS["logement_actuel"]),
                "type_ressource": dict(OPTIONS["type_ressource"]),
                "lien": dict(OPTIONS["lien"]),
                "type_piece": dict(OPTIONS["type_piece"]),
            },
        }

    @router.post("/ma-demande/{candidature_id}/soumission", response_model=None)
    async def soumettre(request: Request, candidature_id: UUID) -> Response:
        compte = await compte_de(request)
        form = dict(await formulaire(request))
        trouvee = await lire(candidature_id, compte)
        if form.get("attestation") != regles.VRAI:
            ctx = recap(trouvee)
            ctx["erreurs"]["attestation"] = "cochez cette case pour transmettre la demande"
            ctx["resume"].append(
                {"champ": "attestation", "message": ctx["erreurs"]["attestation"], "libelle": ""}
            )
            return page(request, "portail/candidature/recapitulatif.html", ctx, 400)
        try:
            async with runtime.unit_of_work() as uow:
                await uc.soumettre(uow, candidature_id, compte, runtime.settings, maintenant())
        except Invalide:
            return page(request, "portail/candidature/recapitulatif.html", recap(trouvee), 400)
        except Conflit:
            pass  # already sent: its follow-up page says where it stands
        return ui.redirect(f"/ma-demande/{candidature_id}/suivi")

    @router.get("/ma-demande/{candidature_id}/suivi")
    async def suivi(request: Request, candidature_id: UUID) -> HTMLResponse:
        compte = await compte_de(request)
        trouvee = await lire(candidature_id, compte)
        async with runtime.db.session() as session:
            demandes = await repository.demandes_du_compte(session, compte)
        demande = next((d for d in demandes if d.demande_id == candidature_id), None)
        return page(
            request,
            "portail/candidature/suivi.html",
            {
                "titre": "Suivi de ma demande en ligne",
                "candidature": trouvee,
                "demande": demande,
                "portail": portails.get(trouvee.departement),
            },
        )

    @router.get("/ma-demande/{candidature_id}/documents")
    async def documents(request: Request, candidature_id: UUID) -> HTMLResponse:
        compte = await compte_de(request)
        trouvee = await lire(candidature_id, compte)
        return page(
            request, "portail/candidature/documents.html", contexte_etape(trouvee, "documents")
        )

    @router.post("/ma-demande/{candidature_id}/documents", response_model=None)
    async def deposer(request: Request, candidature_id: UUID) -> Response:
        compte = await compte_de(request)
        form = await request.form(max_fields=20, max_files=1)
        fichier = form.get("fichier")
        type_piece = str(form.get("type_piece") or "")
        contenu = b""
        nom = None
        if isinstance(fichier, UploadFile):
            contenu = await fichier.read(regles.TAILLE_MAX + 1)
            nom = fichier.filename
        try:
            async with runtime.unit_of_work() as uow:
                await uc.deposer_piece(
                    uow, candidature_id, compte, type_piece, nom, contenu, maintenant()
                )
        except Invalide as refus:
            trouvee = await lire(candidature_id, compte)
            erreurs = {e.champ: e.message for e in refus.erreurs if isinstance(e, Erreur)}
            ctx = contexte_etape(trouvee, "documents", erreurs=erreurs)
            ctx["type_piece"] = type_piece
            return page(request, "portail/candidature/documents.html", ctx, 400)
        except Introuvable:
            raise HTTPException(404) from None
        except Conflit:
            return ui.redirect(f"/ma-demande/{candidature_id}/suivi")
        ui.flash(request, "succes", "Votre pièce d'identité est enregistrée.")
        return ui.redirect(f"/ma-demande/{candidature_id}/recapitulatif")

    @router.get("/ma-demande/{candidature_id}/{code}")
    async def etape(request: Request, candidature_id: UUID, code: str) -> HTMLResponse:
        if code not in regles.RUBRIQUES:
            raise HTTPException(404)
        compte = await compte_de(request)
        trouvee = await lire(candidature_id, compte)
        erreurs = (
            regles.valider_etape(code, trouvee.parties[code]) if code in trouvee.parties else {}
        )
        return page(
            request,
            f"portail/candidature/{code}.html",
            contexte_etape(trouvee, code, erreurs=erreurs),
        )

    @router.post("/ma-demande/{candidature_id}/{code}", response_model=None)
    async def enregistrer(request: Request, candidature_id: UUID, code: str) -> Response:
        if code not in regles.RUBRIQUES:
            raise HTTPException(404)
        compte = await compte_de(request)
        champs = await formulaire(request)
        action = dict(champs).get("action", "suivant")
        partie = regles.partie_de_l_etape(code, [(k, v) for k, v in champs if k != "action"])
        try:
            async with runtime.unit_of_work() as uow:
                erreurs = await uc.enregistrer_etape(
                    uow, candidature_id, compte, code, partie, maintenant()
                )
        except Introuvable:
            raise HTTPException(404) from None
        except Conflit:
            return ui.redirect(f"/ma-demande/{candidature_id}/suivi")
        if action == "precedent" and (precedente := regles.precedente(code)):
            return ui.redirect(f"/ma-demande/{candidature_id}/{precedente}")
        if action == "ajouter":
            return ui.redirect(f"/ma-demande/{candidature_id}/{code}")
        if action == "quitter":
            ui.flash(request, "succes", "Votre saisie est enregistrée : reprenez-la plus tard.")
            return ui.redirect("/ma-demande")
        if erreurs:
            trouvee = await lire(candidature_id, compte)
            return page(
                request,
                f"portail/candidature/{code}.html",
                contexte_etape(trouvee, code, partie, erreurs),
                400,
            )
        return ui.redirect(f"/ma-demande/{candidature_id}/{regles.suivante(code)}")

    # --- the household's actions on its demande ----------------------------------------------

    async def demande_du_compte(request: Request, demande_id: UUID) -> tuple[str, DemandeVue]:
        compte = await compte_de(request)
        async with runtime.db.session() as session:
            demandes = await repository.demandes_du_compte(session, compte)
        demande = next((d for d in demandes if d.demande_id == demande_id), None)
        if demande is None:
            raise HTTPException(404)
        return compte, demande

    async def page_demande(
        request: Request,
        demande_id: UUID,
        template: str,
        titre: str,
        status: int = 200,
        **extra: Any,
    ) -> HTMLResponse:
        compte, demande = await demande_du_compte(request, demande_id)
        async with runtime.db.session() as session:
            commandes = await repository_candidatures.commandes_de(session, demande_id, compte)
            modifiable = await repository_candidatures.modifiable(session, demande_id)
        return page(
            request,
            template,
            {
                "titre": titre,
                "demande": demande,
                "commandes": commandes,
                "modifiable": modifiable,
                "actions": actions_possibles(demande),
                "communes": _communes(demande.departement),
                "portail": portails.get(demande.departement),
                **extra,
            },
            status,
        )

    @router.get("/mon-espace/demandes/{demande_id}")
    async def ma_demande_actions(request: Request, demande_id: UUID) -> HTMLResponse:
        return await page_demande(
            request, demande_id, "portail/demande/demande.html", "Ma demande et mes démarches"
        )

    @router.get("/mon-espace/demandes/{demande_id}/{action}")
    async def confirmer(request: Request, demande_id: UUID, action: str) -> HTMLResponse:
        if action not in ("modifier", "renouveler", "renoncer"):
            raise HTTPException(404)
        titres = {
            "modifier": "Modifier ma demande",
            "renouveler": "Renouveler ma demande",
            "renoncer": "Renoncer à ma demande",
        }
        return await page_demande(
            request, demande_id, f"portail/demande/{action}.html", titres[action]
        )

    @router.post("/mon-espace/demandes/{demande_id}/{action}", response_model=None)
    async def agir(request: Request, demande_id: UUID, action: str) -> Response:
        if action not in ("modifier", "renouveler", "renoncer"):
            raise HTTPException(404)
        compte, demande = await demande_du_compte(request, demande_id)
        form = await formulaire(request)
        valeurs = dict(form)
        possibles = actions_possibles(demande)
        titres = {
            "modifier": "Modifier ma demande",
            "renouveler": "Renouveler ma demande",
            "renoncer": "Renoncer à ma demande",
        }
        if not possibles[action]:
            ui.flash(request, "erreur", "Cette action n'est pas possible aujourd'hui.")
            return ui.redirect(f"/mon-espace/demandes/{demande_id}")
        if action in ("renouveler", "renoncer") and valeurs.get("confirmation") != regles.VRAI:
            erreurs = {"confirmation": "cochez cette case pour confirmer"}
            return await page_demande(
                request,
                demande_id,
                f"portail/demande/{action}.html",
                titres[action],
                400,
                erreurs=erreurs,
                resume=resume(erreurs),
            )
        async with runtime.unit_of_work() as uow:
            if action == "renouveler":
                await uc.demander_renouvellement(
                    uow, demande_id, demande.departement, compte, maintenant()
                )
            elif action == "renoncer":
                await uc.renoncer(uow, demande_id, demande.departement, compte, maintenant())
            else:
                partie = regles.partie_de_l_etape(
                    "logement-recherche", [(k, v) for k, v in form if k != "enfants_a_naitre"]
                )
                saisie = {**partie, "enfants_a_naitre": valeurs.get("enfants_a_naitre") or 0}
                modifications, erreurs = regles.modification(saisie)
                if erreurs:
                    return await page_demande(
                        request,
                        demande_id,
                        "portail/demande/modifier.html",
                        titres[action],
                        400,
                        erreurs=erreurs,
                        resume=resume(erreurs),
                        saisie=saisie,
                    )
                await uc.demander_modification(
                    uow,
                    demande_id,
                    demande.departement,
                    compte,
                    demande.version,
                    modifications,
                    maintenant(),
                )
        ui.flash(
            request,
            "info",
            "Votre demande est transmise au service qui gère votre dossier : "
            "le résultat s'affiche ci-dessous dans quelques instants.",
        )
        return ui.redirect(f"/mon-espace/demandes/{demande_id}")

    return router
