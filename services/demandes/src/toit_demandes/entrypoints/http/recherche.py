"""Searches of demandes (/api/demandes, /api/demandes/a-valider/en-retard); every list of
results is traced."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import toit_referentiel
from fastapi import (
    APIRouter,
    Depends,
    Query,
)

from servicekit import authz, http_toolkit
from servicekit.audit import (
    record_consultations,
)
from servicekit.auth import Principal, require
from servicekit.uow import UnitOfWork
from toit_contracts.enums import StatutDemande, Typologie
from toit_contracts.types import CodeInsee, NumeroUniqueStr
from toit_demandes.adapters.referentiel import referentiel
from toit_demandes.adapters.repository import (
    Criteres,
    DemandeRepository,
)
from toit_demandes.domain.doublons import (
    normaliser,
)
from toit_demandes.domain.verifications import DonneesInvalides, Erreur
from toit_demandes.entrypoints import schemas as s
from toit_demandes.entrypoints.http.commun import (
    Uow,
)

router = APIRouter(prefix="/api/demandes", tags=["demandes"])


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
