"""HTTP API of the demandes service (/api/demandes)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

import structlog
import toit_referentiel
from fastapi import (
    APIRouter,
    Body,
    Depends,
    File,
    Form,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

import toit_demandes.service_layer as uc
from servicekit import authz, authz_fields, http_toolkit
from servicekit.audit import (
    ConsultationDemandeur,
    ConsultationFilter,
    consultations_pour_le_demandeur,
    query_consultations,
    record_consultation,
    record_consultations,
)
from servicekit.auth import Principal, authorize, may, require
from servicekit.errors import answering_route, error_items, invalid
from servicekit.http import runtime_of, unit_of_work
from servicekit.input_guard import display_filename
from servicekit.runtime import ServiceRuntime
from servicekit.uow import UnitOfWork
from toit_contracts.enums import CanalDepot, OrigineDecision, StatutDemande, Typologie
from toit_contracts.types import CodeGuichet, CodeInsee, NumeroUniqueStr
from toit_demandes.adapters.referentiel import referentiel
from toit_demandes.adapters.repository import (
    Criteres,
    DemandeRepository,
    PieceRepository,
)
from toit_demandes.adapters.repository import cle as cle_de
from toit_demandes.adapters.stockage import (
    FichierAltere,
    FichierIntrouvable,
    ParametresStockage,
    Stockage,
    StockageIndisponible,
    stockage_configure,
)
from toit_demandes.domain.autorite import Autorite, ChampsInterdits
from toit_demandes.domain.demande import (
    DecisionIrrecevabilite,
    Demande,
    Intervenant,
    TypeIntervenant,
)
from toit_demandes.domain.doublons import (
    CleIdentite,
    empreinte_nir,
    meme_personne,
    normaliser,
    premier_prenom,
)
from toit_demandes.domain.saisie import DemandeSaisie, Nir
from toit_demandes.domain.verifications import DonneesInvalides, Erreur
from toit_demandes.entrypoints import schemas as s

log = structlog.get_logger(__name__)

TAILLE_MAX_PIECE = 10 * 1024 * 1024
MERGE_PATCH = "application/merge-patch+json"


def _piece_sans_fichier(request: Request, _exc: FichierIntrouvable) -> Response:
    log.error("demandes.piece_sans_fichier", path=request.url.path)
    return JSONResponse(
        status_code=404, content={"detail": "Le fichier de cette pièce est introuvable"}
    )


def _piece_alteree(request: Request, _exc: FichierAltere) -> Response:
    # Never serve a file that is not the one deposited.
    log.error("demandes.piece_alteree", path=request.url.path)
    return JSONResponse(
        status_code=500,
        content={
            "detail": "Le fichier de cette pièce ne correspond plus à celui déposé "
            "(empreinte SHA-256 différente) : il n'est pas transmis, l'équipe est prévenue"
        },
    )


def _stockage_indisponible(_request: Request, exc: StockageIndisponible) -> Response:
    log.error("demandes.stockage_indisponible", erreur=str(exc))
    return JSONResponse(
        status_code=503,
        content={
            "detail": "Le stockage des pièces ne répond pas : réessayez dans quelques instants"
        },
        headers={"Retry-After": "30"},
    )


# Failures of the pièces' storage (the domain's refusals are answered by servicekit:
# servicekit.exceptions, which DonneesInvalides, TransitionInterdite, VersionPerimee and
# DemandeIntrouvable derive from).
RouteDemandes = answering_route(
    {
        ChampsInterdits: lambda _r, exc: invalid(
            [e.as_dict() for e in exc.erreurs],
            status=403,
            detail="Vous n'avez pas le droit d'écrire ce champ : rien n'a été enregistré",
        ),
        FichierIntrouvable: _piece_sans_fichier,
        FichierAltere: _piece_alteree,
        StockageIndisponible: _stockage_indisponible,
    }
)


router = APIRouter(prefix="/api/demandes", tags=["demandes"], route_class=RouteDemandes)


# --- helpers ----------------------------------------------------------------------------------


def contexte(principal: Principal) -> uc.commun.Contexte:
    if principal.kind == "demandeur":
        qui = Intervenant(TypeIntervenant.PORTAIL, principal.sub)
    else:
        qui = Intervenant(TypeIntervenant.AGENT, principal.sub, principal.organisation)
    return uc.commun.Contexte(qui, datetime.now(UTC))


def acces(principal: Principal, action: str) -> uc.commun.VerifierAcces:
    def verifier(demande: Demande) -> None:
        authorize(
            principal,
            action,
            departement=demande.departement,
            communes=demande.saisie.logement_recherche.communes,
            owner=demande.proprietaire,
        )

    return verifier


def autorite(principal: Principal) -> Autorite:
    """The fields the principal may write (servicekit.authz_fields)."""
    roles = principal.roles
    return Autorite(
        droit=lambda champ: authz_fields.droit(roles, champ),
        proprietaires=authz_fields.proprietaires,
        anteriorite_depot_jours=referentiel.anteriorite_depot_jours(),
    )


def voit_handicap(principal: Principal, demande: Demande) -> bool:
    return may(
        principal,
        "demande.handicap.lire",
        departement=demande.departement,
        communes=demande.saisie.logement_recherche.communes,
        owner=demande.proprietaire,
    )


def etag(demande: Demande) -> str:
    return http_toolkit.etag(demande.version)


def reponse(
    demande: Demande,
    principal: Principal,
    ctx: uc.commun.Contexte,
    *,
    status: int = 200,
    doublons: list[uc.doublons.Doublon] | None = None,
) -> JSONResponse:
    corps = s.demande_out(
        demande,
        uc.commun.derives(demande, ctx),
        voit_handicap=voit_handicap(principal, demande),
        doublons=doublons,
    )
    return JSONResponse(
        status_code=status,
        content=corps.model_dump(mode="json"),
        headers={"ETag": etag(demande), "Location": f"/api/demandes/{demande.id}"},
    )


def stockage(runtime: ServiceRuntime) -> Stockage:
    """The store of the pièces' files, as configured (TOIT_DEMANDES_STOCKAGE...)."""
    existant = runtime.state.get("demandes.stockage")
    if existant is None:
        existant = stockage_configure(ParametresStockage(), runtime.settings.data_dir)
        runtime.state["demandes.stockage"] = existant
    return existant  # type: ignore[return-value]


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
REPONSES: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Action non permise à votre rôle, ou champ qu'il n'écrit pas "
        "(chaque champ refusé est nommé ; rien n'est enregistré)"
    },
    404: {"description": "Demande introuvable (ou hors de votre périmètre)"},
    409: {"description": "Action impossible dans l'état de la demande"},
    422: {"description": "Données invalides : chaque erreur nomme son champ"},
}


