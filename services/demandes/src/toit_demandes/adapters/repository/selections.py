"""Daily-job selections: the rows each job re-checks under its row lock."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from toit_referentiel.calendrier import add_months as ajouter_mois

from toit_contracts.enums import (
    StatutDemande,
)
from toit_demandes.adapters.tables import (
    demandes,
)

Selection = sa.ColumnElement[bool]
_d = demandes.c
_ACTIVES = _d.statut == StatutDemande.ACTIVE.value


def a_prevenir_du_renouvellement(jour: date, preavis_mois: int) -> Selection:
    return sa.and_(
        _ACTIVES,
        _d.date_expiration > jour,
        _d.date_expiration <= ajouter_mois(jour, preavis_mois),
        sa.or_(
            _d.preavis_renouvellement_pour.is_(None),
            _d.preavis_renouvellement_pour != _d.date_expiration,
        ),
    )


def a_expirer(jour: date) -> Selection:
    return sa.and_(_ACTIVES, _d.date_expiration <= jour)


def a_radier_faute_de_renouvellement(jour: date, grace_mois: int) -> Selection:
    return sa.and_(
        _d.statut == StatutDemande.EXPIREE_GRACE.value,
        _d.date_expiration <= ajouter_mois(jour, -grace_mois),
    )


def preavis_de_radiation_echus(jour: date) -> Selection:
    return sa.and_(
        _d.preavis_radiation_effet <= jour,
        _d.statut.in_([StatutDemande.ACTIVE.value, StatutDemande.EXPIREE_GRACE.value]),
    )


def a_purger(
    jour: date,
    conservation_apres_radiation_mois: int,
    brouillon_mois: int,
    a_valider_mois: int = 3,
) -> Selection:
    return sa.or_(
        sa.and_(
            _d.statut == StatutDemande.A_VALIDER.value,
            _d.date_depot_initial <= ajouter_mois(jour, -a_valider_mois),
        ),
        sa.and_(
            _d.statut == StatutDemande.RADIEE.value,
            _d.date_radiation <= ajouter_mois(jour, -conservation_apres_radiation_mois),
        ),
        sa.and_(
            _d.statut == StatutDemande.BROUILLON.value,
            _d.date_depot_initial <= ajouter_mois(jour, -brouillon_mois),
        ),
    )


def delai_anormalement_long_a_signaler(jour: date, departement: str, delai_mois: int) -> Selection:
    return sa.and_(
        _ACTIVES,
        _d.departement == departement,
        _d.delai_anormalement_long_signale.is_(False),
        _d.date_depot_initial <= ajouter_mois(jour, -delai_mois),
    )
