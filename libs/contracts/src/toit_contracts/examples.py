"""Deterministic example of every event (fictitious data).

Used by the AsyncAPI document (message examples), by the contract tests (every
registered event type must have one) and by the services' own tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from toit_contracts.enums import (
    BesoinAccessibilite,
    CanalDepot,
    CategorieMenage,
    Civilite,
    LienParente,
    MotifDemande,
    MotifDesactivation,
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
    TypeLogementActuel,
    TypeLogementRecherche,
    TypeOrganisation,
    TypeRessource,
    Typologie,
)
from toit_contracts.envelope import CloudEvent
from toit_contracts.events import (
    AbonnementSuspendu,
    Adresse,
    ApercuResultat,
    CandidatDesigne,
    CandidatEcarte,
    ChiffreCle,
    ChiffresClesPublies,
    CompteActivationDemandee,
    CompteDesactive,
    CompteReinitialisationDemandee,
    ComptesARevoir,
    CompteSupprime,
    CompteVerrouille,
    Contact,
    CotationCalculee,
    CritereCote,
    DecisionRadiation,
    DemandeCommandeTraitee,
    DemandeCreee,
    DemandeDelaiAnormalementLongAtteint,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePieceDeposee,
    DemandePieceStatuee,
    DemandePurgee,
    DemandeRadiationLevee,
    DemandeRadiationPreavisee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRejetee,
    DemandeRenouvelee,
    DemandeRenouvellementAEcheance,
    DemandeSnapshot,
    DesignationEffectuee,
    ErreurCommande,
    IntegrationEvent,
    JetonRevoque,
    ListeDiffusee,
    LogementActuel,
    LogementRecherche,
    MotifInvoque,
    OrganisationEnregistree,
    OrganisationModifiee,
    Personne,
    PieceTransmise,
    PortailDemandeSoumise,
    PortailModificationDemandee,
    PortailRenonciationDemandee,
    PortailRenouvellementDemande,
    PrioriteDeclaree,
    RessourceParType,
    VacanceDeclaree,
    VacanceOrientee,
    VacanceRetiree,
)
from toit_contracts.saisie import DemandeSaisie

DEMANDE_ID = UUID("6f1c2a3e-0000-4000-8000-000000000001")
COMPTE_ID = UUID("6f1c2a3e-0000-4000-8000-000000000002")
ORGANISATION_ID = UUID("6f1c2a3e-0000-4000-8000-000000000003")
NUMERO_UNIQUE = "0350126000042RM035"
COMPTE_DEMANDEUR = "6f1c2a3e-0000-4000-8000-000000000006"
EXAMPLE_TIME = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def example_contact() -> Contact:
    return Contact(
        civilite=Civilite.MME,
        nom="EXEMPLE",
        prenoms="Camille",
        email="camille.exemple@example.org",
        adresse=Adresse(voie="12 rue de l'Exemple", code_postal="35000", commune="Rennes"),
        courrier_papier=False,
    )


def example_snapshot() -> DemandeSnapshot:
    """A registered demande: a single parent with two children, hosted by a third party."""
    return DemandeSnapshot(
        canal_depot=CanalDepot.EN_LIGNE,
        situation_familiale=SituationFamiliale.SEPARE,
        personnes=[
            Personne(
                role=RolePersonne.DEMANDEUR,
                date_naissance=date(1990, 5, 14),
                nationalite=Nationalite.FRANCAISE,
                situation_professionnelle=SituationProfessionnelle.SALARIE_CDD_INTERIM,
                commune_travail="35238",
            ),
            Personne(
                role=RolePersonne.OCCUPANT,
                date_naissance=date(2016, 9, 1),
                lien=LienParente.ENFANT,
                a_charge=True,
            ),
            Personne(
                role=RolePersonne.OCCUPANT,
                date_naissance=date(2020, 2, 3),
                lien=LienParente.ENFANT,
                a_charge=True,
                garde_alternee=True,
            ),
        ],
        ressources_par_type=[
            RessourceParType(type=TypeRessource.SALAIRE, montant_mensuel=Decimal("1350.00")),
            RessourceParType(
                type=TypeRessource.PRESTATIONS_FAMILIALES, montant_mensuel=Decimal("310.50")
            ),
        ],
        revenu_fiscal_reference=Decimal("15200.00"),
        annee_revenu_fiscal=2024,
        logement_actuel=LogementActuel(
            type=TypeLogementActuel.HEBERGE_CHEZ_TIERS, commune="35238", depuis=date(2025, 9, 1)
        ),
        motifs=[
            MotifInvoque(motif=MotifDemande.SANS_LOGEMENT, principal=True),
            MotifInvoque(motif=MotifDemande.DIVORCE_SEPARATION),
        ],
        logement_recherche=LogementRecherche(
            typologies=[Typologie.T3, Typologie.T4],
            type=TypeLogementRecherche.APPARTEMENT,
            communes=["35238", "35051", "35281"],
            loyer_max_mensuel=Decimal("550.00"),
            besoins_accessibilite=[BesoinAccessibilite.ASCENSEUR],
        ),
        priorites=[
            PrioriteDeclaree(categorie=PublicPrioritaire.I, statut=StatutJustification.JUSTIFIEE)
        ],
        date_depot_initial=date(2026, 1, 12),
        date_enregistrement=date(2026, 1, 15),
        date_expiration=date(2027, 1, 12),
        guichet_enregistreur="RM035",
        contact=example_contact(),
        taille_menage=3,
        categorie_menage=CategorieMenage.QUATRE,
        unites_consommation=Decimal("1.80"),
        ressources_mensuelles_totales=Decimal("1660.50"),
        anciennete_mois=1,
    )


def example_events() -> dict[str, IntegrationEvent]:
    """One example per event type, keyed by event type."""
    snapshot = example_snapshot()
    demande: dict[str, Any] = {"demande_id": DEMANDE_ID, "departement": "35"}
    active: dict[str, Any] = {
        **demande,
        "numero_unique": NUMERO_UNIQUE,
        "statut": StatutDemande.ACTIVE,
        "guichet_enregistreur": "RM035",
        "compte_demandeur": COMPTE_DEMANDEUR,
    }
    compte: dict[str, Any] = {"compte_id": COMPTE_ID, "email": "agent@bailleur.example.org"}
    link_expiry = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    events: list[IntegrationEvent] = [
        DemandeCreee(
            **demande,
            version=1,
            statut=StatutDemande.A_VALIDER,
            compte_demandeur=COMPTE_DEMANDEUR,
            snapshot=snapshot,
        ),
        DemandeEnregistree(**active, version=2, snapshot=snapshot),
        DemandeModifiee(
            **active, version=3, snapshot=snapshot, rubriques_modifiees=["logement_recherche"]
        ),
        DemandeRenouvelee(**active, version=4, snapshot=snapshot),
        DemandeRadiee(
            **{**active, "statut": StatutDemande.RADIEE},
            version=5,
            snapshot=snapshot,
            motif=MotifRadiation.ATTRIBUTION,
            date_radiation=date(2026, 6, 30),
        ),
        DemandeReactivee(**active, version=6, snapshot=snapshot),
        DemandeRenouvellementAEcheance(
            **active, version=3, date_expiration=date(2027, 1, 12), contact=example_contact()
        ),
        DemandeRadiationPreavisee(
            **active,
            version=4,
            motif=MotifRadiation.IRRECEVABILITE,
            sous_motif=MotifIrrecevabilite.PLAFOND_RESSOURCES,
            decision=DecisionRadiation(
                origine=OrigineDecision.GESTIONNAIRE,
                fondement="R441-2-8 CCH : revenu fiscal de référence 2024 de 41 200 € pour un "
                "plafond PLUS de 37 584 € (catégorie 3)",
                date_decision=date(2026, 5, 4),
            ),
            date_preavis=date(2026, 5, 4),
            date_limite_reponse=date(2026, 6, 3),
            date_effet=date(2026, 6, 4),
            contact=example_contact(),
        ),
        DemandeRadiationLevee(
            **active,
            version=6,
            motif=MotifRadiation.ABSENCE_DE_REPONSE,
            date_preavis=date(2026, 5, 4),
            date_effet_annulee=date(2026, 7, 4),
            date_reponse=date(2026, 5, 20),
            reponse="renouvellement de la demande",
            contact=example_contact(),
        ),
        DemandeRejetee(
            **{**active, "numero_unique": None, "statut": StatutDemande.BROUILLON},
            version=2,
            motif="La pièce d'identité déposée est illisible : déposez-en une copie lisible.",
            contact=example_contact(),
        ),
        DemandeDelaiAnormalementLongAtteint(
            **active,
            version=3,
            date_depot_initial=date(2026, 1, 12),
            delai_mois=24,
            contact=example_contact(),
        ),
        DemandePieceDeposee(
            **active,
            version=3,
            piece_id=UUID("6f1c2a3e-0000-4000-8000-000000000004"),
            type_piece="AVIS_IMPOSITION",
            depot_en_ligne=True,
        ),
        DemandePieceStatuee(
            **active,
            version=3,
            piece_id=UUID("6f1c2a3e-0000-4000-8000-000000000004"),
            type_piece="AVIS_IMPOSITION",
            decision="REFUSEE",
            motif_refus="Avis d'imposition illisible : déposez une copie complète",
        ),
        DemandePurgee(
            **demande,
            version=7,
            date_depot_initial=date(2026, 1, 12),
            date_enregistrement=date(2026, 1, 15),
            date_radiation=date(2026, 6, 30),
            motif_radiation=MotifRadiation.ATTRIBUTION,
            taille_menage=3,
            categorie_menage=CategorieMenage.QUATRE,
            typologies=[Typologie.T3, Typologie.T4],
            commune_souhaitee="35238",
            type_logement_actuel=TypeLogementActuel.HEBERGE_CHEZ_TIERS,
            motifs=[MotifDemande.SANS_LOGEMENT, MotifDemande.DIVORCE_SEPARATION],
            guichet_enregistreur="RM035",
            anciennete_mois=5,
        ),
        CotationCalculee(
            demande_id=DEMANDE_ID,
            version=1,
            demande_version=2,
            epci="243500139",
            grille_id=UUID("6f1c2a3e-0000-4000-8000-000000000005"),
            grille_version=3,
            points=Decimal("31"),
            criteres=[
                CritereCote(code="ANCIENNETE", libelle="Ancienneté (1 point par mois)", points=1),
                CritereCote(code="HEBERGE_TIERS", libelle="Hébergé chez un tiers", points=20),
                CritereCote(code="PARENT_ISOLE", libelle="Parent isolé", points=10),
            ],
            input_hash="9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e9f2c4e0b7a1d3c5e",
        ),
        CompteActivationDemandee(
            **compte,
            version=1,
            url_activation="https://toit.example.org/activation?jeton=EXEMPLE",
            expire_le=link_expiry,
        ),
        CompteReinitialisationDemandee(
            **compte,
            version=4,
            url_reinitialisation="https://toit.example.org/reinitialisation?jeton=EXEMPLE",
            expire_le=link_expiry,
        ),
        CompteVerrouille(**compte, version=5, verrouille_jusqu_a=link_expiry),
        CompteDesactive(**compte, version=6, motif=MotifDesactivation.REVUE_NON_CONFIRMEE),
        CompteSupprime(compte_id=COMPTE_ID, version=7),
        DesignationEffectuee(
            vacance_id=UUID("6f1c2a3e-0000-4000-8000-000000000006"),
            version=1,
            logement_rpls="44109000123",
            bailleur_id=str(ORGANISATION_ID),
            reservataire_id="ddets-44",
            contingent="ETAT_PRIORITAIRES",
            departement="44",
            commune="44109",
            typologie=Typologie.T3,
            date_disponibilite=date(2026, 7, 1),
            candidats=[
                CandidatDesigne(demande_id=DEMANDE_ID, rang=1),
                CandidatDesigne(demande_id=UUID("6f1c2a3e-0000-4000-8000-000000000007"), rang=2),
                CandidatDesigne(demande_id=UUID("6f1c2a3e-0000-4000-8000-000000000008"), rang=3),
            ],
            ecarts=[
                CandidatEcarte(
                    demande_id=UUID("6f1c2a3e-0000-4000-8000-000000000009"),
                    rang_classement=2,
                    motif="Refus récent d'un logement dans la même résidence",
                )
            ],
            designe_par="ddets-44",
        ),
        VacanceDeclaree(
            vacance_id=UUID("6f1c2a3e-0000-4000-8000-000000000006"),
            version=1,
            logement_rpls="44109000123",
            bailleur_id=str(ORGANISATION_ID),
            departement="44",
            commune="44109",
            epci="244400404",
            qpv=True,
            typologie=Typologie.T3,
            financement="PLUS",
            loyer=Decimal("412.50"),
            charges=Decimal("95.00"),
            type="PREAVIS",
            date_disponibilite=date(2026, 7, 1),
            annee_flux=2026,
            declaree_le=datetime(2026, 5, 29, 9, 30, tzinfo=UTC),
        ),
        VacanceOrientee(
            vacance_id=UUID("6f1c2a3e-0000-4000-8000-000000000006"),
            version=2,
            logement_rpls="44109000123",
            bailleur_id=str(ORGANISATION_ID),
            departement="44",
            commune="44109",
            annee_flux=2026,
            contingent="ETAT_PRIORITAIRES",
            reservataire_id="ddets-44",
            convention_id=UUID("6f1c2a3e-0000-4000-8000-00000000000a"),
            hors_flux=False,
            orientee_le=datetime(2026, 5, 30, 14, 0, tzinfo=UTC),
        ),
        VacanceRetiree(
            vacance_id=UUID("6f1c2a3e-0000-4000-8000-00000000000b"),
            version=2,
            logement_rpls="44109000456",
            bailleur_id=str(ORGANISATION_ID),
            departement="44",
            commune="44109",
            statut_precedent="DECLAREE",
            motif="PREAVIS_ANNULE",
            retiree_le=datetime(2026, 6, 2, 10, 0, tzinfo=UTC),
        ),
        JetonRevoque(
            compte_id=compte["compte_id"],
            jti="4f1c2a3e9b8d4c7a",
            expire_le=link_expiry,
        ),
        OrganisationEnregistree(
            organisation_id=ORGANISATION_ID,
            version=1,
            nom="Atlantique Habitat",
            type=TypeOrganisation.BAILLEUR,
            departements=["44", "85"],
            guichet_enregistreur=True,
            reservataire=False,
            bailleur=True,
        ),
        OrganisationModifiee(
            organisation_id=ORGANISATION_ID,
            version=2,
            nom="Atlantique Habitat",
            type=TypeOrganisation.BAILLEUR,
            departements=["44"],
            guichet_enregistreur=True,
            reservataire=False,
            bailleur=True,
        ),
        ComptesARevoir(
            organisation_id=ORGANISATION_ID,
            nombre_comptes=12,
            date_limite=date(2026, 4, 1),
            destinataires=["admin@bailleur.example.org"],
        ),
        ChiffresClesPublies(
            publication_id=UUID("6f1c2a3e-0000-4000-8000-000000000007"),
            departement="35",
            publie_le=EXAMPLE_TIME,
            date_reference=date(2026, 3, 2),
            annee_attributions=2025,
            seuil_secret=5,
            chiffres=[
                ChiffreCle(
                    commune="35238",
                    demandes_en_cours=12480,
                    attributions_annee_precedente=2710,
                    delai_median_mois=14.5,
                ),
                ChiffreCle(
                    commune="35238",
                    typologie=Typologie.T2,
                    demandes_en_cours=3950,
                    attributions_annee_precedente=820,
                    delai_median_mois=16.0,
                ),
                ChiffreCle(commune="35051", typologie=Typologie.T6),
            ],
        ),
        ListeDiffusee(
            diffusion_id=UUID("6f1c2a3e-0000-4000-8000-0000000000d1"),
            liste_id=UUID("6f1c2a3e-0000-4000-8000-0000000000d2"),
            titre="Demandes de T2 sur ma commune",
            reference="T2-RENNES",
            planification="hebdomadaire",
            periode="2026-S10",
            execute_le=EXAMPLE_TIME,
            total=3950,
            nominatif=False,
            apercu=ApercuResultat(
                colonnes=["Typologie", "Nombre", "%"],
                lignes=[["T2", "3950", "100,0"]],
            ),
            lien="https://toit.example.org/pro/observatoire/listes/6f1c2a3e-0000-4000-8000-0000000000d2",
            destinataires=["observatoire@rennes.example.org"],
        ),
        AbonnementSuspendu(
            version=3,
            abonnement_id=UUID("6f1c2a3e-0000-4000-8000-000000000006"),
            organisation_id=ORGANISATION_ID,
            nom="SI locatif — demandes du 35",
            mode="WEBHOOK",
            contact_email="si@bailleur.example.org",
            raison="réponse HTTP 503",
            premier_echec_le=datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
            suspendu_le=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
            lettres_mortes=1,
        ),
    ]
    events.extend(_exemples_attributions())
    events.extend(_exemples_rattachement())
    events.extend(_exemples_avis_attribution(active))
    events.extend(example_commandes())
    return {event.event_type: event for event in events}


def example_saisie() -> DemandeSaisie:
    """A demande as a household types it online (fictitious)."""
    return DemandeSaisie.model_validate(
        {
            "departement": "35",
            "canal_depot": "EN_LIGNE",
            "demandeur": {
                "civilite": "MME",
                "nom_naissance": "Exemple",
                "prenoms": "Camille",
                "date_naissance": "1990-04-12",
                "nationalite": "FRANCAISE",
                "situation_familiale": "CELIBATAIRE",
                "email": "camille@example.org",
            },
            "logement_actuel": {"type": "LOCATAIRE_PARC_PRIVE", "commune_insee": "35238"},
            "motifs": [{"code": "LOGEMENT_TROP_CHER", "principal": True}],
            "logement_recherche": {"typologies": ["T2"], "communes": ["35238"]},
        }
    )


def example_commandes() -> list[IntegrationEvent]:
    """The portail's commands and demandes' answer."""
    commande: dict[str, Any] = {
        "demande_id": DEMANDE_ID,
        "departement": "35",
        "compte_demandeur": COMPTE_DEMANDEUR,
    }
    return [
        PortailDemandeSoumise(
            **commande,
            commande_id=UUID("6f1c2a3e-0000-4000-8000-000000000011"),
            saisie=example_saisie(),
            piece_identite=PieceTransmise(
                piece_id=UUID("6f1c2a3e-0000-4000-8000-000000000012"),
                type_piece="PIECE_IDENTITE",
                nom="carte-identite.pdf",
                media_type="application/pdf",
                taille=48213,
                empreinte="0" * 64,
                contenu_chiffre="gAAAAA-exemple-de-jeton-fernet",
            ),
        ),
        PortailModificationDemandee(
            **commande,
            commande_id=UUID("6f1c2a3e-0000-4000-8000-000000000013"),
            version_lue=4,
            modifications={"enfants_a_naitre": 1},
        ),
        PortailRenouvellementDemande(
            **commande, commande_id=UUID("6f1c2a3e-0000-4000-8000-000000000014")
        ),
        PortailRenonciationDemandee(
            **commande, commande_id=UUID("6f1c2a3e-0000-4000-8000-000000000015")
        ),
        DemandeCommandeTraitee(
            **commande,
            commande_id=UUID("6f1c2a3e-0000-4000-8000-000000000013"),
            commande="portail.modification_demandee",
            acceptee=False,
            erreurs=[
                ErreurCommande(
                    champ="", message="La demande a été modifiée entre-temps : rechargez-la"
                )
            ],
            statut=StatutDemande.ACTIVE,
            numero_unique=NUMERO_UNIQUE,
        ),
    ]


def example_envelope(event: IntegrationEvent, source: str = "/toit/exemple") -> CloudEvent:
    """The event in its envelope, with a fixed id and time (for documentation)."""
    envelope = event.to_cloudevent(source=source)
    return envelope.model_copy(update={"id": f"exemple-{event.event_type}", "time": EXAMPLE_TIME})


def _exemples_attributions() -> list[IntegrationEvent]:
    """CALEOL decision, offer, answers and attribution (toit_contracts.events.attributions)."""
    from toit_contracts.events.attributions import (
        AttributionPrononcee,
        CaleolDecisionPrise,
        ConditionSuspensive,
        DecisionCandidat,
        LogementAttribue,
        ModeSeance,
        MotifRefusOffre,
        OffreAcceptee,
        OffreEmise,
        OffreRappelee,
        OffreRefusee,
        SensDecision,
    )

    vacance_id = UUID("6f1c2a3e-0000-4000-8000-000000000006")
    dossier_id = UUID("6f1c2a3e-0000-4000-8000-00000000000a")
    offre_id = UUID("6f1c2a3e-0000-4000-8000-00000000000b")
    offre: dict[str, Any] = {
        "offre_id": offre_id,
        "demande_id": DEMANDE_ID,
        "numero_unique": NUMERO_UNIQUE,
        "departement": "44",
        "vacance_id": vacance_id,
        "dossier_id": dossier_id,
        "rang": 1,
    }
    return [
        CaleolDecisionPrise(
            dossier_id=dossier_id,
            version=1,
            seance_id=UUID("6f1c2a3e-0000-4000-8000-00000000000c"),
            commission_id=UUID("6f1c2a3e-0000-4000-8000-00000000000d"),
            reference_seance="CALEOL-AH-2026-014",
            mode=ModeSeance.NUMERIQUE,
            vacance_id=vacance_id,
            logement_rpls="44109000123",
            bailleur_id=str(ORGANISATION_ID),
            reservataire_id="ddets-44",
            contingent="ETAT_PRIORITAIRES",
            departement="44",
            commune="44109",
            typologie=Typologie.T3,
            date_decision=date(2026, 6, 2),
            decisions=[
                DecisionCandidat(
                    demande_id=DEMANDE_ID,
                    numero_unique=NUMERO_UNIQUE,
                    sens=SensDecision.ATTRIBUTION_SOUS_CONDITION,
                    rang=1,
                    condition=ConditionSuspensive(
                        piece="Avis d'imposition 2025", date_limite=date(2026, 6, 16)
                    ),
                ),
                DecisionCandidat(
                    demande_id=UUID("6f1c2a3e-0000-4000-8000-000000000007"),
                    sens=SensDecision.ATTRIBUTION_RANG,
                    rang=2,
                ),
                DecisionCandidat(
                    demande_id=UUID("6f1c2a3e-0000-4000-8000-000000000008"),
                    sens=SensDecision.IRRECEVABILITE,
                    motifs="Revenu fiscal de référence 2024 au-dessus du plafond PLUS, catégorie 3",
                    sous_motif_irrecevabilite=MotifIrrecevabilite.PLAFOND_RESSOURCES,
                ),
            ],
        ),
        emise := OffreEmise(
            **offre,
            version=1,
            logement_rpls="44109000123",
            bailleur_id=str(ORGANISATION_ID),
            adresse="3 allée des Exemples, 44800 Saint-Herblain",
            commune="44162",
            typologie=Typologie.T3,
            loyer=Decimal("412.50"),
            charges=Decimal("95.00"),
            date_notification=date(2026, 6, 3),
            date_limite_reponse=date(2026, 6, 15),
            delai_jours=10,
        ),
        OffreAcceptee(**offre, version=2, date_reponse=date(2026, 6, 8)),
        OffreRappelee(**emise.model_dump()),
        OffreRefusee(
            **offre,
            version=2,
            date_reponse=date(2026, 6, 15),
            motif=MotifRefusOffre.ABSENCE_DE_REPONSE,
            tacite=True,
            rang_suivant=2,
        ),
        AttributionPrononcee(
            attribution_id=UUID("6f1c2a3e-0000-4000-8000-00000000000e"),
            version=1,
            demande_id=DEMANDE_ID,
            numero_unique=NUMERO_UNIQUE,
            departement="44",
            vacance_id=vacance_id,
            offre_id=offre_id,
            dossier_id=dossier_id,
            bailleur_id=str(ORGANISATION_ID),
            bailleur_siren="732829320",
            logement=LogementAttribue(
                rpls="44109000123",
                adresse="3 allée des Exemples, 44800 Saint-Herblain",
                commune="44162",
                epci="244400404",
                typologie=Typologie.T3,
                surface_m2=Decimal("68.40"),
                qpv=False,
                financement="PLUS",
                loyer=Decimal("412.50"),
                charges=Decimal("95.00"),
            ),
            contingent="ETAT_PRIORITAIRES",
            reservataire_id="ddets-44",
            date_decision=date(2026, 6, 2),
            date_offre=date(2026, 6, 3),
            date_signature_bail=date(2026, 7, 1),
            mutation_interne=False,
            dalo=False,
            categorie_menage=CategorieMenage.TROIS,
            taille_menage=3,
            premier_quartile=False,
            date_depot_initial=date(2024, 9, 12),
            delai_attente_jours=657,
        ),
    ]


def _exemples_rattachement() -> list[IntegrationEvent]:
    """Attaching a guichet demande to a portal account (events/portail.py)."""
    from toit_contracts.events.demandes import DemandeCodeRattachement
    from toit_contracts.events.portail import DemandeRattachee, RattachementDemande

    tentative = UUID("6f1c2a3e-0000-4000-8000-0000000000a1")
    demande_id = UUID("6f1c2a3e-0000-4000-8000-000000000001")
    expire_le = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    return [
        RattachementDemande(
            rattachement_id=tentative,
            numero_unique=NUMERO_UNIQUE,
            date_naissance=date(1988, 4, 12),
            code="04718253",
            expire_le=expire_le,
        ),
        DemandeCodeRattachement(
            demande_id=demande_id,
            version=3,
            departement="35",
            numero_unique=NUMERO_UNIQUE,
            statut=StatutDemande.ACTIVE,
            rattachement_id=tentative,
            code="04718253",
            expire_le=expire_le,
            contact=example_contact(),
        ),
        DemandeRattachee(
            rattachement_id=tentative, demande_id=demande_id, compte_id="c0a8012e-demo"
        ),
    ]


def _exemples_avis_attribution(active: dict[str, Any]) -> list[IntegrationEvent]:
    """The applicant notices demandes relays (offer, CALEOL decision)."""
    from toit_contracts.events.attributions import (
        DecisionCandidat,
        DemandeDecisionCaleolNotifiee,
        DemandeOffreNotifiee,
        SensDecision,
    )

    return [
        DemandeOffreNotifiee(
            **active,
            version=4,
            offre_id=UUID("6f1c2a3e-0000-4000-8000-00000000000b"),
            adresse="3 allée des Exemples, 44800 Saint-Herblain",
            commune="44162",
            typologie=Typologie.T3,
            loyer=Decimal("412.50"),
            charges=Decimal("95.00"),
            date_notification=date(2026, 6, 3),
            date_limite_reponse=date(2026, 6, 15),
            contact=example_contact(),
        ),
        DemandeDecisionCaleolNotifiee(
            **active,
            version=4,
            dossier_id=UUID("6f1c2a3e-0000-4000-8000-00000000000a"),
            reference_seance="CALEOL-AH-2026-014",
            date_decision=date(2026, 6, 2),
            commune="44162",
            typologie=Typologie.T3,
            decision=DecisionCandidat(
                demande_id=DEMANDE_ID,
                numero_unique=NUMERO_UNIQUE,
                sens=SensDecision.NON_ATTRIBUTION,
                motifs="Taux d'effort de 41 % pour ce loyer, au-delà du seuil de la commission",
            ),
            contact=example_contact(),
        ),
    ]
