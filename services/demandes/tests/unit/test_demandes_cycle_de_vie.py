"""Lifecycle: every allowed and every forbidden transition, then the guards on dates."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest
from toit_demandes.domain.cycle_de_vie import (
    TRANSITIONS,
    Action,
    ReglesCycleDeVie,
    TransitionInterdite,
    transition,
)
from toit_demandes.domain.demande import (
    DecisionIrrecevabilite,
    Demande,
    Intervenant,
    TypeEvenement,
    TypeIntervenant,
)
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.exemples import demande_exemple
from toit_referentiel import add_months

from toit_contracts.enums import (
    MotifIrrecevabilite,
    MotifRadiation,
    OrigineDecision,
    StatutDemande,
)
from toit_contracts.types import NumeroUnique

S = StatutDemande
REGLES = ReglesCycleDeVie()
AGENT = Intervenant(TypeIntervenant.AGENT, "agent-1", "ORG-1")
DECISION = DecisionIrrecevabilite(
    OrigineDecision.GESTIONNAIRE, "R441-2-8 CCH : ressources au-dessus du plafond", date(2025, 9, 1)
)

ATTENDU = {
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
TOUS = list(itertools.product(StatutDemande, Action))


def test_la_table_est_celle_attendue() -> None:
    assert TRANSITIONS == ATTENDU


@pytest.mark.parametrize(("statut", "action"), [k for k in TOUS if k in ATTENDU])
def test_transition_permise(statut: StatutDemande, action: Action) -> None:
    assert transition(statut, action) is ATTENDU[(statut, action)]


@pytest.mark.parametrize(("statut", "action"), [k for k in TOUS if k not in ATTENDU])
def test_transition_interdite(statut: StatutDemande, action: Action) -> None:
    with pytest.raises(TransitionInterdite, match=r"impossible de .* au statut"):
        transition(statut, action)


def quand(jour: date) -> datetime:
    return datetime(jour.year, jour.month, jour.day, 10, 0)


def nouvelle(depot: date = date(2025, 3, 15)) -> Demande:
    saisie = DemandeSaisie.model_validate(demande_exemple(date_depot=depot.isoformat()))
    return Demande.creer(saisie, quand(depot), AGENT)


def numero(demande: Demande) -> NumeroUnique:
    return NumeroUnique(
        "44", demande.date_depot_initial.month, demande.date_depot_initial.year, 1, "GUI44"
    )


def enregistree(jour: date = date(2025, 3, 20)) -> Demande:
    demande = nouvelle()
    demande.enregistrer(numero(demande), quand(jour), AGENT, REGLES, identite_justifiee=True)
    return demande


def test_enregistrement_exige_une_piece_d_identite() -> None:
    demande = nouvelle()
    with pytest.raises(TransitionInterdite, match="pièce d'identité"):
        demande.enregistrer(numero(demande), quand(date(2025, 3, 20)), AGENT, REGLES, False)
    assert demande.statut is S.BROUILLON and demande.numero_unique is None


def test_enregistrement_numero_et_validite() -> None:
    demande = enregistree()
    assert demande.statut is S.ACTIVE
    assert demande.numero_unique == "0440325000001GUI44"
    assert demande.date_expiration == date(2026, 3, 20)
    assert demande.version == 2
    assert [e.type for e in demande.nouveaux_evenements] == [
        TypeEvenement.CREATION,
        TypeEvenement.ENREGISTREMENT,
    ]


def test_renouvellement_garde_numero_et_anciennete() -> None:
    demande = enregistree()
    demande.renouveler(quand(date(2026, 3, 1)), AGENT, REGLES)
    assert demande.numero_unique == "0440325000001GUI44"
    assert demande.date_depot_initial == date(2025, 3, 15)
    assert demande.date_expiration == date(2027, 3, 1)
    assert demande.date_dernier_renouvellement == date(2026, 3, 1)


def test_renouvellement_tardif_pendant_la_grace() -> None:
    demande = enregistree()
    demande.expirer(quand(date(2026, 3, 20)))
    assert demande.statut is S.EXPIREE_GRACE
    demande.renouveler(quand(date(2026, 4, 1)), AGENT, REGLES)
    assert demande.statut is S.ACTIVE and demande.date_depot_initial == date(2025, 3, 15)


def test_radiation_immediate_pour_attribution() -> None:
    demande = enregistree()
    assert demande.radier(MotifRadiation.ATTRIBUTION, quand(date(2025, 9, 1)), AGENT, REGLES)
    assert demande.statut is S.RADIEE and demande.date_radiation == date(2025, 9, 1)
    with pytest.raises(TransitionInterdite, match="ne peut pas être réactivée"):
        demande.reactiver(quand(date(2025, 9, 2)), AGENT, REGLES)


def test_irrecevabilite_exige_un_sous_motif_et_un_preavis() -> None:
    demande = enregistree()
    with pytest.raises(TransitionInterdite, match="sous-motif"):
        demande.radier(MotifRadiation.IRRECEVABILITE, quand(date(2025, 9, 1)), AGENT, REGLES)
    with pytest.raises(TransitionInterdite, match="sous-motif"):
        demande.radier(
            MotifRadiation.RENONCIATION,
            quand(date(2025, 9, 1)),
            AGENT,
            REGLES,
            MotifIrrecevabilite.PLAFOND_RESSOURCES,
        )
    with pytest.raises(TransitionInterdite, match="décision de CALEOL ou du gestionnaire"):
        demande.radier(
            MotifRadiation.IRRECEVABILITE,
            quand(date(2025, 9, 1)),
            AGENT,
            REGLES,
            MotifIrrecevabilite.PLAFOND_RESSOURCES,
        )
    radiee = demande.radier(
        MotifRadiation.IRRECEVABILITE,
        quand(date(2025, 9, 1)),
        AGENT,
        REGLES,
        MotifIrrecevabilite.PLAFOND_RESSOURCES,
        decision=DECISION,
    )
    assert not radiee and demande.statut is S.ACTIVE
    assert demande.preavis_radiation is not None
    assert demande.preavis_radiation.effet_le == date(2025, 10, 1)
    assert demande.preavis_radiation.repondre_avant == date(2025, 9, 30)
    assert demande.preavis_radiation.decision == DECISION
    with pytest.raises(TransitionInterdite, match="déjà en cours"):
        demande.radier(MotifRadiation.ABSENCE_DE_REPONSE, quand(date(2025, 9, 2)), AGENT, REGLES)
    assert not demande.radier_fin_de_preavis(quand(date(2025, 9, 30)))
    assert demande.radier_fin_de_preavis(quand(date(2025, 10, 1)))
    assert demande.statut is S.RADIEE
    assert demande.sous_motif_radiation is MotifIrrecevabilite.PLAFOND_RESSOURCES


def test_non_renouvellement_automatique_et_reactivation_dans_le_delai() -> None:
    demande = enregistree()
    with pytest.raises(TransitionInterdite, match="automatiquement"):
        demande.radier(MotifRadiation.NON_RENOUVELLEMENT, quand(date(2026, 4, 20)), AGENT, REGLES)
    with pytest.raises(TransitionInterdite, match="expirée"):
        demande.radier(
            MotifRadiation.NON_RENOUVELLEMENT,
            quand(date(2026, 4, 20)),
            Intervenant.automatique(),
            REGLES,
            automatique=True,
        )
    demande.expirer(quand(date(2026, 3, 20)))
    demande.radier(
        MotifRadiation.NON_RENOUVELLEMENT,
        quand(date(2026, 4, 20)),
        Intervenant.automatique(),
        REGLES,
        automatique=True,
    )
    assert demande.statut is S.RADIEE
    demande.reactiver(quand(date(2026, 9, 20)), AGENT, REGLES)  # radiation + 5 months
    assert demande.statut is S.ACTIVE
    assert demande.numero_unique == "0440325000001GUI44"
    assert demande.date_expiration == date(2027, 9, 20)


def test_reactivation_hors_delai_refusee() -> None:
    demande = enregistree()
    demande.expirer(quand(date(2026, 3, 20)))
    demande.radier(
        MotifRadiation.NON_RENOUVELLEMENT,
        quand(date(2026, 4, 20)),
        Intervenant.automatique(),
        REGLES,
        automatique=True,
    )
    with pytest.raises(TransitionInterdite, match="délai de réactivation"):
        demande.reactiver(quand(date(2026, 9, 21)), AGENT, REGLES)


def test_preavis_de_renouvellement_une_seule_fois_par_echeance() -> None:
    demande = enregistree()
    assert demande.noter_preavis_renouvellement(quand(date(2026, 2, 20)))
    assert not demande.noter_preavis_renouvellement(quand(date(2026, 2, 21)))
    demande.renouveler(quand(date(2026, 3, 1)), AGENT, REGLES)
    assert demande.noter_preavis_renouvellement(quand(date(2027, 2, 1)))


def test_delais_de_configuration() -> None:
    assert REGLES.fin_grace(date(2026, 3, 31)) == date(2026, 4, 30)
    assert REGLES.date_preavis_renouvellement(date(2026, 3, 31)) == date(2026, 2, 28)
    assert REGLES.purge(date(2024, 2, 29)) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


def test_modification_trace_les_champs() -> None:
    demande = enregistree()
    apres = demande.saisie.model_copy(update={"enfants_a_naitre": 1})
    changements = demande.modifier(apres, quand(date(2025, 4, 1)), AGENT)
    assert [(c.champ, c.avant, c.apres) for c in changements] == [("enfants_a_naitre", 0, 1)]
    assert demande.version == 3
    assert demande.modifier(apres, quand(date(2025, 4, 2)), AGENT) == []
    assert demande.version == 3


def test_correction_de_la_date_de_depot_gardee_avec_son_motif() -> None:
    demande = enregistree()
    numero_avant, version = demande.numero_unique, demande.version
    demande.corriger_date_depot(
        date(2023, 1, 9), "formulaire retrouvé", quand(date(2025, 4, 1)), AGENT
    )
    assert demande.date_depot_initial == date(2023, 1, 9) == demande.saisie.date_depot
    assert demande.numero_unique == numero_avant and demande.version == version + 1
    dernier = demande.nouveaux_evenements[-1]
    assert dernier.type is TypeEvenement.CORRECTION_DATE_DEPOT
    assert dernier.description.endswith(": formulaire retrouvé")
    assert [(c.champ, c.avant, c.apres) for c in dernier.changements] == [
        ("date_depot_initial", "2025-03-15", "2023-01-09")
    ]
    with pytest.raises(TransitionInterdite, match="suivre l'enregistrement"):
        demande.corriger_date_depot(date(2025, 3, 25), "x", quand(date(2025, 4, 1)), AGENT)


# --- The household's answer lifts a préavis (issue 11, item 3) ---------------------------------


def test_la_reponse_du_menage_avant_la_date_limite_leve_le_preavis() -> None:
    demande = enregistree()
    demande.radier(MotifRadiation.ABSENCE_DE_REPONSE, quand(date(2025, 9, 1)), AGENT, REGLES)
    assert demande.preavis_radiation is not None
    assert demande.preavis_radiation.repondre_avant == date(2025, 10, 31)
    version = demande.version
    leve = demande.repondre_au_preavis("justificatifs déposés", quand(date(2025, 10, 31)), AGENT)
    assert leve is not None and leve.effet_le == date(2025, 11, 1)
    assert demande.preavis_radiation is None and demande.version == version + 1
    derniere = demande.nouveaux_evenements[-1]
    assert derniere.type is TypeEvenement.LEVEE_PREAVIS_RADIATION
    assert "justificatifs déposés" in derniere.description
    assert not demande.radier_fin_de_preavis(quand(date(2025, 11, 1)))  # no radiation
    assert demande.statut is S.ACTIVE
    with pytest.raises(TransitionInterdite, match="aucun préavis"):
        demande.repondre_au_preavis("encore", quand(date(2025, 11, 2)), AGENT)


def test_une_reponse_apres_la_date_limite_ne_leve_rien() -> None:
    demande = enregistree()
    demande.radier(MotifRadiation.ABSENCE_DE_REPONSE, quand(date(2025, 9, 1)), AGENT, REGLES)
    with pytest.raises(TransitionInterdite, match="a pris fin le 31/10/2025"):
        demande.repondre_au_preavis("trop tard", quand(date(2025, 11, 1)), AGENT)
    assert demande.preavis_radiation is not None


def test_le_renouvellement_leve_le_preavis_d_absence_de_reponse() -> None:
    demande = enregistree()
    demande.radier(MotifRadiation.ABSENCE_DE_REPONSE, quand(date(2026, 2, 1)), AGENT, REGLES)
    leve = demande.renouveler(quand(date(2026, 3, 1)), AGENT, REGLES)
    assert leve is not None and leve.motif is MotifRadiation.ABSENCE_DE_REPONSE
    assert demande.preavis_radiation is None
    assert [e.type for e in demande.nouveaux_evenements][-2:] == [
        TypeEvenement.RENOUVELLEMENT,
        TypeEvenement.LEVEE_PREAVIS_RADIATION,
    ]


def test_une_irrecevabilite_ne_se_leve_pas_par_la_reponse_ni_le_renouvellement() -> None:
    demande = enregistree()
    demande.radier(
        MotifRadiation.IRRECEVABILITE,
        quand(date(2026, 2, 1)),
        AGENT,
        REGLES,
        MotifIrrecevabilite.PLAFOND_RESSOURCES,
        decision=DECISION,
    )
    with pytest.raises(TransitionInterdite, match="nouvelle décision"):
        demande.repondre_au_preavis("ressources en baisse", quand(date(2026, 2, 10)), AGENT)
    assert demande.renouveler(quand(date(2026, 2, 20)), AGENT, REGLES) is None
    assert demande.preavis_radiation is not None
