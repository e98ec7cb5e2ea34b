"""The demande aggregate: the typed-in data plus its legal lifecycle.

Every method checks the transition table, applies the change and appends one
`Evenement` to the historique (date, intervenant, type, description and the
field-level before/after). The service layer persists the aggregate and
publishes the integration event of each use case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from toit_referentiel.calendrier import add_months

from toit_contracts.enums import (
    MotifIrrecevabilite,
    MotifRadiation,
    OrigineDecision,
    StatutDemande,
)
from toit_contracts.types import NumeroUnique
from toit_demandes.domain.cycle_de_vie import (
    MOTIFS_AUTOMATIQUES,
    MOTIFS_LEVES_PAR_LA_REPONSE,
    MOTIFS_SANS_PREAVIS,
    Action,
    ReglesCycleDeVie,
    TransitionInterdite,
    transition,
)
from toit_demandes.domain.historique import Changement, differences
from toit_demandes.domain.saisie import DemandeSaisie


class TypeIntervenant(StrEnum):
    AGENT = "AGENT"
    PORTAIL = "PORTAIL"
    TRAITEMENT_AUTOMATIQUE = "TRAITEMENT_AUTOMATIQUE"


@dataclass(frozen=True)
class Intervenant:
    """Who made a change: an agent of an organisation, the applicant on the portal, or a job."""

    type: TypeIntervenant
    utilisateur: str | None = None
    organisation: str | None = None

    @classmethod
    def automatique(cls) -> Intervenant:
        return cls(TypeIntervenant.TRAITEMENT_AUTOMATIQUE)

    @property
    def libelle(self) -> str:
        if self.type is TypeIntervenant.PORTAIL:
            return "portail"
        if self.type is TypeIntervenant.TRAITEMENT_AUTOMATIQUE:
            return "traitement automatique"
        return f"{self.utilisateur or '?'} ({self.organisation or '?'})"


class TypeEvenement(StrEnum):
    CREATION = "CREATION"
    SOUMISSION = "SOUMISSION"
    REJET = "REJET"
    ENREGISTREMENT = "ENREGISTREMENT"
    MODIFICATION = "MODIFICATION"
    RENOUVELLEMENT = "RENOUVELLEMENT"
    PREAVIS_RENOUVELLEMENT = "PREAVIS_RENOUVELLEMENT"
    EXPIRATION = "EXPIRATION"
    PREAVIS_RADIATION = "PREAVIS_RADIATION"
    LEVEE_PREAVIS_RADIATION = "LEVEE_PREAVIS_RADIATION"
    RADIATION = "RADIATION"
    REACTIVATION = "REACTIVATION"
    DELAI_ANORMALEMENT_LONG = "DELAI_ANORMALEMENT_LONG"
    PIECE = "PIECE"
    FUSION = "FUSION"
    DOUBLON_ECARTE = "DOUBLON_ECARTE"
    CORRECTION_DATE_DEPOT = "CORRECTION_DATE_DEPOT"


@dataclass(frozen=True)
class Evenement:
    """One line of the historique."""

    date: datetime
    intervenant: Intervenant
    type: TypeEvenement
    description: str
    changements: list[Changement] = field(default_factory=list)


@dataclass(frozen=True)
class DecisionIrrecevabilite:
    """What an irrecevabilité rests on (R441-2-8 CCH): a bailleur's CALEOL decision, or the
    gestionnaire's decision, with its legal ground stated to the household."""

    origine: OrigineDecision
    fondement: str
    date_decision: date
    reference: str | None = None


@dataclass(frozen=True)
class PreavisRadiation:
    """A radiation announced by a notice, effective at `effet_le` (primer §5.3)."""

    motif: MotifRadiation
    sous_motif: MotifIrrecevabilite | None
    notifie_le: date
    effet_le: date
    decision: DecisionIrrecevabilite | None = None

    @property
    def repondre_avant(self) -> date:
        """Last day the household can answer: the day before the radiation takes effect."""
        return self.effet_le - timedelta(days=1)


