"""Events of the demandes service: lifecycle of a demande de logement social.

Lifecycle and modification events carry a `DemandeSnapshot`: the state of the
demande that consumers need without calling the demandes service (cotation
scores from it, matching searches on it, notifications writes letters from it,
the observatoire counts from it). The snapshot is pseudonymous except for
`contact`, reserved to notifications. `demande.creee` is published when a demande
is created (statut BROUILLON, at a guichet or on the portal; an online submission then
moves it to A_VALIDER with a `demande.modifiee`); the `numero_unique` first appears in
`demande.enregistree`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import AwareDatetime, ConfigDict, Field, field_validator, model_validator

from toit_contracts.enums import (
    BesoinAccessibilite,
    CanalDepot,
    CategorieMenage,
    Civilite,
    LienParente,
    MotifDemande,
    MotifIrrecevabilite,
    MotifRadiation,
    Nationalite,
    OrigineDecision,
    PublicPrioritaire,
    RolePersonne,
    SituationFamiliale,
    SituationProfessionnelle,
    StatutDemande,
    StatutJustification,
    TypeDecisionDalo,
    TypeLogementActuel,
    TypeLogementRecherche,
    TypeRessource,
    Typologie,
)
from toit_contracts.events.base import PERSONAL_DATA, ContractModel, EntityEvent, personal
from toit_contracts.events.portail import code_secret
from toit_contracts.types import (
    CodeGuichet,
    CodeInsee,
    Departement,
    Email,
    Montant,
    NumeroUniqueStr,
    Siren,
)

# --- Snapshot ---------------------------------------------------------------------------------


class Personne(ContractModel):
    """Personne qui vivra dans le logement (sans nom : voir `Contact` pour le demandeur)."""

    role: RolePersonne = Field(description="Place dans le ménage")
    date_naissance: date = personal("Date de naissance.")
    lien: LienParente | None = Field(
        default=None, description="Lien avec le demandeur; absent pour le demandeur"
    )
    a_charge: bool = Field(default=False, description="À charge fiscalement")
    garde_alternee: bool = Field(default=False, description="Enfant en garde alternée")
    handicap: bool = personal(
        "Donnée sensible (santé) : personne en situation de handicap reconnue (carte mobilité "
        "inclusion invalidité), compte pour la catégorie de ménage.",
        default=False,
    )
    nationalite: Nationalite | None = Field(default=None, description="Classe de nationalité")
    situation_professionnelle: SituationProfessionnelle | None = Field(
        default=None,
        description="Situation professionnelle (demandeur, codemandeurs, colocataires)",
    )
    commune_travail: CodeInsee | None = Field(
        default=None, description="Commune du lieu de travail (rapprochement domicile-travail)"
    )


class RessourceParType(ContractModel):
    """Ressources mensuelles du ménage pour un type de ressource."""

    type: TypeRessource = Field(description="Type de ressource")
    montant_mensuel: Montant = Field(description="Montant mensuel pour le ménage, en euros")


class LogementActuel(ContractModel):
    """Logement occupé au moment de la demande."""

    type: TypeLogementActuel = Field(description="Nature du logement actuel")
    commune: CodeInsee | None = Field(default=None, description="Commune du logement actuel")
    loyer_mensuel: Montant | None = Field(default=None, description="Loyer mensuel hors charges")
    charges_mensuelles: Montant | None = Field(default=None, description="Charges mensuelles")
    aide_logement_mensuelle: Montant | None = Field(
        default=None, description="Aide au logement perçue (APL, AL), non comptée en ressource"
    )
    nombre_pieces: int | None = Field(default=None, ge=1, le=30, description="Nombre de pièces")
    surface_m2: Decimal | None = Field(
        default=None, ge=0, max_digits=6, decimal_places=1, description="Surface habitable en m²"
    )
    depuis: date | None = Field(default=None, description="Date d'entrée dans le logement")
    siren_bailleur: Siren | None = Field(
        default=None, description="SIREN du bailleur social si locataire HLM"
    )


class MotifInvoque(ContractModel):
    """Motif coché sur la demande."""

    motif: MotifDemande = Field(description="Code du motif")
    principal: bool = Field(default=False, description="Motif principal (au plus un)")


class LogementRecherche(ContractModel):
    """Logement souhaité."""

    typologies: list[Typologie] = Field(min_length=1, description="Typologies acceptées")
    type: TypeLogementRecherche = Field(
        default=TypeLogementRecherche.INDIFFERENT, description="Appartement, maison, indifférent"
    )
    communes: list[CodeInsee] = Field(
        min_length=1, description="Communes souhaitées, par ordre de préférence"
    )
    loyer_max_mensuel: Montant | None = Field(
        default=None, description="Dépense mensuelle maximale (loyer et charges)"
    )
    etage_max: int | None = Field(default=None, ge=0, description="Étage le plus haut accepté")
    besoins_accessibilite: list[BesoinAccessibilite] = Field(
        default_factory=list, description="Besoins d'accessibilité ou d'adaptation"
    )


class DecisionDalo(ContractModel):
    """Décision favorable de la commission de médiation DALO."""

    type: TypeDecisionDalo = Field(description="Logement ou hébergement")
    date_decision: date = Field(description="Date de la décision")
    reference: str | None = Field(default=None, max_length=64, description="Référence COMED")
    designe_par_prefet: bool = Field(default=False, description="Ménage désigné par le préfet")


class PrioriteDeclaree(ContractModel):
    """Catégorie de public prioritaire invoquée, avec l'état de sa preuve."""

    categorie: PublicPrioritaire = Field(description="Lettre de l'article L441-1 CCH")
    statut: StatutJustification = Field(description="Avancement de la preuve")


