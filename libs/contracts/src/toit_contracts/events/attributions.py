"""Events of the attribution chain in matching (part 2): the CALEOL's decisions (R441-3 CCH),
the offers to the attributaires (R441-10 CCH) and the attribution at lease signature with
the data the SNE needs (R441-2-9 CCH; primer §9.1, §9.3, §11.3).

Applicant-facing events carry the demande's `numero_unique` and `departement` but never the
applicant's contact: matching keeps none (the notices are addressed by the service that
holds it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from toit_contracts.enums import CategorieMenage, LabelledEnum, MotifIrrecevabilite, Typologie
from toit_contracts.events.base import ContractModel, EntityEvent, personal
from toit_contracts.events.demandes import Contact, _DemandeEtat
from toit_contracts.types import CodeInsee, Departement, NumeroUniqueStr, Siren


class SensDecision(LabelledEnum):
    """Décision de la CALEOL sur un candidat (article R441-3 CCH, a à e)."""

    ATTRIBUTION = "ATTRIBUTION", "a) Attribution du logement"
    ATTRIBUTION_RANG = "ATTRIBUTION_RANG", "b) Attribution par ordre de priorité (rang)"
    ATTRIBUTION_SOUS_CONDITION = (
        "ATTRIBUTION_SOUS_CONDITION",
        "c) Attribution sous condition suspensive (pièce manquante)",
    )
    NON_ATTRIBUTION = "NON_ATTRIBUTION", "d) Non-attribution motivée"
    IRRECEVABILITE = "IRRECEVABILITE", "e) Rejet pour irrecevabilité"


ATTRIBUANTES = (
    SensDecision.ATTRIBUTION,
    SensDecision.ATTRIBUTION_RANG,
    SensDecision.ATTRIBUTION_SOUS_CONDITION,
)


class MotifRefusOffre(LabelledEnum):
    """Motif de refus d'une offre par le ménage (non codifié nationalement, primer §9.3 :
    liste de configuration)."""

    LOCALISATION = "LOCALISATION", "Localisation, quartier"
    ELOIGNEMENT = "ELOIGNEMENT", "Éloignement du travail, de l'école ou des soins"
    TYPOLOGIE_SURFACE = "TYPOLOGIE_SURFACE", "Typologie ou surface"
    LOYER_CHARGES = "LOYER_CHARGES", "Loyer ou charges trop élevés"
    ETAGE_ACCESSIBILITE = "ETAGE_ACCESSIBILITE", "Étage, absence d'ascenseur, accessibilité"
    ETAT_LOGEMENT = "ETAT_LOGEMENT", "État du logement"
    ENVIRONNEMENT = "ENVIRONNEMENT", "Environnement, voisinage, sécurité"
    CHANGEMENT_SITUATION = "CHANGEMENT_SITUATION", "Changement de situation"
    DEJA_LOGE = "DEJA_LOGE", "Déjà logé ailleurs"
    ABSENCE_DE_REPONSE = "ABSENCE_DE_REPONSE", "Absence de réponse dans le délai (refus tacite)"
    AUTRE = "AUTRE", "Autre (précisé)"
    CONDITION_NON_LEVEE = (
        "CONDITION_NON_LEVEE",
        "Condition suspensive non levée dans le délai (pas un refus du ménage)",
    )


class ModeSeance(LabelledEnum):
    """Forme de la séance de la CALEOL."""

    PRESENTIELLE = "PRESENTIELLE", "Séance physique"
    NUMERIQUE = "NUMERIQUE", "CALEOL numérique (vote à distance)"


class ConditionSuspensive(ContractModel):
    """La pièce manquante et le délai pour la produire (décision c)."""

    piece: str = Field(min_length=2, max_length=200, description="Pièce justificative attendue")
    date_limite: date = Field(description="Dernier jour pour produire la pièce")


class DecisionCandidat(ContractModel):
    """La décision de la commission sur un candidat examiné."""

    demande_id: UUID = Field(description="Demande examinée")
    numero_unique: NumeroUniqueStr | None = Field(default=None, description="Numéro unique")
    sens: SensDecision = Field(description="Décision (R441-3 CCH, a à e)")
    rang: int | None = Field(
        default=None, ge=1, le=10, description="Rang d'attribution (décisions a, b, c)"
    )
    motifs: str | None = Field(
        default=None,
        max_length=2000,
        description="Motifs écrits (obligatoires pour une non-attribution ou une irrecevabilité)",
    )
    sous_motif_irrecevabilite: MotifIrrecevabilite | None = Field(
        default=None, description="Fondement légal de l'irrecevabilité (plafond, séjour)"
    )
    condition: ConditionSuspensive | None = Field(
        default=None, description="Condition suspensive (décision c seulement)"
    )

    @model_validator(mode="after")
    def _coherente(self) -> Self:
        attribue = self.sens in ATTRIBUANTES
        if attribue != (self.rang is not None):
            raise ValueError("un rang va avec une attribution (a, b, c), et elle seule")
        if (self.sens is SensDecision.ATTRIBUTION_SOUS_CONDITION) != (self.condition is not None):
            raise ValueError("la condition suspensive va avec la décision c, et elle seule")
        motive = self.sens in (SensDecision.NON_ATTRIBUTION, SensDecision.IRRECEVABILITE)
        if motive and (self.motifs is None or len(self.motifs.strip()) < 10):
            raise ValueError("une non-attribution ou une irrecevabilité est motivée par écrit")
        if (self.sens is SensDecision.IRRECEVABILITE) != (
            self.sous_motif_irrecevabilite is not None
        ):
            raise ValueError("le fondement légal va avec une irrecevabilité, et elle seule")
        return self


class CaleolDecisionPrise(EntityEvent):
    """La CALEOL a statué sur un dossier (un logement et ses candidats) : une décision par
    candidat examiné (R441-3 CCH). Une irrecevabilité ouvre le préavis de radiation."""

    event_type = "caleol.decision_prise"
    subject_field: ClassVar[str | None] = "dossier_id"
    summary = (
        "Décision de la CALEOL sur un logement : attribution (rangs, condition suspensive), "
        "non-attribution motivée ou irrecevabilité avec son fondement légal."
    )

    dossier_id: UUID = Field(description="Dossier examiné (sujet de l'événement)")
    seance_id: UUID = Field(description="Séance de la commission")
    commission_id: UUID = Field(description="Commission (CALEOL)")
    reference_seance: str = Field(
        min_length=1, max_length=64, description="Référence de la séance (citée dans les avis)"
    )
    mode: ModeSeance = Field(description="Séance physique ou CALEOL numérique")
    vacance_id: UUID = Field(description="Vacance examinée")
    logement_rpls: str = Field(min_length=1, max_length=30, description="Identifiant RPLS")
    bailleur_id: str = Field(min_length=1, max_length=64, description="Organisation du bailleur")
    reservataire_id: str | None = Field(
        default=None, max_length=64, description="Réservataire du contingent, s'il y en a un"
    )
    contingent: str | None = Field(default=None, max_length=32, description="Contingent")
    departement: Departement = Field(description="Département du logement")
    commune: CodeInsee = Field(description="Commune du logement")
    typologie: Typologie = Field(description="Typologie du logement")
    date_decision: date = Field(description="Date de la décision")
    decisions: list[DecisionCandidat] = Field(
        min_length=1, max_length=10, description="Une décision par candidat examiné"
    )

    @model_validator(mode="after")
    def _rangs(self) -> Self:
        rangs = [d.rang for d in self.decisions if d.rang is not None]
        if sorted(rangs) != list(range(1, len(rangs) + 1)):
            raise ValueError("les rangs d'attribution vont de 1 à n sans trou ni doublon")
        if len({d.demande_id for d in self.decisions}) != len(self.decisions):
            raise ValueError("un candidat n'a qu'une décision par dossier")
        return self


class _OffreEvent(EntityEvent):
    subject_field: ClassVar[str | None] = "offre_id"

    offre_id: UUID = Field(description="Offre (sujet de l'événement)")
    demande_id: UUID = Field(description="Demande de l'attributaire")
    numero_unique: NumeroUniqueStr | None = Field(default=None, description="Numéro unique")
    departement: Departement = Field(description="Département de la demande et du logement")
    vacance_id: UUID = Field(description="Vacance proposée")
    dossier_id: UUID = Field(description="Dossier CALEOL qui a décidé l'attribution")
    rang: int = Field(ge=1, le=10, description="Rang de l'attributaire")


class OffreEmise(_OffreEvent):
    """Le logement est proposé à l'attributaire : il a jusqu'à `date_limite_reponse` pour
    répondre, au moins dix jours (R441-10 CCH) ; sans réponse, l'offre est refusée."""

    event_type = "offre.emise"
    summary = "Offre de logement notifiée à l'attributaire, avec son délai de réponse."

    logement_rpls: str = Field(min_length=1, max_length=30, description="Identifiant RPLS")
    bailleur_id: str = Field(min_length=1, max_length=64, description="Organisation du bailleur")
    adresse: str = Field(min_length=1, max_length=200, description="Adresse du logement")
    commune: CodeInsee = Field(description="Commune du logement")
    typologie: Typologie = Field(description="Typologie du logement")
    loyer: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="Loyer mensuel")
    charges: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="Charges")
    date_notification: date = Field(description="Date de notification de l'offre")
    date_limite_reponse: date = Field(description="Dernier jour pour répondre (inclus)")
    delai_jours: int = Field(ge=10, le=60, description="Délai légal configuré, en jours")
    condition: ConditionSuspensive | None = Field(
        default=None, description="Condition suspensive à lever avant le bail"
    )

    @model_validator(mode="after")
    def _delai(self) -> Self:
        if (self.date_limite_reponse - self.date_notification).days < self.delai_jours:
            raise ValueError("le délai de réponse est d'au moins `delai_jours` jours")
        return self