# --- collection -------------------------------------------------------------------------------


@router.post(
    "",
    status_code=201,
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Créer une demande (brouillon)",
)
async def creer(
    saisie: DemandeSaisie,
    uow: Uow,
    principal: Principal = Depends(require("demande.creer")),
) -> JSONResponse:
    proprietaire = principal.sub if principal.kind == "demandeur" else None
    if proprietaire is not None:
        saisie = saisie.model_copy(update={"canal_depot": CanalDepot.EN_LIGNE})
    ctx = contexte(principal)
    demande, doublons = await uc.saisie.creer(
        uow, saisie, ctx, proprietaire, acces(principal, "demande.creer"), autorite(principal)
    )
    return reponse(demande, principal, ctx, status=201, doublons=doublons)


@router.get("", response_model=s.PageDemandes, summary="Rechercher des demandes")
async def rechercher(
    uow: Uow,
    numero_unique: Annotated[NumeroUniqueStr | None, Query()] = None,
    nom: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="Début du nom (de naissance ou d'usage)"),
    ] = None,
    date_naissance: date | None = None,
    commune: Annotated[CodeInsee | None, Query(description="Commune souhaitée")] = None,
    statut: StatutDemande | None = None,
    typologie: Typologie | None = None,
    departement: Annotated[str | None, Query(pattern=r"^[0-9]{2}[0-9AB]?$")] = None,
    tri: Literal["date_depot", "nom", "numero_unique"] = "date_depot",
    pages: http_toolkit.Pagination = Depends(http_toolkit.pagination()),
    principal: Principal = Depends(require("demande.lire")),
) -> s.PageDemandes:
    if nom is not None and not normaliser(nom):
        raise DonneesInvalides([Erreur("nom", "indiquez au moins une lettre")])
    criteres = Criteres(
        numero_unique=numero_unique,
        nom=nom,
        date_naissance=date_naissance,
        commune=commune,
        statut=statut,
        typologie=typologie.value if typologie else None,
        departement=departement,
        **_perimetre(principal, "demande.lire"),
    )
    trouvees, total, exact = await DemandeRepository(uow.session).rechercher(
        criteres, tri=tri, page=pages.page, par_page=pages.par_page
    )
    await _tracer_liste(uow, principal, trouvees, "recherche")
    return s.PageDemandes(
        elements=[s.resume(d) for d in trouvees],
        page=pages.page,
        par_page=pages.par_page,
        total=total,
        total_exact=exact,
    )