@dataclass
class Demande:
    saisie: DemandeSaisie
    date_depot_initial: date
    id: UUID = field(default_factory=uuid4)
    statut: StatutDemande = StatutDemande.BROUILLON
    version: int = 1
    numero_unique: str | None = None
    guichet: str | None = None
    proprietaire: str | None = None  # account of the applicant, when created on the portal
    date_enregistrement: date | None = None
    date_dernier_renouvellement: date | None = None
    date_expiration: date | None = None
    motif_radiation: MotifRadiation | None = None
    sous_motif_radiation: MotifIrrecevabilite | None = None
    date_radiation: date | None = None
    preavis_radiation: PreavisRadiation | None = None
    preavis_renouvellement_pour: date | None = None  # expiry date whose notice was issued
    delai_anormalement_long_signale: bool = False
    doublons_ecartes: list[UUID] = field(default_factory=list)
    fusionnee_dans: UUID | None = None
    nouveaux_evenements: list[Evenement] = field(default_factory=list)
    # `saisie` as JSON, and the saisie it was computed from: one dump per saisie, shared by
    # the historique diff, the stored row and the answer.
    _document: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _document_de: DemandeSaisie | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def departement(self) -> str:
        return self.saisie.departement

    # --- lifecycle ----------------------------------------------------------------------------

    def _passer(self, action: Action) -> None:
        if self.fusionnee_dans is not None:
            raise TransitionInterdite("cette demande a été fusionnée dans une autre demande")
        self.statut = transition(self.statut, action)
        self.version += 1

    def _noter(
        self,
        quand: datetime,
        qui: Intervenant,
        type_: TypeEvenement,
        description: str,
        changements: list[Changement] | None = None,
    ) -> None:
        self.nouveaux_evenements.append(
            Evenement(quand, qui, type_, description, changements or [])
        )

    @classmethod
    def creer(
        cls,
        saisie: DemandeSaisie,
        quand: datetime,
        qui: Intervenant,
        proprietaire: str | None = None,
    ) -> Demande:
        demande = cls(
            saisie=saisie,
            date_depot_initial=saisie.date_depot or quand.date(),
            proprietaire=proprietaire,
        )
        demande._noter(quand, qui, TypeEvenement.CREATION, "Création de la demande")
        return demande

    def soumettre(self, quand: datetime, qui: Intervenant) -> None:
        self._passer(Action.SOUMETTRE)
        self._noter(
            quand,
            qui,
            TypeEvenement.SOUMISSION,
            "Demande déposée en ligne, pièce d'identité à vérifier",
        )

    def rejeter(self, motif: str, quand: datetime, qui: Intervenant) -> None:
        """A guichet refuses an online submission (identity document missing or unreadable...):
        the demande goes back to the applicant as a draft, with the motif."""
        self._passer(Action.REJETER)
        self._noter(
            quand,
            qui,
            TypeEvenement.REJET,
            f"Demande en ligne rejetée : {motif}",
            [Changement("statut", StatutDemande.A_VALIDER.value, self.statut.value)],
        )

    def verifier_enregistrable(self, identite_justifiee: bool) -> None:
        """Raises TransitionInterdite unless `enregistrer` would succeed (checked before a
        sequence number is spent)."""
        if self.fusionnee_dans is not None:
            raise TransitionInterdite("cette demande a été fusionnée dans une autre demande")
        transition(self.statut, Action.ENREGISTRER)
        if not identite_justifiee:
            raise TransitionInterdite(
                "enregistrement impossible : déposez d'abord une pièce d'identité du demandeur "
                "(ou un titre de séjour) — c'est la seule pièce exigible à l'enregistrement"
            )

    def enregistrer(
        self,
        numero: NumeroUnique,
        quand: datetime,
        qui: Intervenant,
        regles: ReglesCycleDeVie,
        identite_justifiee: bool,
    ) -> None:
        self.verifier_enregistrable(identite_justifiee)
        self._passer(Action.ENREGISTRER)
        self.numero_unique = numero.format()
        self.guichet = numero.guichet
        self.date_enregistrement = quand.date()
        self.date_expiration = regles.expiration(quand.date())
        self._noter(
            quand,
            qui,
            TypeEvenement.ENREGISTREMENT,
            f"Enregistrement, numéro unique {self.numero_unique}",
            [
                Changement("numero_unique", None, self.numero_unique),
                Changement("statut", StatutDemande.BROUILLON.value, self.statut.value),
            ],
        )

    def modifier(
        self, saisie: DemandeSaisie, quand: datetime, qui: Intervenant
    ) -> list[Changement]:
        apres = saisie.model_dump(mode="json")
        changements = differences(self.document(), apres)
        if not changements:
            return []
        if saisie.departement != self.saisie.departement and self.numero_unique is not None:
            raise TransitionInterdite(
                "le département d'une demande enregistrée ne change pas : déposez une demande "
                "dans l'autre département"
            )
        self._passer(Action.MODIFIER)
        self.saisie = saisie
        self._document, self._document_de = apres, saisie
        self._noter(
            quand, qui, TypeEvenement.MODIFICATION, "Modification de la demande", changements
        )
        return changements

    def corriger_date_depot(
        self, depot: date, motif: str, quand: datetime, qui: Intervenant
    ) -> None:
        """The gestionnaire du fichier corrects the first dépôt date (the ancienneté: points,
        délai anormalement long), with the reason kept in the historique. The numéro unique
        keeps the month and year it was given with."""
        if depot == self.date_depot_initial:
            raise TransitionInterdite(f"la date de dépôt est déjà le {depot:%d/%m/%Y}")
        if self.date_enregistrement is not None and depot > self.date_enregistrement:
            raise TransitionInterdite(
                f"la date de dépôt ne peut pas suivre l'enregistrement "
                f"(le {self.date_enregistrement:%d/%m/%Y})"
            )
        avant = self.date_depot_initial
        self._passer(Action.MODIFIER)
        self.date_depot_initial = depot
        self.saisie = self.saisie.model_copy(update={"date_depot": depot})
        self._noter(
            quand,
            qui,
            TypeEvenement.CORRECTION_DATE_DEPOT,
            f"Correction de la date de dépôt ({avant:%d/%m/%Y} → {depot:%d/%m/%Y}) : {motif}",
            [Changement("date_depot_initial", _iso(avant), _iso(depot))],
        )

    def rattacher_au_compte(self, compte: str, quand: datetime, qui: Intervenant) -> bool:
        """The household proved it holds the demande's email (portal code): the demande is
        followed from that portal account from now on. False if nothing changes."""
        if self.fusionnee_dans is not None or self.proprietaire == compte:
            return False
        self.proprietaire = compte
        self.version += 1
        self._noter(
            quand,
            qui,
            TypeEvenement.MODIFICATION,
            "Demande rattachée au compte du demandeur sur le portail",
        )
        return True

    def detacher_du_compte(self, compte: str, quand: datetime, qui: Intervenant) -> bool:
        """The household deleted its portal account: the demande stays (followed by the
        guichets, and attachable to a new account). False if it was not this account's."""
        if self.proprietaire != compte:
            return False
        self.proprietaire = None
        self.version += 1
        self._noter(
            quand,
            qui,
            TypeEvenement.MODIFICATION,
            "Compte du demandeur sur le portail supprimé : demande détachée du compte",
        )
        return True

    def renouveler(
        self, quand: datetime, qui: Intervenant, regles: ReglesCycleDeVie
    ) -> PreavisRadiation | None:
        """Renews for a year. A renewal is the household's answer: it lifts a pending notice
        of radiation for absence de réponse (returned, for the event and the notice)."""
        avant = self.date_expiration
        self._passer(Action.RENOUVELER)
        self.date_dernier_renouvellement = quand.date()
        self.date_expiration = regles.expiration(quand.date())
        self._noter(
            quand,
            qui,
            TypeEvenement.RENOUVELLEMENT,
            "Renouvellement pour un an (numéro et ancienneté conservés)",
            [Changement("date_expiration", _iso(avant), _iso(self.date_expiration))],
        )
        return self.repondre_au_preavis("renouvellement de la demande", quand, qui, si_levable=True)

    def repondre_au_preavis(
        self, reponse: str, quand: datetime, qui: Intervenant, *, si_levable: bool = False
    ) -> PreavisRadiation | None:
        """The household answered before the deadline (R441-2-8 CCH): the pending radiation
        for absence de réponse is cancelled, with a line in the historique. Returns the
        notice lifted. An irrecevabilité is not lifted by the answer (its CALEOL or
        gestionnaire decision is), nor is a notice whose answer period is over (the
        radiation then happens; reactivation stays possible). With `si_levable`, returns
        None instead of refusing (a renewal or a modification by the household)."""
        preavis = self.preavis_radiation
        refus = None
        if preavis is None:
            refus = "aucun préavis de radiation n'est en cours pour cette demande"
        elif preavis.motif not in MOTIFS_LEVES_PAR_LA_REPONSE:
            refus = (
                f"le préavis de radiation pour « {preavis.motif.label} » ne se lève pas par une "
                "réponse du ménage : il suit une décision de CALEOL ou du gestionnaire, que "
                "seule une nouvelle décision peut remettre en cause"
            )
        elif quand.date() > preavis.repondre_avant:
            refus = (
                f"le délai de réponse au préavis a pris fin le {preavis.repondre_avant:%d/%m/%Y}"
            )
        if refus is not None:
            if si_levable:
                return None
            raise TransitionInterdite(refus)
        assert preavis is not None
        self._passer(Action.LEVER_PREAVIS)
        self.preavis_radiation = None
        self._noter(
            quand,
            qui,
            TypeEvenement.LEVEE_PREAVIS_RADIATION,
            f"Préavis de radiation levé ({preavis.motif.label}, notifié le "
            f"{preavis.notifie_le:%d/%m/%Y}) : réponse du ménage — {reponse}",
            [Changement("preavis_radiation.effet_le", _iso(preavis.effet_le), None)],
        )
        return preavis

    def noter_preavis_renouvellement(self, quand: datetime) -> bool:
        """Marks the notice for the current expiry as issued; False if it already was."""
        if self.statut is not StatutDemande.ACTIVE or self.date_expiration is None:
            return False
        if self.preavis_renouvellement_pour == self.date_expiration:
            return False
        self.preavis_renouvellement_pour = self.date_expiration
        self.version += 1
        self._noter(
            quand,
            Intervenant.automatique(),
            TypeEvenement.PREAVIS_RENOUVELLEMENT,
            f"Préavis de renouvellement : fin de validité le {self.date_expiration:%d/%m/%Y}",
        )
        return True

    def expirer(self, quand: datetime) -> None:
        self._passer(Action.EXPIRER)
        self._noter(
            quand,
            Intervenant.automatique(),
            TypeEvenement.EXPIRATION,
            "Fin de validité : renouvellement encore possible pendant le délai de grâce",
            [Changement("statut", StatutDemande.ACTIVE.value, self.statut.value)],
        )

    def radier(
        self,
        motif: MotifRadiation,
        quand: datetime,
        qui: Intervenant,
        regles: ReglesCycleDeVie,
        sous_motif: MotifIrrecevabilite | None = None,
        automatique: bool = False,
        decision: DecisionIrrecevabilite | None = None,
    ) -> bool:
        """Radiates now (attribution, renonciation, non-renouvellement, end of a notice) or
        records the notice first (irrecevabilité, absence de réponse). True if radiated.
        An irrecevabilité rests on a decision (CALEOL or gestionnaire) with its ground."""
        if (motif is MotifRadiation.IRRECEVABILITE) != (sous_motif is not None):
            raise TransitionInterdite(
                "le sous-motif (plafond de ressources ou séjour irrégulier) accompagne une "
                "irrecevabilité, et elle seule"
            )
        if (motif is MotifRadiation.IRRECEVABILITE) != (decision is not None):
            raise TransitionInterdite(
                "une irrecevabilité suit une décision de CALEOL ou du gestionnaire du fichier, "
                "avec son fondement juridique, et elle seule"
            )
        if motif in MOTIFS_AUTOMATIQUES and not automatique:
            raise TransitionInterdite(
                "la radiation pour non-renouvellement est prononcée automatiquement à la fin "
                "du délai de grâce"
            )
        if motif is MotifRadiation.NON_RENOUVELLEMENT and self.statut is not (
            StatutDemande.EXPIREE_GRACE
        ):
            raise TransitionInterdite(
                "seule une demande expirée est radiée pour non-renouvellement"
            )
        if motif in MOTIFS_SANS_PREAVIS or automatique:
            self._radier_maintenant(motif, sous_motif, quand, qui)
            return True
        if self.preavis_radiation is not None:
            raise TransitionInterdite(
                f"un préavis de radiation est déjà en cours (effet le "
                f"{self.preavis_radiation.effet_le:%d/%m/%Y})"
            )
        self._passer(Action.NOTIFIER_RADIATION)
        effet = add_months(quand.date(), regles.preavis_radiation_mois[motif])
        self.preavis_radiation = PreavisRadiation(motif, sous_motif, quand.date(), effet, decision)
        fondement = (
            f" ; décision {decision.origine.label} du {decision.date_decision:%d/%m/%Y}"
            if decision
            else ""
        )
        self._noter(
            quand,
            qui,
            TypeEvenement.PREAVIS_RADIATION,
            f"Préavis de radiation ({motif.label}{fondement}) : réponse possible jusqu'au "
            f"{self.preavis_radiation.repondre_avant:%d/%m/%Y}, radiation le {effet:%d/%m/%Y}",
        )
        return False

    def _radier_maintenant(
        self,
        motif: MotifRadiation,
        sous_motif: MotifIrrecevabilite | None,
        quand: datetime,
        qui: Intervenant,
    ) -> None:
        avant = self.statut
        self._passer(Action.RADIER)
        self.motif_radiation = motif
        self.sous_motif_radiation = sous_motif
        self.date_radiation = quand.date()
        self.preavis_radiation = None
        self._noter(
            quand,
            qui,
            TypeEvenement.RADIATION,
            f"Radiation : {motif.label}",
            [Changement("statut", avant.value, self.statut.value)],
        )

    def radier_fin_de_preavis(self, quand: datetime) -> bool:
        preavis = self.preavis_radiation
        if preavis is None or preavis.effet_le > quand.date():
            return False
        self._radier_maintenant(preavis.motif, preavis.sous_motif, quand, Intervenant.automatique())
        return True

    def reactiver(self, quand: datetime, qui: Intervenant, regles: ReglesCycleDeVie) -> None:
        if self.statut is StatutDemande.RADIEE:
            assert self.motif_radiation is not None and self.date_radiation is not None
            fin = regles.fin_reactivation(self.motif_radiation, self.date_radiation)
            if fin is None:
                raise TransitionInterdite(
                    f"une demande radiée pour « {self.motif_radiation.label} » ne peut pas être "
                    "réactivée"
                )
            if quand.date() > fin:
                raise TransitionInterdite(f"le délai de réactivation a pris fin le {fin:%d/%m/%Y}")
        self._passer(Action.REACTIVER)
        self.motif_radiation = None
        self.sous_motif_radiation = None
        self.date_radiation = None
        # A reactivated demande gets a new year of validity; ancienneté and numéro are kept.
        self.date_expiration = regles.expiration(quand.date())
        self.date_dernier_renouvellement = quand.date()
        self._noter(
            quand,
            qui,
            TypeEvenement.REACTIVATION,
            "Réactivation (numéro et ancienneté conservés)",
            [Changement("statut", StatutDemande.RADIEE.value, self.statut.value)],
        )

    def purger(self) -> None:
        self._passer(Action.PURGER)

    def signaler_delai_anormalement_long(self, quand: datetime, delai_mois: int) -> bool:
        if self.delai_anormalement_long_signale or self.statut is not StatutDemande.ACTIVE:
            return False
        self.delai_anormalement_long_signale = True
        self.version += 1
        self._noter(
            quand,
            Intervenant.automatique(),
            TypeEvenement.DELAI_ANORMALEMENT_LONG,
            f"Délai anormalement long atteint ({delai_mois} mois) : recours DALO possible",
        )
        return True

    def ecarter_doublon(self, autre: UUID, quand: datetime, qui: Intervenant) -> None:
        if autre not in self.doublons_ecartes:
            self.doublons_ecartes.append(autre)
            self.version += 1
            self._noter(
                quand,
                qui,
                TypeEvenement.DOUBLON_ECARTE,
                "Doublon potentiel écarté : demandes distinctes confirmées",
            )

    def noter(
        self,
        quand: datetime,
        qui: Intervenant,
        type_: TypeEvenement,
        description: str,
        changements: list[Changement] | None = None,
    ) -> None:
        """Records an event that changes no field of the demande (pièce, fusion...)."""
        self._noter(quand, qui, type_, description, changements)

    def document(self) -> dict[str, Any]:
        """The saisie as JSON; shared, so callers copy before changing it."""
        if self._document is None or self._document_de is not self.saisie:
            self._document = self.saisie.model_dump(mode="json")
            self._document_de = self.saisie
        return self._document


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
