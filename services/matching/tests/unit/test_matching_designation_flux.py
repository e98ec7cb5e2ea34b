"""Designation rules and the flux ledger (pure)."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from toit_matching.domain.designation import ExceptionDesignation, verifier_designation
from toit_matching.domain.erreurs import Conflit, DonneesInvalides
from toit_matching.domain.flux import Convention, grand_livre, suggestion, verifier_parts
from toit_matching.domain.patrimoine import Contingent

A, B, C, D, X = (uuid4() for _ in range(5))


def designer(candidats, classement=(A, B, C, D), motifs=None, exception=None, dalo=None):
    return verifier_designation(
        list(candidats),
        classement=list(classement),
        motifs=motifs or {},
        exception=exception,
        attendus=3,
        dalo=dalo or {},
        raisons_exclusion={X: "exclue : ne souhaite pas Nantes"},
    )


def test_matching_designation_dans_l_ordre() -> None:
    d = designer([A, B, C])
    assert d.candidats == (A, B, C) and d.ecarts == ()


def test_matching_ecart_exige_un_motif() -> None:
    with pytest.raises(DonneesInvalides) as refus:
        designer([A, C, D])
    assert "motif obligatoire" in refus.value.erreurs[0].message
    d = designer([A, C, D], motifs={B: "a refusé ce quartier en 2025"})
    assert [(e.demande_id, e.rang_classement) for e in d.ecarts] == [(B, 2)]


def test_matching_moins_de_trois_avec_exception() -> None:
    with pytest.raises(DonneesInvalides):
        designer([A, B])
    with pytest.raises(DonneesInvalides):  # four are available
        designer([A, B], exception=ExceptionDesignation.PAS_ASSEZ_DE_CANDIDATS)
    assert designer(
        [A, B], classement=(A, B), exception=ExceptionDesignation.PAS_ASSEZ_DE_CANDIDATS
    )
    assert designer([A], exception=ExceptionDesignation.DALO_DESIGNE_SEUL, dalo={A: True})
    with pytest.raises(DonneesInvalides):
        designer([A], exception=ExceptionDesignation.DALO_DESIGNE_SEUL, dalo={A: False})


def test_matching_designation_refus() -> None:
    with pytest.raises(Conflit):
        designer([A, A, B])
    with pytest.raises(DonneesInvalides) as refus:
        designer([A, B, X])
    assert "ne souhaite pas Nantes" in refus.value.erreurs[0].message
    with pytest.raises(DonneesInvalides):
        designer([A, B, C, D])


def test_matching_grand_livre_et_suggestion() -> None:
    etat = Convention(
        uuid4(),
        "b",
        "etat",
        "DDETS",
        "44",
        None,
        2026,
        {Contingent.ETAT_PRIORITAIRES: Decimal(25), Contingent.ETAT_FONCTIONNAIRES: Decimal(5)},
    )
    al = Convention(
        uuid4(),
        "b",
        "al",
        "Action Logement",
        "44",
        None,
        2026,
        {Contingent.ACTION_LOGEMENT: Decimal(30)},
    )
    lignes = grand_livre(
        [etat, al],
        20,
        {("etat", Contingent.ETAT_PRIORITAIRES): 5, ("al", Contingent.ACTION_LOGEMENT): 2},
        {},
    )
    dus = {(lg.reservataire_id, lg.contingent): (lg.dus, lg.orientes) for lg in lignes}
    assert dus[("etat", Contingent.ETAT_PRIORITAIRES)] == (Decimal("5.0"), 5)
    assert dus[("al", Contingent.ACTION_LOGEMENT)] == (Decimal("6.0"), 2)
    assert dus[(None, Contingent.BAILLEUR)] == (Decimal("8.0"), 0)
    s = suggestion(lignes)
    assert s is not None and s.contingent is Contingent.BAILLEUR  # 8 behind
    lignes = grand_livre([etat, al], 20, {(None, Contingent.BAILLEUR): 8}, {})
    s = suggestion(lignes)
    assert s is not None and s.contingent is Contingent.ACTION_LOGEMENT


def test_matching_parts_de_convention() -> None:
    verifier_parts({Contingent.ACTION_LOGEMENT: Decimal(30)})
    for parts in (
        {},
        {Contingent.BAILLEUR: Decimal(10)},
        {Contingent.ACTION_LOGEMENT: Decimal(0)},
        {Contingent.ACTION_LOGEMENT: Decimal(60), Contingent.COLLECTIVITES: Decimal(50)},
    ):
        with pytest.raises(DonneesInvalides):
            verifier_parts(parts)