class OffreRappelee(OffreEmise):
    """L'échéance de l'offre approche sans réponse : le rappel au ménage est dû (délai de
    rappel de configuration). Reprend l'offre telle qu'elle a été notifiée."""

    event_type = "offre.rappelee"
    summary = "Rappel au ménage avant l'échéance d'une offre sans réponse."


class OffreAcceptee(_OffreEvent):
    """L'attributaire a accepté l'offre : la signature du bail suit."""

    event_type = "offre.acceptee"
    summary = "Offre acceptée par l'attributaire."

    date_reponse: date = Field(description="Date de la réponse")


class OffreRefusee(_OffreEvent):
    """L'attributaire a refusé l'offre (ou n'a pas répondu dans le délai : refus tacite),
    ou la condition suspensive n'a pas été levée à temps : le rang suivant est sollicité."""

    event_type = "offre.refusee"
    summary = "Offre refusée (motif), refus tacite à l'échéance ou condition suspensive caduque."

    date_reponse: date = Field(description="Date du refus (ou de l'échéance)")
    motif: MotifRefusOffre = Field(
        description="Motif du refus (configuration), ou condition suspensive non levée"
    )
    precision: str | None = Field(default=None, max_length=500, description="Précision")
    tacite: bool = Field(default=False, description="Aucune réponse dans le délai")
    rang_suivant: int | None = Field(
        default=None, ge=2, le=10, description="Rang sollicité ensuite, s'il en reste un"
    )