async def _tracer_liste(uow: UnitOfWork, principal: Principal, trouvees: Any, motif: str) -> None:
    """A list of nominative results is traced like the consultation of each (primer §12)."""
    await record_consultations(
        uow.session, principal, "demande", [(str(d.id), d.departement) for d in trouvees], motif
    )
    await uow.commit()


def _perimetre(principal: Principal, action: str) -> dict[str, Any]:
    """The search criteria that keep a search within what the principal may read."""
    scopes = authz.scopes_for(principal.roles, action)
    if "tout" in scopes:
        return {}
    if "perimetre" in scopes:
        communes = set(principal.communes)
        for epci in principal.epcis:
            communes |= {c.insee for c in _communes_epci(epci)}
        return {
            "departements_autorises": principal.departements,
            "communes_autorisees": frozenset(communes) or None,
        }
    return {"proprietaire": principal.sub}


@router.get(
    "/a-valider/en-retard",
    response_model=s.PageDemandes,
    summary="Demandes déposées en ligne qui attendent leur validation au-delà du délai configuré",
)
async def a_valider_en_retard(
    uow: Uow,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    par_page: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = Depends(require("demande.enregistrer")),
) -> s.PageDemandes:
    """Online submissions (A_VALIDER) older than `a_valider.delai_validation_jours` of the
    referentiel, oldest first; they are purged after `a_valider.conservation_mois`."""
    delai = referentiel.regles_cycle_de_vie().validation_delai_jours
    criteres = Criteres(
        statut=StatutDemande.A_VALIDER,
        depot_au_plus_tard=datetime.now(UTC).date() - timedelta(days=delai),
        **_perimetre(principal, "demande.enregistrer"),
    )
    trouvees, total, exact = await DemandeRepository(uow.session).rechercher(
        criteres, tri="date_depot", page=page, par_page=par_page
    )
    await _tracer_liste(uow, principal, trouvees, "demandes à valider en retard")
    return s.PageDemandes(
        elements=[s.resume(d) for d in trouvees],
        page=page,
        par_page=par_page,
        total=total,
        total_exact=exact,
    )


def _communes_epci(siren: str) -> Any:
    return toit_referentiel.communes_of_epci(siren)


@router.get(
    "/doublons",
    response_model=list[s.DoublonOut],
    summary="Chercher les doublons potentiels d'une personne",
)
async def chercher_doublons(
    uow: Uow,
    departement: Annotated[str, Query(pattern=r"^[0-9]{2}[0-9AB]?$")],
    nom: Annotated[str, Query(min_length=1, max_length=100)],
    prenoms: Annotated[str, Query(min_length=1, max_length=150)],
    date_naissance: date,
    nom_usage: Annotated[str | None, Query(max_length=100)] = None,
    nir: Annotated[str | None, Query(max_length=21)] = None,
    principal: Principal = Depends(require("demande.lire")),
) -> list[s.DoublonOut]:
    authorize(principal, "demande.lire", departement=departement, owner=None)
    noms = {normaliser(n) for n in (nom, nom_usage) if n and normaliser(n)}
    if not noms or not premier_prenom(prenoms):
        raise DonneesInvalides([Erreur("nom", "indiquez au moins une lettre")])
    nir_valide = None
    if nir:
        try:
            nir_valide = TypeAdapter(Nir).validate_python(nir)
        except ValidationError as exc:
            raise DonneesInvalides(
                [Erreur("nir", e["message"]) for e in error_items(exc.errors())]  # type: ignore[arg-type]
            ) from None
    cle = CleIdentite(
        departement,
        frozenset(noms),
        premier_prenom(prenoms),
        date_naissance,
        empreinte_nir(nir_valide) if nir_valide else None,
    )
    trouvees = await DemandeRepository(uow.session).doublons_potentiels(cle)
    await record_consultations(
        uow.session,
        principal,
        "demande",
        [(str(d.id), departement) for d in trouvees],
        "recherche de doublons",
    )
    await uow.commit()
    return [
        s.doublon_out(uc.doublons.Doublon(d.id, d.numero_unique, d.statut, raison))
        for d in trouvees
        if (raison := meme_personne(cle, cle_de(d)))
    ]