class PublicPrioritaireDetecte(ContractModel):
    """Catégorie de public prioritaire que les données de la demande font apparaître."""

    categorie: PublicPrioritaire = Field(description="Lettre de l'article L441-1 CCH")
    raisons: list[str] = Field(
        min_length=1,
        max_length=20,
        description="Ce qui, dans la demande, fait apparaître la catégorie",
    )


class Adresse(ContractModel):
    """Adresse postale (donnée personnelle)."""

    voie: str = Field(min_length=1, max_length=200, description="Numéro et voie")
    complement: str | None = Field(default=None, max_length=200, description="Complément")
    chez: str | None = Field(default=None, max_length=200, description="Hébergé chez")
    code_postal: str = Field(min_length=1, max_length=10, description="Code postal")
    commune: str = Field(min_length=1, max_length=100, description="Commune (libellé)")
    pays: str = Field(default="France", max_length=100, description="Pays")


class Contact(ContractModel):
    """Coordonnées du demandeur pour les courriers et courriels."""

    model_config = ConfigDict(json_schema_extra={PERSONAL_DATA: True})

    civilite: Civilite = Field(description="Civilité")
    nom: str = Field(min_length=1, max_length=100, description="Nom d'usage, sinon de naissance")
    prenoms: str = Field(min_length=1, max_length=150, description="Prénom(s)")
    email: Email | None = Field(default=None, description="Courriel; absent : courrier seul")
    adresse: Adresse | None = Field(default=None, description="Adresse postale ou domiciliation")
    courrier_papier: bool = Field(
        description="Le demandeur reçoit aussi (ou seulement) les avis par courrier postal"
    )