class LogementAttribue(ContractModel):
    """Le logement attribué, tel que le SNE le demande (R441-2-9 CCH, primer §11.3)."""

    rpls: str = Field(min_length=1, max_length=30, description="Identifiant RPLS")
    adresse: str = Field(min_length=1, max_length=200, description="Adresse")
    commune: CodeInsee = Field(description="Commune")
    epci: Siren | None = Field(default=None, description="EPCI de la commune")
    typologie: Typologie = Field(description="Type (nombre de pièces principales)")
    surface_m2: Decimal = Field(ge=0, max_digits=7, decimal_places=2, description="Surface")
    qpv: bool = Field(description="Situé en quartier prioritaire de la ville")
    financement: str = Field(min_length=2, max_length=8, description="PLAI, PLUS, PLS, PLI")
    loyer: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="Loyer mensuel")
    charges: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="Charges")


class AttributionPrononcee(EntityEvent):
    """Le bail est signé : l'attribution est prononcée. La demande est radiée pour attribution
    par le service des demandes, avec ces données pour le SNE (R441-2-9 CCH)."""

    event_type = "attribution.prononcee"
    subject_field: ClassVar[str | None] = "attribution_id"
    summary = (
        "Bail signé : attribution prononcée avec les données du SNE (logement RPLS, contingent, "
        "QPV, DALO, mutation interne) ; radie la demande pour attribution."
    )

    attribution_id: UUID = Field(description="Attribution (sujet de l'événement)")
    demande_id: UUID = Field(description="Demande attributaire")
    numero_unique: NumeroUniqueStr | None = Field(default=None, description="Numéro unique")
    departement: Departement = Field(description="Département")
    vacance_id: UUID = Field(description="Vacance pourvue")
    offre_id: UUID = Field(description="Offre acceptée")
    dossier_id: UUID = Field(description="Dossier CALEOL")
    bailleur_id: str = Field(min_length=1, max_length=64, description="Organisation du bailleur")
    bailleur_siren: Siren | None = Field(default=None, description="SIREN du bailleur")
    logement: LogementAttribue = Field(description="Logement attribué")
    contingent: str = Field(
        min_length=1, max_length=32, description="Contingent imputé (État prioritaires...)"
    )
    reservataire_id: str | None = Field(default=None, max_length=64, description="Réservataire")
    date_decision: date = Field(description="Date de la décision de la CALEOL")
    date_offre: date = Field(description="Date de notification de l'offre")
    date_signature_bail: date = Field(description="Date de signature du bail")
    mutation_interne: bool = Field(description="Ménage déjà locataire de ce bailleur")
    accord_collectif: bool = Field(
        default=False, description="Attribution au titre de l'accord collectif"
    )
    dalo: bool = Field(description="Ménage reconnu prioritaire DALO")
    categorie_menage: CategorieMenage | None = Field(default=None, description="Catégorie")
    taille_menage: int | None = Field(default=None, ge=1, le=30, description="Personnes")
    premier_quartile: bool | None = Field(
        default=None, description="Ménage du premier quartile (L441-1 CCH); inconnu : absent"
    )
    date_depot_initial: date | None = Field(
        default=None, description="Premier dépôt de la demande (délai d'attente)"
    )
    delai_attente_jours: int | None = Field(
        default=None, ge=0, description="Du premier dépôt à la signature du bail, en jours"
    )

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if not self.date_decision <= self.date_offre <= self.date_signature_bail:
            raise ValueError("date_decision ≤ date_offre ≤ date_signature_bail")
        return self


