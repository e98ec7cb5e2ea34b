"""Legal lifecycle of a demande (primer §5): states, allowed transitions, delays.

The transition table is the single place saying what may happen in which
state; guards that depend on dates (reactivation window...) sit in the
aggregate. Delays are configuration (`ReglesCycleDeVie`), loaded from the
referentiel, never constants; months are counted by the one calendar of
libs/referentiel (toit_referentiel.calendrier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from toit_referentiel.calendrier import add_months

from servicekit.exceptions import Conflit
from toit_contracts.enums import MotifRadiation, StatutDemande


class Action(StrEnum):
    SOUMETTRE = "SOUMETTRE"  # online submission, identity to check
    REJETER = "REJETER"  # a guichet refuses an online submission: back to the applicant
    ENREGISTRER = "ENREGISTRER"
    MODIFIER = "MODIFIER"
    RENOUVELER = "RENOUVELER"
    EXPIRER = "EXPIRER"  # end of validity: grace window opens
    NOTIFIER_RADIATION = "NOTIFIER_RADIATION"  # notice before radiation (irrecevabilité...)
    LEVER_PREAVIS = "LEVER_PREAVIS"  # the household answered in time: no radiation
    RADIER = "RADIER"
    REACTIVER = "REACTIVER"
    PURGER = "PURGER"


S = StatutDemande
TRANSITIONS: dict[tuple[StatutDemande, Action], StatutDemande] = {
    (S.BROUILLON, Action.SOUMETTRE): S.A_VALIDER,
    (S.BROUILLON, Action.ENREGISTRER): S.ACTIVE,
    (S.A_VALIDER, Action.ENREGISTRER): S.ACTIVE,
    (S.A_VALIDER, Action.REJETER): S.BROUILLON,
    (S.A_VALIDER, Action.PURGER): S.PURGEE,
    (S.BROUILLON, Action.MODIFIER): S.BROUILLON,
    (S.A_VALIDER, Action.MODIFIER): S.A_VALIDER,
    (S.ACTIVE, Action.MODIFIER): S.ACTIVE,
    (S.EXPIREE_GRACE, Action.MODIFIER): S.EXPIREE_GRACE,
    (S.ACTIVE, Action.RENOUVELER): S.ACTIVE,
    (S.EXPIREE_GRACE, Action.RENOUVELER): S.ACTIVE,
    (S.ACTIVE, Action.EXPIRER): S.EXPIREE_GRACE,
    (S.ACTIVE, Action.NOTIFIER_RADIATION): S.ACTIVE,
    (S.EXPIREE_GRACE, Action.NOTIFIER_RADIATION): S.EXPIREE_GRACE,
    (S.ACTIVE, Action.LEVER_PREAVIS): S.ACTIVE,
    (S.EXPIREE_GRACE, Action.LEVER_PREAVIS): S.EXPIREE_GRACE,
    (S.ACTIVE, Action.RADIER): S.RADIEE,
    (S.EXPIREE_GRACE, Action.RADIER): S.RADIEE,
    (S.RADIEE, Action.REACTIVER): S.ACTIVE,
    (S.RADIEE, Action.PURGER): S.PURGEE,
    (S.BROUILLON, Action.PURGER): S.PURGEE,
}

_ACTIONS_FR = {
    Action.SOUMETTRE: "soumettre",
    Action.REJETER: "rejeter",
    Action.ENREGISTRER: "enregistrer",
    Action.MODIFIER: "modifier",
    Action.RENOUVELER: "renouveler",
    Action.EXPIRER: "faire expirer",
    Action.NOTIFIER_RADIATION: "notifier une radiation pour",
    Action.LEVER_PREAVIS: "lever le préavis de radiation d'",
    Action.RADIER: "radier",
    Action.REACTIVER: "réactiver",
    Action.PURGER: "purger",
}


class TransitionInterdite(Conflit):
    """The demande's state does not allow the action (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def transition(statut: StatutDemande, action: Action) -> StatutDemande:
    try:
        return TRANSITIONS[(statut, action)]
    except KeyError:
        raise TransitionInterdite(
            f"impossible de {_ACTIONS_FR[action]} une demande au statut « {statut.label} »"
        ) from None


# Motifs radiating at once; the others need a notice first (primer §5.3).
MOTIFS_SANS_PREAVIS = frozenset({MotifRadiation.ATTRIBUTION, MotifRadiation.RENONCIATION})
MOTIFS_AUTOMATIQUES = frozenset({MotifRadiation.NON_RENOUVELLEMENT})
# Notices the household's own answer lifts (R441-2-8 CCH: radiation only « sans réponse »).
# An irrecevabilité rests on a CALEOL or gestionnaire decision: the household's answer is
# examined by them, it does not lift the notice by itself.
MOTIFS_LEVES_PAR_LA_REPONSE = frozenset({MotifRadiation.ABSENCE_DE_REPONSE})


@dataclass(frozen=True)
class ReglesCycleDeVie:
    """Delays of the lifecycle, in months (primer §5.2, §5.3, §12, §14)."""

    validite_mois: int = 12
    preavis_renouvellement_mois: int = 1
    grace_mois: int = 1
    preavis_radiation_mois: dict[MotifRadiation, int] = field(
        default_factory=lambda: {
            MotifRadiation.IRRECEVABILITE: 1,
            MotifRadiation.ABSENCE_DE_REPONSE: 2,
        }
    )
    # Reactivation possible for this many months after the radiation date.
    reactivation_mois: dict[MotifRadiation, int] = field(
        default_factory=lambda: {
            MotifRadiation.NON_RENOUVELLEMENT: 5,
            MotifRadiation.ABSENCE_DE_REPONSE: 5,
        }
    )
    conservation_apres_radiation_mois: int = 12
    brouillon_abandonne_mois: int = 12
    # Online submissions (A_VALIDER): on the gestionnaire's list after this many days,
    # purged after this many months if never validated.
    validation_delai_jours: int = 10
    a_valider_conservation_mois: int = 3

    def expiration(self, depuis: date) -> date:
        return add_months(depuis, self.validite_mois)

    def date_preavis_renouvellement(self, expiration: date) -> date:
        return add_months(expiration, -self.preavis_renouvellement_mois)

    def fin_grace(self, expiration: date) -> date:
        return add_months(expiration, self.grace_mois)

    def fin_reactivation(self, motif: MotifRadiation, radiee_le: date) -> date | None:
        mois = self.reactivation_mois.get(motif)
        return None if mois is None else add_months(radiee_le, mois)

    def purge(self, radiee_le: date) -> date:
        return add_months(radiee_le, self.conservation_apres_radiation_mois)
