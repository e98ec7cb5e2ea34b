"""What the household sees of its demande's life: historique lines, avancement."""

from __future__ import annotations

from toit_portail.domain.suivi import avancement, lignes

from toit_contracts.examples import example_events


def test_chaque_evenement_donne_la_ligne_de_sa_seule_demande() -> None:
    events = example_events()
    enregistree = events["demande.enregistree"]
    [ligne] = lignes(enregistree)
    assert ligne.demande_id == enregistree.demande_id
    assert "numéro unique" in ligne.libelle

    decision = events["caleol.decision_prise"]
    par_demande = {ligne.demande_id: ligne for ligne in lignes(decision)}
    # One line per candidate examined, each for its own demande only.
    assert set(par_demande) == {d.demande_id for d in decision.decisions}
    for d in decision.decisions:
        assert d.sens.label in par_demande[d.demande_id].libelle
        assert par_demande[d.demande_id].detail == d.motifs

    offre = events["offre.emise"]
    [ligne] = lignes(offre)
    assert "répondre avant le" in ligne.libelle
    assert lignes(events["cotation.calculee"]) == []
    assert lignes(events["vacance.declaree"]) == []


def test_l_avancement_suit_les_evenements_vus() -> None:
    etapes = avancement({"demande.creee", "demande.piece_deposee"}, None)
    assert [e.faite for e in etapes] == [True, False, True, False, False, False]
    # A numéro known without its event (registered before): the first two steps are done.
    etapes = avancement({"caleol.decision_prise"}, "0440126000001GU044")
    assert [e.faite for e in etapes] == [True, True, False, True, False, False]