class DemandeSnapshot(ContractModel):
    """État de la demande au moment de l'événement.

    Pseudonyme (dates de naissance, situation, ressources) sauf `contact`.
    Les valeurs dérivées sont calculées par le service demandes à l'émission."""

    canal_depot: CanalDepot = Field(description="Canal du dépôt initial")
    situation_familiale: SituationFamiliale | None = Field(
        default=None, description="Situation familiale du demandeur"
    )
    personnes: list[Personne] = Field(
        min_length=1,
        description="Ménage : un demandeur, ses codemandeurs (conjoint, parents), les "
        "colocataires qui signeront le bail, les occupants",
    )
    enfants_a_naitre: int = Field(default=0, ge=0, description="Enfants attendus (grossesse)")
    ressources_par_type: list[RessourceParType] = Field(
        default_factory=list, description="Ressources mensuelles du ménage par type"
    )
    revenu_fiscal_reference: Montant | None = Field(
        default=None, description="Somme des revenus fiscaux de référence du ménage"
    )
    annee_revenu_fiscal: int | None = Field(
        default=None, ge=2000, le=2100, description="Année des revenus (N-2, parfois N-1)"
    )
    logement_actuel: LogementActuel = Field(description="Logement actuel")
    motifs: list[MotifInvoque] = Field(default_factory=list, description="Motifs de la demande")
    logement_recherche: LogementRecherche = Field(description="Logement recherché")
    dalo: DecisionDalo | None = Field(default=None, description="Décision DALO favorable")
    priorites: list[PrioriteDeclaree] = Field(
        default_factory=list,
        description="Donnée sensible : publics prioritaires invoqués (article L441-1 CCH)",
    )
    date_depot_initial: date = Field(description="Premier dépôt, conservé aux renouvellements")
    date_enregistrement: date | None = Field(
        default=None, description="Enregistrement (attribution du numéro unique)"
    )
    date_dernier_renouvellement: date | None = Field(
        default=None, description="Dernier renouvellement"
    )
    date_expiration: date | None = Field(default=None, description="Fin de validité")
    guichet_enregistreur: CodeGuichet | None = Field(
        default=None, description="Guichet qui a enregistré la demande"
    )
    contact: Contact = personal(
        "Coordonnées du demandeur, réservées au service notifications : les autres "
        "consommateurs ne doivent ni les stocker ni les journaliser."
    )
    taille_menage: int | None = Field(
        default=None, ge=1, description="Dérivé : personnes du ménage, enfants à naître compris"
    )
    categorie_menage: CategorieMenage | None = Field(
        default=None, description="Dérivé : catégorie de ménage (plafonds de ressources)"
    )
    unites_consommation: Decimal | None = Field(
        default=None,
        gt=0,
        max_digits=5,
        decimal_places=2,
        description="Dérivé : unités de consommation",
    )
    ressources_mensuelles_totales: Montant | None = Field(
        default=None, description="Dérivé : somme des ressources mensuelles du ménage"
    )
    anciennete_mois: int | None = Field(
        default=None, ge=0, description="Dérivé : mois écoulés depuis le dépôt initial"
    )
    publics_prioritaires_detectes: list[PublicPrioritaireDetecte] = Field(
        default_factory=list,
        description="Donnée sensible. Dérivé : publics prioritaires (L441-1 CCH) que les données "
        "font apparaître ou que le ménage a déclarés, chacun avec ses raisons",
    )

    @field_validator("personnes")
    @classmethod
    def _un_demandeur(cls, personnes: list[Personne]) -> list[Personne]:
        roles = [p.role for p in personnes]
        if roles.count(RolePersonne.DEMANDEUR) != 1:
            raise ValueError("le ménage doit compter exactement un demandeur")
        return personnes

    @field_validator("motifs")
    @classmethod
    def _un_principal(cls, motifs: list[MotifInvoque]) -> list[MotifInvoque]:
        if sum(m.principal for m in motifs) > 1:
            raise ValueError("un seul motif peut être principal")
        return motifs


# --- Events -----------------------------------------------------------------------------------


class _DemandeEvent(EntityEvent):
    subject_field: ClassVar[str | None] = "demande_id"

    demande_id: UUID = Field(description="Identifiant de la demande (sujet de l'événement)")
    departement: Departement = Field(description="Département de la demande")


class _DemandeEtat(_DemandeEvent):
    numero_unique: NumeroUniqueStr | None = Field(
        default=None, description="Numéro unique, absent avant l'enregistrement"
    )
    statut: StatutDemande = Field(description="Statut après l'événement")
    guichet_enregistreur: CodeGuichet | None = Field(
        default=None, description="Guichet qui a enregistré la demande (courriers à éditer)"
    )
    compte_demandeur: str | None = Field(
        default=None,
        max_length=64,
        description="Identifiant opaque du compte du demandeur sur le portail, s'il en a un "
        "(pour que le demandeur consulte sa cotation et ses avis)",
    )


class _DemandeAvecSnapshot(_DemandeEtat):
    # v2 (issue 11): the household may hold several CODEMANDEUR persons and COLOCATAIRE
    # ones (a new role); v1 had at most one codemandeur. A v1 consumer reading the roles
    # must learn the new value before it subscribes to v2.
    schema_version: ClassVar[int] = 2

    snapshot: DemandeSnapshot = Field(description="État de la demande après l'événement")


class DemandeCreee(_DemandeAvecSnapshot):
    """Une demande a été déposée (en ligne ou à un guichet)."""

    event_type = "demande.creee"
    summary = "Demande déposée, en ligne (à valider) ou à un guichet."


