"""Rules that need reference data or span several fields; each error names its field path.

The rules themselves are `toit_contracts.saisie.incoherences` (the portail applies the
same before a household submits); this module turns them into demandes' refusals."""

from __future__ import annotations

from servicekit.exceptions import Erreur, Invalide
from toit_contracts.saisie import incoherences
from toit_demandes.domain.ports import Referentiel
from toit_demandes.domain.saisie import DemandeSaisie

__all__ = ["DonneesInvalides", "Erreur", "exiger_valide", "verifier"]


class DonneesInvalides(Invalide):
    """Input that is well-formed but inconsistent (HTTP 422)."""

    def __init__(self, erreurs: list[Erreur]) -> None:
        super().__init__(erreurs)


def verifier(saisie: DemandeSaisie, referentiel: Referentiel) -> list[Erreur]:
    return [
        Erreur(i.champ, i.message, i.code)
        for i in incoherences(
            saisie, referentiel.departements_couverts(), referentiel.commune_existe
        )
    ]


def exiger_valide(saisie: DemandeSaisie, referentiel: Referentiel) -> None:
    erreurs = verifier(saisie, referentiel)
    if erreurs:
        raise DonneesInvalides(erreurs)
