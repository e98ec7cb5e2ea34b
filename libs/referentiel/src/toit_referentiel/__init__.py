"""Reference and configuration data of the Toit territory, as a pure, typed, cached API.

Communes and EPCI come from `@etalab/decoupage-administratif` 6.0.0 (MIT); income ceilings,
délais anormalement longs, lifecycle durations and the pièces catalogue from YAML files
with their sources. Data files are read once; TOIT_REFERENTIEL_DIR replaces any of them
(see loading.py).
"""

from __future__ import annotations

from toit_referentiel import configuration, premier_quartile, rapprochement, territoire
from toit_referentiel.calendrier import (
    add_months,
    anciennete_mois,
    date_expiration,
    date_saisine_dalo,
    whole_months_between,
)
from toit_referentiel.configuration import (
    MENTION_PLAFOND_PROVISOIRE,
    annees_plafonds,
    anteriorite_depot_jours,
    delai_anormalement_long,
    delai_des_typologies,
    depot_en_ligne,
    donnees_provisoires,
    exiger_donnees_definitives,
    financements,
    lifecycle_config,
    piece,
    pieces_catalogue,
    plafond_provisoire,
    plafonds,
    verifier_production,
)
from toit_referentiel.models import (
    Commune,
    DelaiAnormalementLong,
    Departement,
    DonneeIndisponible,
    Epci,
    LifecycleConfig,
    PhasePiece,
    PorteePiece,
    ReferentielInvalide,
    ReferentielProvisoire,
    RegleRadiation,
    TypePiece,
)
from toit_referentiel.premier_quartile import (
    SeuilPremierQuartile,
    au_premier_quartile,
    ressources_annuelles_par_uc,
    seuil_premier_quartile,
)
from toit_referentiel.settings import OVERRIDE_ENV
from toit_referentiel.territoire import (
    commune,
    communes_of_departement,
    communes_of_epci,
    departement,
    departements,
    epci,
    epci_of_commune,
    normalise_nom,
    search_communes,
)

__all__ = [
    "MENTION_PLAFOND_PROVISOIRE",
    "OVERRIDE_ENV",
    "Commune",
    "DelaiAnormalementLong",
    "Departement",
    "DonneeIndisponible",
    "Epci",
    "LifecycleConfig",
    "PhasePiece",
    "PorteePiece",
    "ReferentielInvalide",
    "ReferentielProvisoire",
    "RegleRadiation",
    "SeuilPremierQuartile",
    "TypePiece",
    "add_months",
    "anciennete_mois",
    "annees_plafonds",
    "anteriorite_depot_jours",
    "au_premier_quartile",
    "commune",
    "communes_of_departement",
    "communes_of_epci",
    "date_expiration",
    "date_saisine_dalo",
    "delai_anormalement_long",
    "delai_des_typologies",
    "departement",
    "departements",
    "depot_en_ligne",
    "donnees_provisoires",
    "epci",
    "epci_of_commune",
    "exiger_donnees_definitives",
    "financements",
    "lifecycle_config",
    "normalise_nom",
    "piece",
    "pieces_catalogue",
    "plafond_provisoire",
    "plafonds",
    "reset_cache",
    "ressources_annuelles_par_uc",
    "search_communes",
    "seuil_premier_quartile",
    "verifier_production",
    "whole_months_between",
]


def reset_cache() -> None:
    """Forget the loaded data, so that a changed TOIT_REFERENTIEL_DIR is read again."""
    territoire.territoire.cache_clear()
    for loader in (
        configuration._baremes,
        configuration._delais,
        configuration.lifecycle_config,
        configuration.anteriorite_depot_jours,
        configuration._depot_en_ligne,
        configuration.pieces_catalogue,
        configuration._pieces_par_code,
    ):
        loader.cache_clear()
    premier_quartile._seuils.cache_clear()
    rapprochement.regles_rapprochement.cache_clear()
    rapprochement._positions.cache_clear()