class DemandeEnregistree(_DemandeAvecSnapshot):
    """La demande est enregistrée : elle a un numéro unique; l'attestation est due sous un mois."""

    event_type = "demande.enregistree"
    summary = (
        "Demande enregistrée, numéro unique attribué : déclenche l'attestation (sauf demande "
        "migrée d'un autre fichier)."
    )

    numero_unique: NumeroUniqueStr = Field(description="Numéro unique attribué")
    migree: bool = Field(
        default=False,
        description="Reprise d'un autre fichier (numéro unique, date de dépôt et ancienneté "
        "conservés) : le ménage a déjà son attestation, aucune n'est envoyée",
    )


class DemandeModifiee(_DemandeAvecSnapshot):
    """La demande a été modifiée (sans attestation)."""

    event_type = "demande.modifiee"
    summary = "Demande modifiée : le snapshot remplace le précédent."

    rubriques_modifiees: list[str] = Field(
        default_factory=list, description="Champs du snapshot modifiés (premier niveau)"
    )


class DemandeRenouvelee(_DemandeAvecSnapshot):
    """La demande a été renouvelée pour un an; numéro et ancienneté sont conservés."""

    event_type = "demande.renouvelee"
    summary = "Demande renouvelée : nouvelle date d'expiration, attestation de renouvellement."

    numero_unique: NumeroUniqueStr = Field(description="Numéro unique, inchangé")


class DemandeRadiee(_DemandeAvecSnapshot):
    """La demande est radiée; le snapshot décrit la situation à la radiation."""

    event_type = "demande.radiee"
    summary = "Demande radiée (attribution, renonciation, irrecevabilité, etc.)."

    motif: MotifRadiation = Field(description="Motif de radiation (R441-2-8 CCH)")
    sous_motif: MotifIrrecevabilite | None = Field(
        default=None, description="Obligatoire pour une irrecevabilité, absent sinon"
    )
    date_radiation: date = Field(description="Date d'effet de la radiation")

    @model_validator(mode="after")
    def _sous_motif(self) -> Self:
        if (self.motif is MotifRadiation.IRRECEVABILITE) != (self.sous_motif is not None):
            raise ValueError(
                "le sous-motif va avec une radiation pour irrecevabilité, et elle seule"
            )
        return self


class DemandeReactivee(_DemandeAvecSnapshot):
    """Une demande radiée ou expirée a été réactivée dans le délai de tolérance."""

    event_type = "demande.reactivee"
    summary = "Demande réactivée : numéro et ancienneté conservés."


class DemandeRenouvellementAEcheance(_DemandeEtat):
    """La demande expire bientôt : le préavis de renouvellement est dû (au moins un mois avant)."""

    event_type = "demande.renouvellement_a_echeance"
    summary = "Préavis de renouvellement à envoyer au demandeur."

    date_expiration: date = Field(description="Date à laquelle la demande cesse d'être valide")
    contact: Contact = personal("Coordonnées pour le préavis (service notifications seulement).")
    en_ligne: bool = Field(
        default=False,
        description="Le demandeur a déposé ou renouvelé sa demande en ligne au moins une fois. "
        "R441-2-7 CCH : sinon le préavis part par courrier (et par courriel si l'adresse est "
        "connue) ; si oui, par courriel seul, ou courriel et courrier s'il a demandé le courrier",
    )


class DecisionRadiation(ContractModel):
    """Décision qui fonde une radiation pour irrecevabilité (R441-2-8 CCH)."""

    origine: OrigineDecision = Field(description="CALEOL d'un bailleur ou gestionnaire")
    fondement: str = Field(
        min_length=10,
        max_length=500,
        description="Fondement juridique et faits retenus, communiqués au demandeur",
    )
    date_decision: date = Field(description="Date de la décision")
    reference: str | None = Field(
        default=None, max_length=64, description="Référence de la séance CALEOL ou de la décision"
    )


MOTIFS_AVEC_PREAVIS = (MotifRadiation.IRRECEVABILITE, MotifRadiation.ABSENCE_DE_REPONSE)


