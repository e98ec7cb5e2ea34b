"""Rules that need reference data or span several fields; each error names its field path."""

from __future__ import annotations

from servicekit.exceptions import Erreur, Invalide
from toit_contracts.types import departement_de_commune
from toit_demandes.domain.ports import Referentiel
from toit_demandes.domain.saisie import DemandeSaisie

__all__ = ["DonneesInvalides", "Erreur", "exiger_valide", "verifier"]


class DonneesInvalides(Invalide):
    """Input that is well-formed but inconsistent (HTTP 422)."""

    def __init__(self, erreurs: list[Erreur]) -> None:
        super().__init__(erreurs)


def verifier(saisie: DemandeSaisie, referentiel: Referentiel) -> list[Erreur]:
    erreurs: list[Erreur] = []
    couverts = referentiel.departements_couverts()
    if saisie.departement not in couverts:
        erreurs.append(
            Erreur(
                "departement",
                f"département hors du fichier partagé (départements gérés : "
                f"{', '.join(sorted(couverts))})",
                "departement",
            )
        )

    def commune_connue(champ: str, insee: str | None, *, du_departement: bool = False) -> None:
        if insee is None:
            return
        if du_departement and departement_de_commune(insee) != saisie.departement:
            erreurs.append(
                Erreur(
                    champ,
                    f"la commune {insee} n'est pas dans le département {saisie.departement}",
                    "commune",
                )
            )
        elif departement_de_commune(insee) in couverts and not referentiel.commune_existe(insee):
            erreurs.append(Erreur(champ, f"commune inconnue : {insee}", "commune"))

    if saisie.demandeur.adresse is not None:
        commune_connue("demandeur.adresse.commune_insee", saisie.demandeur.adresse.commune_insee)
    commune_connue("logement_actuel.commune_insee", saisie.logement_actuel.commune_insee)
    sp = saisie.situation_professionnelle
    commune_connue(
        "situation_professionnelle.commune_travail_demandeur", sp.commune_travail_demandeur
    )
    commune_connue(
        "situation_professionnelle.commune_travail_codemandeur", sp.commune_travail_codemandeur
    )
    for index, insee in enumerate(saisie.logement_recherche.communes):
        commune_connue(f"logement_recherche.communes[{index}]", insee, du_departement=True)

    references: list[tuple[str, list[str]]] = [
        ("ressources", [r.personne for r in saisie.ressources]),
        ("revenu_fiscal_reference", [r.personne for r in saisie.revenu_fiscal_reference]),
        ("complement_handicap", [h.personne for h in saisie.complement_handicap]),
    ]
    for champ, personnes in references:
        for index, personne in enumerate(personnes):
            if not saisie.personne_existe(personne):
                erreurs.append(
                    Erreur(
                        f"{champ}[{index}].personne",
                        f"« {personne} » ne désigne aucune personne du ménage",
                        "personne",
                    )
                )
    personnes_handicap = [h.personne for h in saisie.complement_handicap]
    if len(set(personnes_handicap)) != len(personnes_handicap):
        erreurs.append(Erreur("complement_handicap", "une personne figure deux fois"))
    if saisie.codemandeur is None and sp.codemandeur is not None:
        erreurs.append(
            Erreur("situation_professionnelle.codemandeur", "la demande n'a pas de codemandeur")
        )
    return erreurs


def exiger_valide(saisie: DemandeSaisie, referentiel: Referentiel) -> None:
    erreurs = verifier(saisie, referentiel)
    if erreurs:
        raise DonneesInvalides(erreurs)
