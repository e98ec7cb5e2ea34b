"""The snapshot of a demande carried by its integration events (toit_contracts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

from toit_contracts.enums import CategorieMenage, RolePersonne
from toit_contracts.events.demandes import (
    Adresse,
    Contact,
    DecisionDalo,
    DemandeSnapshot,
    LogementActuel,
    LogementRecherche,
    MotifInvoque,
    Personne,
    PrioriteDeclaree,
    PublicPrioritaireDetecte,
    RessourceParType,
)
from toit_demandes.domain.demande import Demande
from toit_demandes.domain.derives import ValeursDerivees, revenu_fiscal_retenu
from toit_demandes.domain.saisie import Codemandeur, Colocataire, DemandeSaisie

NomCommune = Callable[[str], str | None]


def contact(saisie: DemandeSaisie, nom_commune: NomCommune) -> Contact:
    d = saisie.demandeur
    adresse = None
    if d.adresse is not None:
        a = d.adresse
        libelle = a.commune or (nom_commune(a.commune_insee) if a.commune_insee else None)
        adresse = Adresse(
            voie=a.ligne1,
            complement=a.ligne2,
            chez=a.chez,
            code_postal=a.code_postal,
            commune=libelle or a.code_postal,
            pays=a.pays,
        )
    return Contact(
        civilite=d.civilite,
        nom=d.nom_usage or d.nom_naissance,
        prenoms=d.prenoms,
        email=d.email,
        adresse=adresse,
        courrier_papier=d.courrier_papier or d.email is None,
    )


def personnes(saisie: DemandeSaisie) -> list[Personne]:
    handicap = {h.personne for h in saisie.complement_handicap if h.carte_invalidite}
    sp = saisie.situation_professionnelle
    d = saisie.demandeur
    resultat = [
        Personne(
            role=RolePersonne.DEMANDEUR,
            date_naissance=d.date_naissance,
            handicap="demandeur" in handicap,
            nationalite=d.nationalite,
            situation_professionnelle=sp.demandeur,
            commune_travail=sp.commune_travail_demandeur,
        )
    ]
    cotitulaires: list[tuple[RolePersonne, str, Sequence[Codemandeur | Colocataire]]] = [
        (RolePersonne.CODEMANDEUR, "codemandeurs", saisie.codemandeurs),
        (RolePersonne.COLOCATAIRE, "colocataires", saisie.colocataires),
    ]
    for role, liste, personnes in cotitulaires:
        for index, c in enumerate(personnes):
            resultat.append(
                Personne(
                    role=role,
                    date_naissance=c.date_naissance,
                    lien=c.lien,
                    handicap=f"{liste}[{index}]" in handicap,
                    nationalite=c.nationalite,
                    situation_professionnelle=c.situation_professionnelle,
                    commune_travail=c.commune_travail,
                )
            )
    for index, o in enumerate(saisie.occupants):
        resultat.append(
            Personne(
                role=RolePersonne.OCCUPANT,
                date_naissance=o.date_naissance,
                lien=o.lien,
                a_charge=o.a_charge,
                garde_alternee=o.garde_alternee,
                handicap=f"occupants[{index}]" in handicap,
            )
        )
    return resultat


def snapshot(
    demande: Demande, derives: ValeursDerivees, nom_commune: NomCommune
) -> DemandeSnapshot:
    s = demande.saisie
    par_type: dict[str, Decimal] = defaultdict(Decimal)
    for r in s.ressources:
        par_type[r.type] += r.montant_mensuel
    rfr = revenu_fiscal_retenu(s, derives.eligibilites[0].annee if derives.eligibilites else 0)
    la = s.logement_actuel
    lr = s.logement_recherche
    return DemandeSnapshot(
        canal_depot=s.canal_depot,
        situation_familiale=s.demandeur.situation_familiale,
        personnes=personnes(s),
        enfants_a_naitre=s.enfants_a_naitre,
        ressources_par_type=[
            RessourceParType(type=t, montant_mensuel=m) for t, m in par_type.items()
        ],
        revenu_fiscal_reference=rfr[1] if rfr else None,
        annee_revenu_fiscal=rfr[0] if rfr else None,
        logement_actuel=LogementActuel(
            type=la.type,
            commune=la.commune_insee,
            loyer_mensuel=la.loyer_mensuel,
            charges_mensuelles=la.charges_mensuelles,
            aide_logement_mensuelle=la.aide_logement_mensuelle,
            nombre_pieces=la.nombre_pieces,
            surface_m2=la.surface_m2,
            depuis=la.depuis,
            siren_bailleur=la.siren_bailleur,
        ),
        motifs=[MotifInvoque(motif=m.code, principal=m.principal) for m in s.motifs],
        logement_recherche=LogementRecherche(
            typologies=lr.typologies,
            type=lr.type,
            communes=lr.communes,
            loyer_max_mensuel=lr.loyer_max_mensuel,
            etage_max=lr.etage_max,
            besoins_accessibilite=lr.besoins_accessibilite,
        ),
        dalo=DecisionDalo(**s.dalo.model_dump()) if s.dalo else None,
        priorites=[PrioriteDeclaree(categorie=p.categorie, statut=p.statut) for p in s.priorites],
        date_depot_initial=demande.date_depot_initial,
        date_enregistrement=demande.date_enregistrement,
        date_dernier_renouvellement=demande.date_dernier_renouvellement,
        date_expiration=demande.date_expiration,
        guichet_enregistreur=demande.guichet,
        contact=contact(s, nom_commune),
        taille_menage=derives.taille_menage,
        categorie_menage=CategorieMenage(derives.categorie_menage.categorie),
        unites_consommation=derives.unites_consommation,
        ressources_mensuelles_totales=derives.ressources_mensuelles_totales,
        anciennete_mois=derives.anciennete_mois,
        publics_prioritaires_detectes=[
            PublicPrioritaireDetecte(categorie=p.categorie, raisons=[r[:300] for r in p.raisons])
            for p in derives.publics_prioritaires
        ],
    )