class DemandeRadiationPreavisee(_DemandeEtat):
    """Une radiation est annoncée : le ménage peut répondre jusqu'à `date_limite_reponse`,
    faute de quoi la demande est radiée le `date_effet` (R441-2-8 CCH). Le préavis part par
    lettre recommandée (ou tout moyen donnant date certaine de réception)."""

    event_type = "demande.radiation_preavisee"
    summary = (
        "Préavis de radiation (irrecevabilité, absence de réponse) : lettre recommandée à "
        "éditer par le guichet, avec la date limite de réponse."
    )

    motif: MotifRadiation = Field(description="Irrecevabilité ou absence de réponse")
    sous_motif: MotifIrrecevabilite | None = Field(
        default=None, description="Obligatoire pour une irrecevabilité, absent sinon"
    )
    decision: DecisionRadiation | None = Field(
        default=None, description="Décision fondant l'irrecevabilité (obligatoire pour elle)"
    )
    date_preavis: date = Field(description="Date du préavis")
    date_limite_reponse: date = Field(description="Dernier jour pour répondre")
    date_effet: date = Field(description="Date de la radiation sans réponse du ménage")
    en_ligne: bool = Field(
        default=False, description="Le demandeur a déposé ou renouvelé en ligne au moins une fois"
    )
    contact: Contact = personal("Coordonnées pour le préavis (service notifications seulement).")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.motif not in MOTIFS_AVEC_PREAVIS:
            raise ValueError("seules l'irrecevabilité et l'absence de réponse ont un préavis")
        irrecevable = self.motif is MotifRadiation.IRRECEVABILITE
        if irrecevable != (self.sous_motif is not None) or irrecevable != (
            self.decision is not None
        ):
            raise ValueError(
                "le sous-motif et la décision vont avec une irrecevabilité, et elle seule"
            )
        if not self.date_preavis <= self.date_limite_reponse < self.date_effet:
            raise ValueError("date_preavis ≤ date_limite_reponse < date_effet")
        return self


class DemandeRadiationLevee(_DemandeEtat):
    """Le ménage a répondu avant la date limite : la radiation annoncée par le préavis n'aura
    pas lieu (R441-2-8 CCH : radiation « sans réponse » seulement). Un avis le confirme au
    ménage."""

    event_type = "demande.radiation_levee"
    summary = (
        "Préavis de radiation levé (le ménage a répondu ou renouvelé à temps) : avis de "
        "confirmation au ménage."
    )

    motif: MotifRadiation = Field(description="Motif du préavis levé (absence de réponse)")
    date_preavis: date = Field(description="Date du préavis levé")
    date_effet_annulee: date = Field(description="Date de radiation qui n'aura pas lieu")
    date_reponse: date = Field(description="Date de la réponse du ménage")
    reponse: str = Field(
        min_length=1, max_length=500, description="Nature de la réponse (renouvellement, …)"
    )
    en_ligne: bool = Field(
        default=False, description="Le demandeur a déposé ou renouvelé en ligne au moins une fois"
    )
    contact: Contact = personal("Coordonnées pour l'avis (service notifications seulement).")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.motif not in MOTIFS_AVEC_PREAVIS:
            raise ValueError("seules l'irrecevabilité et l'absence de réponse ont un préavis")
        if not self.date_preavis <= self.date_reponse < self.date_effet_annulee:
            raise ValueError("date_preavis ≤ date_reponse < date_effet_annulee")
        return self


class DemandeRejetee(_DemandeEtat):
    """Une demande en ligne à valider a été rejetée par un guichet (pièce d'identité absente ou
    illisible...) : elle revient au demandeur en brouillon, avec le motif."""

    event_type = "demande.rejetee"
    summary = "Demande en ligne rejetée à la validation : avis motivé au demandeur."

    motif: str = Field(min_length=5, max_length=500, description="Motif communiqué au demandeur")
    contact: Contact = personal("Coordonnées pour l'avis (service notifications seulement).")


class DemandeDelaiAnormalementLongAtteint(_DemandeEtat):
    """L'ancienneté a atteint le délai anormalement long : le demandeur peut saisir la COMED."""

    event_type = "demande.delai_anormalement_long_atteint"
    summary = "Délai anormalement long atteint : informer le demandeur de ses droits DALO."

    date_depot_initial: date = Field(description="Premier dépôt")
    delai_mois: int = Field(ge=1, description="Délai anormalement long applicable, en mois")
    contact: Contact = personal("Coordonnées pour l'avis (service notifications seulement).")


