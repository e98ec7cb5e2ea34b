"""The CALEOL: its members, who sits for a dossier, with what vote (L441-2, R441-9 CCH;
primer §9.2).

With a deliberative vote: six members designated by the bailleur's board (one represents the
tenants), who elect a president; the maire of the commune where the unit is (or a
representative), who has the casting vote in case of a tie; the préfet (or a representative);
the president of the EPCI competent for the PLH, for units on its territory — the casting vote
moves to the EPCI president when the EPCI has set up a CIL and adopted its PPGDID (unverified
detail: a setting of the commission). With a consultative vote: a representative of the
social-intermediation associations; the réservataires, for the units of their contingent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from toit_matching.domain.erreurs import DonneesInvalides, ErreurChamp


class Qualite(StrEnum):
    ADMINISTRATEUR = "ADMINISTRATEUR"
    REPRESENTANT_LOCATAIRES = "REPRESENTANT_LOCATAIRES"
    MAIRE = "MAIRE"
    PREFET = "PREFET"
    PRESIDENT_EPCI = "PRESIDENT_EPCI"
    ASSOCIATION_INSERTION = "ASSOCIATION_INSERTION"
    RESERVATAIRE = "RESERVATAIRE"


LIBELLES_QUALITE = {
    Qualite.ADMINISTRATEUR: "Administrateur désigné par le conseil du bailleur",
    Qualite.REPRESENTANT_LOCATAIRES: "Représentant des locataires",
    Qualite.MAIRE: "Maire de la commune (ou son représentant)",
    Qualite.PREFET: "Préfet (ou son représentant)",
    Qualite.PRESIDENT_EPCI: "Président de l'EPCI (ou son représentant)",
    Qualite.ASSOCIATION_INSERTION: "Association d'insertion ou d'intermédiation locative",
    Qualite.RESERVATAIRE: "Réservataire (logements de son contingent)",
}


class Voix(StrEnum):
    DELIBERATIVE = "DELIBERATIVE"
    CONSULTATIVE = "CONSULTATIVE"


VOIX = {
    Qualite.ADMINISTRATEUR: Voix.DELIBERATIVE,
    Qualite.REPRESENTANT_LOCATAIRES: Voix.DELIBERATIVE,
    Qualite.MAIRE: Voix.DELIBERATIVE,
    Qualite.PREFET: Voix.DELIBERATIVE,
    Qualite.PRESIDENT_EPCI: Voix.DELIBERATIVE,
    Qualite.ASSOCIATION_INSERTION: Voix.CONSULTATIVE,
    Qualite.RESERVATAIRE: Voix.CONSULTATIVE,
}

ADMINISTRATEURS_MAX = 6  # including the tenants' representative (R441-9 CCH)


@dataclass(frozen=True, slots=True)
class Membre:
    id: UUID
    compte_id: str  # the member's account (identite `sub`)
    nom: str
    qualite: Qualite
    president: bool = False
    commune: str | None = None  # a maire's commune
    epci: str | None = None  # an EPCI president's EPCI
    reservataire_id: str | None = None  # a réservataire's organisation

    @property
    def voix(self) -> Voix:
        return VOIX[self.qualite]


@dataclass(frozen=True, slots=True)
class Logement:
    """What decides who sits for a dossier: the unit's place and contingent."""

    commune: str
    epci: str | None
    reservataire_id: str | None


def verifier_membre(membre: Membre, autres: Sequence[Membre]) -> None:
    """A new member is consistent with the commission's composition."""
    erreurs: list[ErreurChamp] = []
    if membre.qualite is Qualite.MAIRE and not membre.commune:
        erreurs.append(ErreurChamp("commune", "la commune du maire est obligatoire"))
    if membre.qualite is Qualite.PRESIDENT_EPCI and not membre.epci:
        erreurs.append(ErreurChamp("epci", "l'EPCI du président est obligatoire"))
    if membre.qualite is Qualite.RESERVATAIRE and not membre.reservataire_id:
        erreurs.append(ErreurChamp("reservataire_id", "l'organisation réservataire est requise"))
    conseil = (Qualite.ADMINISTRATEUR, Qualite.REPRESENTANT_LOCATAIRES)
    if membre.qualite in conseil:
        nombre = sum(1 for m in autres if m.qualite in conseil)
        if nombre >= ADMINISTRATEURS_MAX:
            erreurs.append(
                ErreurChamp(
                    "qualite",
                    f"le conseil du bailleur désigne {ADMINISTRATEURS_MAX} membres au plus "
                    "(représentant des locataires compris)",
                )
            )
    if membre.president:
        if membre.qualite not in conseil:
            erreurs.append(
                ErreurChamp(
                    "president",
                    "le président est élu parmi les six membres désignés par le conseil",
                )
            )
        if any(m.president for m in autres):
            erreurs.append(ErreurChamp("president", "la commission a déjà un président"))
    if any(m.compte_id == membre.compte_id for m in autres):
        erreurs.append(ErreurChamp("compte_id", "ce compte est déjà membre de la commission"))
    if erreurs:
        raise DonneesInvalides(erreurs)


def siegeants(membres: Iterable[Membre], logement: Logement) -> list[Membre]:
    """The members who sit for a unit: the maire of its commune only, the EPCI president of
    its EPCI only, the réservataire of its contingent only; everyone else always."""
    resultat = []
    for m in membres:
        if m.qualite is Qualite.MAIRE and m.commune != logement.commune:
            continue
        if m.qualite is Qualite.PRESIDENT_EPCI and (
            logement.epci is None or m.epci != logement.epci
        ):
            continue
        if m.qualite is Qualite.RESERVATAIRE and (
            logement.reservataire_id is None or m.reservataire_id != logement.reservataire_id
        ):
            continue
        resultat.append(m)
    return resultat


def voix_preponderante(sieges: Iterable[Membre], *, epci_preponderant: bool) -> Membre | None:
    """Who breaks a tie: the maire of the commune, or the EPCI president when the EPCI has a
    CIL and a PPGDID (a setting of the commission)."""
    qualite = Qualite.PRESIDENT_EPCI if epci_preponderant else Qualite.MAIRE
    return next((m for m in sieges if m.qualite is qualite), None)
