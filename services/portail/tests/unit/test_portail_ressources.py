"""The resources form: rows as typed (a blank row dropped, a decimal comma accepted),
the whole list sent only when it changed, demandes' paths mapped to the fields."""

from __future__ import annotations

from toit_portail.entrypoints.espace_commun import erreurs_demandes
from toit_portail.entrypoints.pages_ressources import (
    champ_du_formulaire,
    correctif,
    lignes,
    personnes,
    saisies,
)

DEMANDE = {
    "demandeur": {"prenoms": "Anne", "nom_naissance": "DURAND"},
    "codemandeurs": [{"prenoms": "Marc", "nom_naissance": "MARTIN", "nom_usage": "DURAND"}],
    "occupants": [{"prenoms": "Léo", "nom": "DURAND"}],
    "ressources": [{"personne": "demandeur", "type": "SALAIRE", "montant_mensuel": "1650.00"}],
}


def test_les_personnes_et_les_lignes_lues() -> None:
    assert personnes(DEMANDE) == [
        ("demandeur", "Vous"),
        ("codemandeurs[0]", "Marc DURAND (codemandeur)"),
        ("occupants[0]", "Léo DURAND (occupant)"),
    ]
    avant = lignes(DEMANDE)
    assert avant == [{"personne": "demandeur", "type": "SALAIRE", "montant_mensuel": "1650"}]


def test_la_liste_part_entiere_seulement_si_elle_a_change() -> None:
    avant = lignes(DEMANDE)
    champs = [
        ("ressources[0].personne", "demandeur"),
        ("ressources[0].type", "SALAIRE"),
        ("ressources[0].montant_mensuel", "1650"),
        ("ressources[1].personne", ""),
        ("ressources[1].type", ""),
        ("ressources[1].montant_mensuel", ""),
    ]
    assert correctif(saisies(champs), avant) == {}
    champs[3:] = [
        ("ressources[1].personne", "codemandeurs[0]"),
        ("ressources[1].montant_mensuel", "980,5"),
    ]
    assert correctif(saisies(champs), avant) == {
        "ressources": [
            {"personne": "demandeur", "type": "SALAIRE", "montant_mensuel": "1650"},
            {"personne": "codemandeurs[0]", "montant_mensuel": "980.5"},
        ]
    }
    assert correctif([], avant) == {"ressources": []}


def test_les_refus_de_demandes_a_cote_des_champs() -> None:
    class Reponse:
        status_code = 422

        def json(self) -> dict[str, object]:
            return {
                "erreurs": [
                    {"champ": "ressources[1].type", "message": "champ obligatoire"},
                    {"champ": "demandeur.nir", "message": "autre"},
                ]
            }

    assert erreurs_demandes(Reponse(), champ_du_formulaire) == {
        "ressources[1].type": "champ obligatoire",
        "__all__": "autre",
    }