class DemandePieceDeposee(_DemandeEtat):
    """Une pièce justificative a été déposée au dossier (sans changer la demande)."""

    event_type = "demande.piece_deposee"
    summary = "Pièce justificative déposée au dossier unique."

    piece_id: UUID = Field(description="Identifiant de la pièce")
    type_piece: str = Field(
        min_length=1, max_length=64, description="Code du type de pièce (catalogue des pièces)"
    )
    depot_en_ligne: bool = Field(description="Déposée par le demandeur sur le portail")


class DemandePieceStatuee(_DemandeEtat):
    """Un instructeur a validé ou refusé une pièce du dossier : le ménage voit l'état de
    chacune de ses pièces et, pour un refus, son motif (à corriger par une nouvelle pièce)."""

    event_type = "demande.piece_statuee"
    summary = "Pièce justificative validée ou refusée (avec le motif du refus)."

    piece_id: UUID = Field(description="Identifiant de la pièce")
    type_piece: str = Field(
        min_length=1, max_length=64, description="Code du type de pièce (catalogue des pièces)"
    )
    decision: Literal["VALIDEE", "REFUSEE"] = Field(description="Décision sur la pièce")
    motif_refus: str | None = Field(
        default=None, max_length=500, description="Motif du refus, montré au ménage"
    )


class DemandePurgee(_DemandeEvent):
    """Les données personnelles de la demande ont été supprimées (un an après la radiation,
    ou brouillon abandonné). Chaque consommateur supprime ce qu'il détient sur cette demande.
    Ne porte que des données statistiques anonymes."""

    event_type = "demande.purgee"
    summary = "Demande purgée : supprimer toute donnée personnelle; statistiques anonymes."

    date_depot_initial: date | None = Field(default=None, description="Premier dépôt")
    date_enregistrement: date | None = Field(default=None, description="Enregistrement")
    date_radiation: date | None = Field(default=None, description="Radiation")
    motif_radiation: MotifRadiation | None = Field(default=None, description="Motif de radiation")
    taille_menage: int | None = Field(default=None, ge=1, description="Personnes du ménage")
    categorie_menage: CategorieMenage | None = Field(default=None, description="Catégorie")
    typologies: list[Typologie] = Field(default_factory=list, description="Typologies demandées")
    commune_souhaitee: CodeInsee | None = Field(default=None, description="Commune de 1er choix")
    type_logement_actuel: TypeLogementActuel | None = Field(
        default=None, description="Nature du logement actuel"
    )
    motifs: list[MotifDemande] = Field(default_factory=list, description="Motifs de la demande")
    guichet_enregistreur: CodeGuichet | None = Field(default=None, description="Guichet")
    anciennete_mois: int | None = Field(
        default=None, ge=0, description="Ancienneté à la radiation, en mois"
    )


__all__ = [
    "Adresse",
    "Contact",
    "DecisionDalo",
    "DecisionRadiation",
    "DemandeCodeRattachement",
    "DemandeCreee",
    "DemandeDelaiAnormalementLongAtteint",
    "DemandeEnregistree",
    "DemandeModifiee",
    "DemandePieceDeposee",
    "DemandePieceStatuee",
    "DemandePurgee",
    "DemandeRadiationLevee",
    "DemandeRadiationPreavisee",
    "DemandeRadiee",
    "DemandeReactivee",
    "DemandeRejetee",
    "DemandeRenouvelee",
    "DemandeRenouvellementAEcheance",
    "DemandeSnapshot",
    "LogementActuel",
    "LogementRecherche",
    "MotifInvoque",
    "Personne",
    "PrioriteDeclaree",
    "PublicPrioritaireDetecte",
    "RessourceParType",
]


class DemandeCodeRattachement(_DemandeEtat):
    """Numéro unique et date de naissance vérifiés pour un rattachement au portail : le code
    part au courriel de la demande (jamais ailleurs) ; le portail apprend à quelle demande la
    tentative correspond, sans les coordonnées."""

    event_type = "demande.code_rattachement"
    summary = "Code de rattachement au portail à envoyer au courriel de la demande (notifications)."

    rattachement_id: UUID = Field(description="La tentative du portail")
    code: str = code_secret()
    expire_le: AwareDatetime = Field(description="Fin de validité du code")
    contact: Contact = personal("Coordonnées pour l'envoi (service notifications seulement).")
