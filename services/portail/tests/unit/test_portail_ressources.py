"""The lists the applicant edits online (resources, composition): rows as typed (a blank
row dropped, a decimal comma accepted, checkboxes), the whole list sent only when it
changed, demandes' paths mapped to the fields, and every field of an item in the form
(a field left out of the form would be erased by the whole list sent back)."""

from __future__ import annotations

import pytest
from toit_portail.entrypoints.edition_liste import Liste
from toit_portail.entrypoints.espace_commun import erreurs_demandes
from toit_portail.entrypoints.pages_composition import COMPOSITION
from toit_portail.entrypoints.pages_ressources import RESSOURCES, personnes

from toit_contracts.saisie import Occupant, Ressource

lignes, saisies, correctif = RESSOURCES.lignes, RESSOURCES.saisies, RESSOURCES.correctif

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

    assert erreurs_demandes(Reponse(), RESSOURCES.champ_du_formulaire) == {
        "ressources[1].type": "champ obligatoire",
        "__all__": "autre",
    }


@pytest.mark.parametrize(("liste", "modele"), [(RESSOURCES, Ressource), (COMPOSITION, Occupant)])
def test_le_formulaire_porte_tous_les_champs(liste: Liste, modele: type) -> None:
    assert set(liste.champs + liste.booleens) == set(modele.model_fields)


def test_la_composition_et_ses_cases() -> None:
    demande = {
        "occupants": [
            {
                "prenoms": "Léo",
                "nom": "DURAND",
                "date_naissance": "2015-09-01",
                "sexe": None,
                "lien": "ENFANT",
                "a_charge": True,
                "garde_alternee": False,
                "droit_visite": False,
            }
        ]
    }
    avant = COMPOSITION.lignes(demande)
    assert avant[0]["a_charge"] == "oui" and avant[0]["sexe"] == ""
    champs = [(f"occupants[0].{c}", v) for c, v in avant[0].items() if v]
    assert COMPOSITION.correctif(COMPOSITION.saisies(champs), avant) == {}
    champs = [c for c in champs if c[0] != "occupants[0].a_charge"]
    champs += [("occupants[1].prenoms", "Lina"), ("occupants[1].garde_alternee", "oui")]
    assert COMPOSITION.correctif(COMPOSITION.saisies(champs), avant) == {
        "occupants": [
            {
                "prenoms": "Léo",
                "nom": "DURAND",
                "date_naissance": "2015-09-01",
                "lien": "ENFANT",
                "a_charge": False,
                "garde_alternee": False,
                "droit_visite": False,
            },
            {"prenoms": "Lina", "a_charge": False, "garde_alternee": True, "droit_visite": False},
        ]
    }
    assert COMPOSITION.champ_du_formulaire("occupants[1].date_naissance")
    assert COMPOSITION.champ_du_formulaire("ressources[1].type") is None