@router.get(
    "/catalogue-pieces",
    response_model=list[s.TypePieceOut],
    summary="Catalogue des pièces justificatives",
)
async def catalogue_pieces(
    principal: Principal = Depends(require("piece.lire")),
) -> list[s.TypePieceOut]:
    return [
        s.TypePieceOut(
            code=t.code,
            libelle=t.libelle,
            phase=t.phase,
            par_personne=t.par_personne,
            identite=t.identite,
        )
        for t in referentiel.types_pieces()
    ]


# --- one demande ------------------------------------------------------------------------------


@router.get(
    "/{demande_id}",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Consulter une demande (consultation tracée)",
)
async def consulter(
    demande_id: UUID,
    uow: Uow,
    motif: Annotated[
        str | None, Query(max_length=500, description="Motif de la consultation")
    ] = None,
    principal: Principal = Depends(require("demande.lire")),
) -> JSONResponse:
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, "demande.lire"))
    await record_consultation(
        uow.session, principal, "demande", str(demande.id), motif, departement=demande.departement
    )
    await uow.commit()
    return reponse(demande, principal, contexte(principal))


@router.get(
    "/{demande_id}/consultations",
    response_model=list[ConsultationDemandeur],
    responses=REPONSES,
    summary="Qui a consulté la demande, quand et pourquoi (le demandeur pour la sienne)",
)
async def consultations_de_la_demande(
    demande_id: UUID,
    uow: Uow,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    par_page: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = Depends(require("demande.lire")),
) -> list[ConsultationDemandeur]:
    """The applicant reads the trace of their own demande; an agent needs trace.consulter
    on the demande's département (the gestionnaire)."""
    action = "demande.lire" if principal.kind == "demandeur" else "trace.consulter"
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, action))
    # The demande, its historique and its pièces' downloads.
    pieces = await PieceRepository(uow.session).de_la_demande(demande.id)
    lignes, _total = await query_consultations(
        uow.session,
        ConsultationFilter(record_ids=(str(demande.id), *(str(p["id"]) for p in pieces))),
        page=page,
        per_page=par_page,
    )
    return consultations_pour_le_demandeur(lignes)


@router.patch(
    "/{demande_id}",
    response_model=s.DemandeOut,
    responses={
        **REPONSES,
        **http_toolkit.REPONSES_IF_MATCH,
        415: {"description": "Type de contenu non pris en charge"},
    },
    summary="Modifier une demande (JSON merge patch, RFC 7396)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                MERGE_PATCH: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def modifier(
    demande_id: UUID,
    request: Request,
    uow: Uow,
    if_match: http_toolkit.IfMatch = None,
    principal: Principal = Depends(require("demande.modifier")),
) -> JSONResponse:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in (MERGE_PATCH, "application/json"):
        return JSONResponse(
            status_code=415,
            content={"detail": f"Type de contenu attendu : {MERGE_PATCH} ou application/json"},
        )
    version = http_toolkit.required_version(if_match)
    try:
        patch = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise DonneesInvalides([Erreur("requête", "JSON invalide", "json_invalid")]) from None
    if not isinstance(patch, dict):
        raise DonneesInvalides([Erreur("requête", "un objet JSON est attendu", "dict_type")])
    ctx = contexte(principal)
    demande = await uc.saisie.modifier(
        uow,
        demande_id,
        patch,
        version,
        ctx,
        acces(principal, "demande.modifier"),
        autorite(principal),
        voit_handicap=lambda d: voit_handicap(principal, d),
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/date-depot",
    response_model=s.DemandeOut,
    responses={
        **REPONSES,
        412: {"description": "Version périmée"},
        428: {"description": "If-Match manquant"},
    },
    summary="Corriger la date de premier dépôt (gestionnaire du fichier, motif gardé)",
)
async def corriger_date_depot(
    demande_id: UUID,
    corps: s.CorrectionDateDepot,
    uow: Uow,
    if_match: http_toolkit.IfMatch = None,
    principal: Principal = Depends(require("demande.date_depot.corriger")),
) -> JSONResponse:
    version = http_toolkit.required_version(if_match)
    ctx = contexte(principal)
    demande = await uc.saisie.corriger_date_depot(
        uow,
        demande_id,
        corps.date_depot,
        corps.motif,
        version,
        ctx,
        acces(principal, "demande.date_depot.corriger"),
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/enregistrement",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Enregistrer la demande : attribue le numéro unique",
)
async def enregistrer(
    demande_id: UUID,
    uow: Uow,
    corps: Annotated[s.Enregistrement | None, Body()] = None,
    principal: Principal = Depends(require("demande.enregistrer")),
) -> JSONResponse:
    guichet = (corps.guichet if corps else None) or principal.guichet
    if guichet is None:
        raise DonneesInvalides(
            [
                Erreur(
                    "guichet",
                    "votre compte n'a pas de code guichet : indiquez le guichet enregistreur",
                )
            ]
        )
    try:
        TypeAdapter(CodeGuichet).validate_python(guichet)
    except ValidationError:
        raise DonneesInvalides(
            [Erreur("guichet", "code guichet invalide (5 lettres ou chiffres)")]
        ) from None
    ctx = contexte(principal)
    demande, doublons = await uc.cycle_de_vie.enregistrer(
        uow, demande_id, guichet.upper(), ctx, acces(principal, "demande.enregistrer")
    )
    return reponse(demande, principal, ctx, doublons=doublons)