# --- Applicant notices, published by the demandes service (which holds the contact) ------------


class DemandeOffreNotifiee(_DemandeEtat):
    """Le service des demandes relaie au ménage l'offre reçue (`offre.emise`), avec ses
    coordonnées : lettre et courriel avec la date limite de réponse (R441-10 CCH)."""

    event_type = "demande.offre_notifiee"
    summary = "Offre de logement à notifier au ménage (lettre et courriel, délai de réponse)."

    offre_id: UUID = Field(description="Offre")
    adresse: str = Field(min_length=1, max_length=200, description="Adresse du logement")
    commune: CodeInsee = Field(description="Commune du logement")
    typologie: Typologie = Field(description="Typologie du logement")
    loyer: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="Loyer mensuel")
    charges: Decimal = Field(ge=0, max_digits=10, decimal_places=2, description="Charges")
    date_notification: date = Field(description="Date de notification de l'offre")
    date_limite_reponse: date = Field(description="Dernier jour pour répondre (inclus)")
    condition: ConditionSuspensive | None = Field(
        default=None, description="Pièce à produire avant le bail"
    )
    rappel: bool = Field(default=False, description="Rappel avant l'échéance (pas l'offre)")
    contact: Contact = personal("Coordonnées du ménage (service notifications seulement).")


class DemandeDecisionCaleolNotifiee(_DemandeEtat):
    """Le service des demandes relaie au ménage la décision de la CALEOL le concernant
    (`caleol.decision_prise`) : une non-attribution est motivée par écrit (R441-3 CCH).
    L'irrecevabilité, elle, part avec le préavis de radiation (lettre recommandée)."""

    event_type = "demande.decision_caleol_notifiee"
    summary = "Décision de la CALEOL à notifier au ménage (motifs écrits d'une non-attribution)."

    dossier_id: UUID = Field(description="Dossier CALEOL")
    reference_seance: str = Field(min_length=1, max_length=64, description="Séance")
    date_decision: date = Field(description="Date de la décision")
    commune: CodeInsee = Field(description="Commune du logement")
    typologie: Typologie = Field(description="Typologie du logement")
    decision: DecisionCandidat = Field(description="La décision qui concerne ce ménage")
    contact: Contact = personal("Coordonnées du ménage (service notifications seulement).")


__all__ = [
    "ATTRIBUANTES",
    "AttributionPrononcee",
    "CaleolDecisionPrise",
    "ConditionSuspensive",
    "DecisionCandidat",
    "DemandeDecisionCaleolNotifiee",
    "DemandeOffreNotifiee",
    "LogementAttribue",
    "ModeSeance",
    "MotifRefusOffre",
    "OffreAcceptee",
    "OffreEmise",
    "OffreRappelee",
    "OffreRefusee",
    "SensDecision",
]
