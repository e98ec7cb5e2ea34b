"""What the use cases of cotation share: refusals, month of reference, EPCIs, grid caches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from uuid import UUID

import structlog
from toit_referentiel import territoire as referentiel_territoire
from toit_referentiel.configuration import delai_des_typologies
from toit_referentiel.models import DonneeIndisponible
from toit_referentiel.premier_quartile import seuil_premier_quartile

from servicekit.exceptions import Introuvable, VersionObsolete
from servicekit.uow import UnitOfWork
from toit_contracts.enums import StatutDemande
from toit_cotation.adapters.repository import CotationRepository
from toit_cotation.domain.grille import (
    Grille,
)
from toit_cotation.domain.scoring import GrilleCompilee, compiler

log = structlog.get_logger(__name__)

# Demandes that get a score; only ACTIVE ones count in the positions.
STATUTS_COTES = frozenset(
    {StatutDemande.A_VALIDER, StatutDemande.ACTIVE, StatutDemande.EXPIREE_GRACE}
)


class GrilleIntrouvable(Introuvable, LookupError):
    def __init__(self, grille_id: str = "") -> None:
        super().__init__("Grille introuvable")
        self.grille_id = grille_id


class ConflitDeModification(VersionObsolete):
    """The grid changed since the caller read it (ETag mismatch, HTTP 412)."""


def reference_du_mois(jour: date) -> date:
    """Ancienneté is counted at the 1st of the current month: the live score and the
    monthly bulk re-scoring then agree, and a score moves once a month at most."""
    return jour.replace(day=1)


def epcis_des_communes(communes: Iterable[str]) -> list[str]:
    """EPCIs of the wished communes, in wish order, without repetition."""
    vus: list[str] = []
    for commune in communes:
        epci = _epci_de(commune)
        if epci is not None and epci not in vus:
            vus.append(epci)
    return vus


@lru_cache(maxsize=1 << 16)
def _epci_de(commune: str) -> str | None:
    # The referential is static for the life of the process: one lookup per commune.
    epci = referentiel_territoire.epci_of_commune(commune)
    return None if epci is None else epci.siren


def delai_de(departement: str, typologies: Sequence[str]) -> int | None:
    """DAL of a demande asking for these typologies (libs/referentiel's rule: the shortest)."""
    try:
        return delai_des_typologies(departement, typologies).mois
    except DonneeIndisponible:
        return None


def seuil_quartile_de(epci: str, annee: int) -> int | None:
    """First-quartile threshold of the EPCI for the year (the latest published arrêté up to
    it: libs/referentiel's rule), € per unit of consumption; None when not configured."""
    try:
        return seuil_premier_quartile(epci, annee).euros_par_uc
    except DonneeIndisponible:
        return None


_COMPILEES: dict[tuple[UUID, int], GrilleCompilee] = {}


def compilee(grille: Grille) -> GrilleCompilee:
    cle = (grille.id, grille.revision)
    resultat = _COMPILEES.get(cle)
    if resultat is None:
        if len(_COMPILEES) > 500:
            _COMPILEES.clear()
        resultat = _COMPILEES[cle] = compiler(grille)
    return resultat


_PUBLIEES: dict[tuple[UUID, int], Grille] = {}


async def grilles_publiees(uow: UnitOfWork, cles: Iterable[tuple[UUID, int]]) -> list[Grille]:
    """The grids named by (id, revision). A grid never changes without its revision,
    so the parsed grids are cached and only a new revision is read."""
    trouvees = []
    for grille_id, revision in cles:
        grille = _PUBLIEES.get((grille_id, revision))
        if grille is None:
            lue = await depot(uow).grille(grille_id)
            if lue is None or lue.revision != revision:
                continue  # changed meanwhile: the re-scoring job it queued follows
            if len(_PUBLIEES) > 500:
                _PUBLIEES.clear()
            grille = _PUBLIEES[(grille_id, revision)] = lue
        trouvees.append(grille)
    return trouvees


def depot(uow: UnitOfWork) -> CotationRepository:
    """The storage of cotation, on this unit of work."""
    return uow.repository(CotationRepository)
