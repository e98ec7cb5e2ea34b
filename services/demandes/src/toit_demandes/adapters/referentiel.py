"""The domain's `Referentiel` port over libs/referentiel (communes, ceilings, delays, pièces)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache

import toit_referentiel as ref

from toit_contracts.enums import MotifRadiation, Typologie
from toit_demandes.domain.cycle_de_vie import ReglesCycleDeVie
from toit_demandes.domain.derives import CATEGORIE_MAX, CategorieMenage
from toit_demandes.domain.ports import TypePiece


class ReferentielToit:
    def departements_couverts(self) -> frozenset[str]:
        return frozenset(d.code for d in ref.departements())

    def commune_existe(self, insee: str) -> bool:
        return ref.commune(insee) is not None

    def nom_commune(self, insee: str) -> str | None:
        commune = ref.commune(insee)
        return commune.nom if commune else None

    def plafond(self, annee: int, financement: str, categorie: CategorieMenage) -> Decimal | None:
        rang = categorie.categorie + (
            categorie.personnes_supplementaires if categorie.categorie == CATEGORIE_MAX else 0
        )
        try:
            return Decimal(ref.plafonds(annee, financement, rang))
        except ref.DonneeIndisponible:
            return None

    def plafond_provisoire(self, annee: int, financement: str) -> bool:
        try:
            return ref.plafond_provisoire(annee, financement)
        except ref.DonneeIndisponible:
            return False

    def delai_anormalement_long(
        self, departement: str, typologies: Iterable[Typologie]
    ) -> int | None:
        try:
            return ref.delai_des_typologies(departement, typologies).mois
        except ref.DonneeIndisponible:
            return None

    def regles_cycle_de_vie(self) -> ReglesCycleDeVie:
        return _regles()

    def anteriorite_depot_jours(self) -> int:
        return ref.anteriorite_depot_jours()

    def type_piece(self, code: str) -> TypePiece | None:
        piece = ref.piece(code)
        return _type_piece(piece) if piece else None

    def types_pieces(self) -> list[TypePiece]:
        return [_type_piece(p) for p in ref.pieces_catalogue()]


def _type_piece(piece: ref.TypePiece) -> TypePiece:
    return TypePiece(
        code=piece.code,
        libelle=piece.libelle,
        phase=piece.phase.value,
        par_personne=piece.portee is ref.PorteePiece.PERSONNE,
        identite=piece.phase is ref.PhasePiece.ENREGISTREMENT,
        sensible=piece.sensible,
    )


@cache
def _regles() -> ReglesCycleDeVie:
    config = ref.lifecycle_config()
    return ReglesCycleDeVie(
        validite_mois=config.validite_mois,
        preavis_renouvellement_mois=config.preavis_renouvellement_mois,
        grace_mois=config.grace_non_renouvellement_mois,
        preavis_radiation_mois={
            MotifRadiation(motif): regle.preavis_mois
            for motif, regle in config.radiation.items()
            if regle.preavis_mois > 0
        },
        reactivation_mois={
            MotifRadiation(motif): regle.reactivation_mois
            for motif, regle in config.radiation.items()
            if regle.reactivation_mois > 0
        },
        conservation_apres_radiation_mois=config.conservation_apres_radiation_mois,
        validation_delai_jours=config.validation_delai_jours,
        a_valider_conservation_mois=config.a_valider_conservation_mois,
    )


referentiel = ReferentielToit()