@router.post(
    "/{demande_id}/soumission",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Soumettre un brouillon déposé en ligne (pièce d'identité à vérifier)",
)
async def soumettre(
    demande_id: UUID, uow: Uow, principal: Principal = Depends(require("demande.modifier"))
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.soumettre(
        uow, demande_id, ctx, acces(principal, "demande.modifier")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/rejet",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Rejeter une demande déposée en ligne (retour en brouillon, avis motivé)",
)
async def rejeter(
    demande_id: UUID,
    corps: s.Rejet,
    uow: Uow,
    principal: Principal = Depends(require("demande.enregistrer")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.rejeter(
        uow, demande_id, corps.motif, ctx, acces(principal, "demande.enregistrer")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/renouvellement",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Renouveler la demande pour un an",
)
async def renouveler(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.renouveler")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.renouveler(
        uow, demande_id, ctx, acces(principal, "demande.renouveler")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/radiation",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Radier la demande (ou notifier le préavis de radiation)",
)
async def radier(
    demande_id: UUID,
    corps: s.Radiation,
    uow: Uow,
    principal: Principal = Depends(require("demande.radier")),
) -> JSONResponse:
    ctx = contexte(principal)
    decision = corps.decision
    verifier = acces(principal, "demande.radier")
    if decision is not None:
        # Irrecevabilité: the gestionnaire's decision, or a CALEOL decision recorded by
        # someone who records CALEOL decisions; never any agent's click.
        if decision.origine is OrigineDecision.CALEOL and not decision.reference:
            raise DonneesInvalides(
                [Erreur("decision.reference", "la référence de la séance CALEOL est obligatoire")]
            )
        autorite = acces(
            principal,
            "caleol.gerer"
            if decision.origine is OrigineDecision.CALEOL
            else "demande.declarer_irrecevable",
        )
        radier_acces = verifier

        def verifier(demande: Demande) -> None:
            radier_acces(demande)
            autorite(demande)

    demande = await uc.cycle_de_vie.radier(
        uow,
        demande_id,
        corps.motif,
        corps.sous_motif,
        ctx,
        verifier,
        None
        if decision is None
        else DecisionIrrecevabilite(
            origine=decision.origine,
            fondement=decision.fondement,
            date_decision=decision.date_decision,
            reference=decision.reference,
        ),
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/reactivation",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Réactiver une demande radiée dans le délai de tolérance",
)
async def reactiver(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.reactiver")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.reactiver(
        uow, demande_id, ctx, acces(principal, "demande.reactiver")
    )
    return reponse(demande, principal, ctx)


@router.get(
    "/{demande_id}/historique",
    response_model=list[s.EvenementOut],
    responses=REPONSES,
    summary="Historique des changements de la demande (consultation tracée)",
)
async def historique(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.historique")),
) -> list[s.EvenementOut]:
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, "demande.historique"))
    evenements = await DemandeRepository(uow.session).historique(demande_id)
    await record_consultation(
        uow.session,
        principal,
        "demande.historique",
        str(demande.id),
        departement=demande.departement,
    )
    await uow.commit()
    handicap = voit_handicap(principal, demande)
    return [s.evenement_out(e, voit_handicap=handicap) for e in evenements]


@router.post(
    "/{demande_id}/doublons/{autre_id}/fusion",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Fusionner un doublon dans cette demande",
)
async def fusionner(
    demande_id: UUID,
    autre_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.fusionner")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.doublons.fusionner(
        uow, demande_id, autre_id, ctx, acces(principal, "demande.fusionner")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/doublons/{autre_id}/distinctes",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Confirmer que deux demandes sont distinctes",
)
async def distinctes(
    demande_id: UUID,
    autre_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.modifier")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.doublons.ecarter_doublon(
        uow, demande_id, autre_id, ctx, acces(principal, "demande.modifier")
    )
    return reponse(demande, principal, ctx)


# --- pièces -----------------------------------------------------------------------------------


@router.post(
    "/{demande_id}/pieces",
    status_code=201,
    response_model=s.PieceOut,
    responses=REPONSES,
    summary="Déposer une pièce justificative (PDF, JPEG, PNG)",
)
async def deposer_piece(
    demande_id: UUID,
    request: Request,
    uow: Uow,
    type: Annotated[
        str, Form(min_length=1, max_length=64, description="Code du catalogue des pièces")
    ],
    fichier: Annotated[UploadFile, File(description="PDF, JPEG ou PNG")],
    personne: Annotated[
        str | None,
        Form(
            max_length=20,
            description=(
                "« demandeur », « codemandeur », « occupants[i] » ; absent : tout le ménage"
            ),
        ),
    ] = None,
    principal: Principal = Depends(require("piece.deposer")),
) -> s.PieceOut:
    contenu = await fichier.read(TAILLE_MAX_PIECE + 1)
    ligne = await uc.pieces.deposer_piece(
        uow,
        stockage(runtime_of(request)),
        demande_id,
        type,
        personne or None,
        # The name a client gives is a display label only (NFC, no control or bidi
        # character, bounded); the file is stored under a key of ours.
        uc.pieces.Fichier(display_filename(fichier.filename), contenu),
        TAILLE_MAX_PIECE,
        contexte(principal),
        acces(principal, "piece.deposer"),
    )
    return s.PieceOut(**ligne, motif_refus=None)


@router.get(
    "/{demande_id}/pieces",
    response_model=list[s.PieceOut],
    responses=REPONSES,
    summary="Pièces de la demande",
)
async def pieces(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("piece.lire")),
) -> list[s.PieceOut]:
    lignes = await uc.pieces.lister_pieces(
        uow, demande_id, acces(principal, "piece.lire"), lambda d: voit_handicap(principal, d)
    )
    return [
        s.PieceOut(**{k: v for k, v in ligne.items() if k in s.PieceOut.model_fields})
        for ligne in lignes
    ]


@router.get(
    "/{demande_id}/pieces/{piece_id}/fichier",
    responses=REPONSES,
    response_class=Response,
    summary="Télécharger une pièce (téléchargement tracé)",
)
async def telecharger_piece(
    demande_id: UUID,
    piece_id: UUID,
    request: Request,
    uow: Uow,
    principal: Principal = Depends(require("piece.lire")),
) -> Response:
    ligne = await uc.pieces.piece(
        uow,
        demande_id,
        piece_id,
        acces(principal, "piece.lire"),
        lambda d: voit_handicap(principal, d),
    )
    contenu = await stockage(runtime_of(request)).lire(ligne["cle_stockage"], ligne["sha256"])
    await record_consultation(
        uow.session, principal, "piece", str(piece_id), f"téléchargement ({ligne['type']})"
    )
    await uow.commit()
    return Response(
        content=contenu,
        media_type=ligne["media_type"],
        headers={
            "Content-Disposition": f'attachment; filename="{piece_id}"',
            "X-Content-Type-Options": "nosniff",
            "Digest": f"sha-256={ligne['sha256']}",
        },
    )


@router.post(
    "/{demande_id}/pieces/{piece_id}/decision",
    response_model=s.PieceOut,
    responses=REPONSES,
    summary="Valider ou refuser une pièce",
)
async def statuer_piece(
    demande_id: UUID,
    piece_id: UUID,
    corps: s.DecisionPiece,
    uow: Uow,
    principal: Principal = Depends(require("piece.valider")),
) -> s.PieceOut:
    ligne = await uc.pieces.statuer_piece(
        uow,
        demande_id,
        piece_id,
        corps.statut,
        corps.motif,
        contexte(principal),
        acces(principal, "piece.valider"),
    )
    return s.PieceOut(**{k: v for k, v in ligne.items() if k in s.PieceOut.model_fields})
