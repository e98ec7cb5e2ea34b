"""Pure rules of the attribution chain: legal delay (civil-procedure counting with French
public holidays), CALEOL composition, remote vote (ballots, quorum, ties, casting vote,
ranking), decisions a–e, offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from toit_matching.bootstrap import Referentiel
from toit_matching.domain.caleol import (
    Logement,
    Membre,
    Qualite,
    Voix,
    siegeants,
    verifier_membre,
    voix_preponderante,
)
from toit_matching.domain.decisions import Decision, Sens, lettre_du_dossier, verifier_decisions
from toit_matching.domain.delais import echeance
from toit_matching.domain.erreurs import AccesRefuse, Conflit, DonneesInvalides
from toit_matching.domain.offres import (
    Attributaire,
    StatutOffre,
    premier_quartile,
    suivant,
    transition,
    verifier_bail,
    verifier_refus,
)
from toit_matching.domain.vote import (
    Bulletin,
    Choix,
    classement,
    resultat,
    verifier_bulletin,
    verifier_ouverture,
)

est_ferie = Referentiel().est_ferie

# --- legal delay ---------------------------------------------------------------------------


def test_echeance_sur_une_annee() -> None:
    """Every notification day of 2026 (each holiday, each weekend) with delays from 10 to
    30 days: 2,190 cases in a loop cost a tenth of 400 hypothesis examples."""
    for n in range(365):
        notification = date(2026, 1, 1) + timedelta(days=n)
        for jours in range(10, 31, 4):
            fin = echeance(notification, jours, est_ferie)
            # At least the delay, counted from the day after the notification...
            assert fin >= notification + timedelta(days=jours), (notification, jours)
            # ...ending on a working day...
            assert fin.weekday() < 5 and not est_ferie(fin), (notification, jours)
            # ...the first one from the nominal end (every day skipped is a weekend or a
            # holiday).
            jour = notification + timedelta(days=jours)
            while jour < fin:
                assert jour.weekday() >= 5 or est_ferie(jour), (notification, jours)
                jour += timedelta(days=1)


@pytest.mark.parametrize(
    ("notification", "attendu"),
    [
        (date(2026, 6, 3), date(2026, 6, 15)),  # ends Saturday 13 → Monday 15
        (date(2026, 6, 1), date(2026, 6, 11)),  # Thursday: as is
        (date(2026, 5, 4), date(2026, 5, 15)),  # Thursday 14 May is Ascension → Friday
        (date(2026, 7, 4), date(2026, 7, 15)),  # Tuesday 14 July → Wednesday
        (date(2026, 12, 22), date(2027, 1, 4)),  # across the new year: 1 Jan Friday, weekend
        (date(2026, 4, 26), date(2026, 5, 6)),  # Wednesday 6 May, nothing to move
        (date(2026, 4, 28), date(2026, 5, 11)),  # 8 May Friday (holiday), weekend → Monday
    ],
)
def test_echeance_exemples(notification: date, attendu: date) -> None:
    assert echeance(notification, 10, est_ferie) == attendu


def test_jours_feries_de_la_bibliotheque() -> None:
    assert est_ferie(date(2026, 5, 25))  # lundi de Pentecôte
    assert est_ferie(date(2027, 3, 29))  # lundi de Pâques 2027
    assert not est_ferie(date(2026, 5, 26))


# --- composition ---------------------------------------------------------------------------


def membre(qualite: Qualite, **kw: object) -> Membre:
    return Membre(
        id=uuid4(), compte_id=str(uuid4()), nom=f"M. {qualite.value}", qualite=qualite, **kw
    )  # type: ignore[arg-type]


def test_voix_et_siegeants() -> None:
    maire_sh = membre(Qualite.MAIRE, commune="44162")
    maire_autre = membre(Qualite.MAIRE, commune="44109")
    epci = membre(Qualite.PRESIDENT_EPCI, epci="244400404")
    resa = membre(Qualite.RESERVATAIRE, reservataire_id="ddets-44")
    autre_resa = membre(Qualite.RESERVATAIRE, reservataire_id="al-services")
    admin = membre(Qualite.ADMINISTRATEUR, president=True)
    assoc = membre(Qualite.ASSOCIATION_INSERTION)
    tous = [maire_sh, maire_autre, epci, resa, autre_resa, admin, assoc]
    sieges = siegeants(tous, Logement("44162", "244400404", "ddets-44"))
    assert set(sieges) == {maire_sh, epci, resa, admin, assoc}
    assert resa.voix is Voix.CONSULTATIVE and assoc.voix is Voix.CONSULTATIVE
    assert maire_sh.voix is Voix.DELIBERATIVE
    assert voix_preponderante(sieges, epci_preponderant=False) == maire_sh
    assert voix_preponderante(sieges, epci_preponderant=True) == epci


def test_composition_refusee() -> None:
    conseil = [membre(Qualite.ADMINISTRATEUR) for _ in range(5)] + [
        membre(Qualite.REPRESENTANT_LOCATAIRES, president=True)
    ]
    with pytest.raises(DonneesInvalides, match="6 membres au plus"):
        verifier_membre(membre(Qualite.ADMINISTRATEUR), conseil)
    with pytest.raises(DonneesInvalides, match="déjà un président"):
        verifier_membre(membre(Qualite.ADMINISTRATEUR, president=True), conseil[:2] + conseil[5:])
    with pytest.raises(DonneesInvalides, match="commune du maire"):
        verifier_membre(membre(Qualite.MAIRE), [])
    with pytest.raises(DonneesInvalides, match="élu parmi"):
        verifier_membre(membre(Qualite.PREFET, president=True), [])


# --- remote vote -----------------------------------------------------------------------------

C1, C2, C3 = uuid4(), uuid4(), uuid4()
CANDIDATS = [C1, C2, C3]
MAINTENANT = datetime(2026, 6, 1, 12, tzinfo=UTC)
LIMITE = MAINTENANT + timedelta(hours=48)


def commission(deliberatifs: int = 4) -> list[Membre]:
    return [membre(Qualite.ADMINISTRATEUR) for _ in range(deliberatifs - 1)] + [
        membre(Qualite.MAIRE, commune="44162"),
        membre(Qualite.RESERVATAIRE, reservataire_id="ddets-44"),
    ]


def vote(
    sieges: list[Membre],
    choix: list[Choix | None],
    egalite: str = "voix_preponderante_sinon_report",
):
    bulletins = [
        Bulletin(m.id, c, (C2, C1) if c is Choix.ATTRIBUER else ())
        for m, c in zip(sieges, choix, strict=False)
        if c is not None
    ]
    return resultat(
        sieges,
        bulletins,
        CANDIDATS,
        quorum=Decimal("0.5"),
        egalite=egalite,
        preponderant=voix_preponderante(sieges, epci_preponderant=False),
    )


def test_majorite_et_classement() -> None:
    sieges = commission()
    r = vote(
        sieges, [Choix.ATTRIBUER, Choix.ATTRIBUER, Choix.NE_PAS_ATTRIBUER, None, Choix.REJETER]
    )
    assert r.choix is Choix.ATTRIBUER and r.quorum_atteint
    assert r.rangs == (C2, C1)
    # The réservataire's consultative vote is an opinion, not counted.
    assert r.decompte["REJETER"] == 0 and r.avis_consultatifs == {"REJETER": 1}


def test_quorum_non_atteint_reporte() -> None:
    r = vote(commission(), [Choix.ATTRIBUER, None, None, None, Choix.ATTRIBUER])
    assert r.choix is Choix.REPORTER and not r.quorum_atteint
    assert "quorum non atteint" in r.explication


def test_egalite_departagee_par_le_maire() -> None:
    sieges = commission()  # 3 administrators, the maire (index 3)
    r = vote(
        sieges, [Choix.ATTRIBUER, Choix.NE_PAS_ATTRIBUER, Choix.ATTRIBUER, Choix.NE_PAS_ATTRIBUER]
    )
    assert r.choix is Choix.NE_PAS_ATTRIBUER and r.departage_par == sieges[3].id


def test_egalite_sans_voix_preponderante_reporte() -> None:
    sieges = commission()
    r = vote(sieges, [Choix.ATTRIBUER, Choix.NE_PAS_ATTRIBUER, Choix.ATTRIBUER, None])
    assert r.choix is Choix.ATTRIBUER  # 2 against 1: no tie
    r = vote(sieges, [Choix.ATTRIBUER, Choix.NE_PAS_ATTRIBUER, None, None])
    assert r.choix is Choix.REPORTER and r.departage_par is None
    r = vote(
        sieges,
        [Choix.ATTRIBUER, Choix.NE_PAS_ATTRIBUER, Choix.ATTRIBUER, Choix.NE_PAS_ATTRIBUER],
        egalite="report",
    )
    assert r.choix is Choix.REPORTER


def test_classement_borda_egalite_par_rang_de_designation() -> None:
    a, b = uuid4(), uuid4()
    bulletins = [Bulletin(a, Choix.ATTRIBUER, (C1, C2)), Bulletin(b, Choix.ATTRIBUER, (C2, C1))]
    assert classement(bulletins, CANDIDATS) == (C1, C2)


def test_bulletins_refuses() -> None:
    sieges = commission()
    ok = Bulletin(sieges[0].id, Choix.ATTRIBUER, (C1,))
    with pytest.raises(AccesRefuse, match="ne siégez pas"):
        verifier_bulletin(
            ok, votant=None, candidats=CANDIDATS, maintenant=MAINTENANT, limite=LIMITE, clos=False
        )
    with pytest.raises(Conflit, match="clos"):
        verifier_bulletin(
            ok, votant=sieges[0], candidats=CANDIDATS, maintenant=LIMITE, limite=LIMITE, clos=False
        )
    for mauvais in (
        Bulletin(sieges[0].id, Choix.ATTRIBUER, ()),
        Bulletin(sieges[0].id, Choix.ATTRIBUER, (C1, C1)),
        Bulletin(sieges[0].id, Choix.ATTRIBUER, (uuid4(),)),
        Bulletin(sieges[0].id, Choix.REJETER, (C1,)),
    ):
        with pytest.raises(DonneesInvalides):
            verifier_bulletin(
                mauvais,
                votant=sieges[0],
                candidats=CANDIDATS,
                maintenant=MAINTENANT,
                limite=LIMITE,
                clos=False,
            )
    with pytest.raises(DonneesInvalides, match="entre 24 et 336 heures"):
        verifier_ouverture(MAINTENANT, MAINTENANT + timedelta(hours=2), 24, 336)


# --- decisions a–e ---------------------------------------------------------------------------

AUJOURD_HUI = date(2026, 6, 2)


@pytest.mark.parametrize(
    ("decisions", "champ"),
    [
        ([Decision(C1, Sens.NON_ATTRIBUTION)], "decisions[0].motifs"),
        (
            [Decision(C1, Sens.IRRECEVABILITE, motifs="Ressources trop élevées")],
            "decisions[0].fondement",
        ),
        ([Decision(C1, Sens.ATTRIBUTION)], "decisions[0].rang"),
        ([Decision(C1, Sens.ATTRIBUTION_SOUS_CONDITION, rang=1)], "decisions[0].piece"),
        (
            [
                Decision(
                    C1,
                    Sens.ATTRIBUTION_SOUS_CONDITION,
                    rang=1,
                    piece="Avis d'impôt",
                    date_limite_piece=AUJOURD_HUI,
                )
            ],
            "decisions[0].date_limite_piece",
        ),
        (
            [
                Decision(C1, Sens.ATTRIBUTION_RANG, rang=1),
                Decision(C2, Sens.ATTRIBUTION_RANG, rang=3),
            ],
            "decisions",
        ),
        ([Decision(uuid4(), Sens.ATTRIBUTION, rang=1)], "decisions[0].demande_id"),
        (
            [Decision(C1, Sens.ATTRIBUTION, rang=1), Decision(C2, Sens.ATTRIBUTION_RANG, rang=2)],
            "decisions",
        ),
    ],
)
def test_decisions_sans_ce_que_la_loi_exige(decisions: list[Decision], champ: str) -> None:
    with pytest.raises(DonneesInvalides) as exc:
        verifier_decisions(decisions, CANDIDATS, AUJOURD_HUI)
    assert champ in {e.champ for e in exc.value.erreurs}


def test_decisions_valides_et_lettre() -> None:
    b = [
        Decision(C1, Sens.ATTRIBUTION_RANG, rang=1),
        Decision(C2, Sens.ATTRIBUTION_RANG, rang=2),
        Decision(
            C3,
            Sens.IRRECEVABILITE,
            motifs="Revenu fiscal au-dessus du plafond PLUS",
            fondement="PLAFOND_RESSOURCES",
        ),
    ]
    verifier_decisions(b, CANDIDATS, AUJOURD_HUI, Choix.ATTRIBUER)
    assert lettre_du_dossier(b) == "b"
    assert lettre_du_dossier([Decision(C1, Sens.ATTRIBUTION, rang=1)]) == "a"
    d = [Decision(C1, Sens.NON_ATTRIBUTION, motifs="Taux d'effort de 48 % pour ce loyer")]
    assert lettre_du_dossier(d) == "d"
    with pytest.raises(Conflit, match="résultat du vote"):
        verifier_decisions(d, CANDIDATS, AUJOURD_HUI, Choix.ATTRIBUER)
    with pytest.raises(Conflit, match="séance physique"):
        verifier_decisions(d, CANDIDATS, AUJOURD_HUI, Choix.REPORTER)


# --- offers ----------------------------------------------------------------------------------


def test_offres_rang_suivant_et_transitions() -> None:
    a = [Attributaire(C2, 2), Attributaire(C1, 1)]
    assert suivant(a, []) == Attributaire(C1, 1)
    assert suivant(a, [C1]) == Attributaire(C2, 2)
    assert suivant(a, [C1, C2]) is None
    assert transition(StatutOffre.EMISE, StatutOffre.ACCEPTEE) is StatutOffre.ACCEPTEE
    with pytest.raises(Conflit, match="déjà refusée"):
        transition(StatutOffre.REFUSEE, StatutOffre.ACCEPTEE)
    with pytest.raises(Conflit):
        transition(StatutOffre.EMISE, StatutOffre.BAIL_SIGNE)


def test_refus_et_bail() -> None:
    motifs = ("LOCALISATION", "AUTRE")
    verifier_refus("LOCALISATION", None, motifs)
    with pytest.raises(DonneesInvalides, match="motif de refus inconnu"):
        verifier_refus("CAPRICE", None, motifs)
    with pytest.raises(DonneesInvalides, match="précisez"):
        verifier_refus("AUTRE", " ", motifs)
    with pytest.raises(DonneesInvalides, match="avant l'offre"):
        verifier_bail(date(2026, 6, 2), date(2026, 6, 3), None)
    verifier_bail(date(2026, 7, 1), date(2026, 6, 3), date(2026, 6, 8))


def test_uuid_nul_n_est_pas_un_membre() -> None:
    assert UUID(int=0) not in {m.id for m in commission()}


def test_premier_quartile_lu_dans_la_cotation_detenue() -> None:
    """The SNE's first-quartile flag comes from the cotation matching holds for the unit's
    EPCI: the criterion obtained, or not; no cotation for that EPCI: unknown."""
    assert premier_quartile(None) is None
    assert premier_quartile([]) is False
    assert premier_quartile([{"code": "ANCIENNETE", "points": "12"}]) is False
    assert premier_quartile([{"code": "ANCIENNETE"}, {"code": "PREMIER_QUARTILE"}]) is True
