"""One portal per département: the configuration's rules, the guichets nearest a
commune, the key figures' table (without a database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from toit_portail.adapters.configuration import portails
from toit_portail.domain.chiffres_cles import lignes, plus_recente, publication
from toit_portail.domain.departements import (
    ConfigurationInvalide,
    guichets_proches,
    lire_portails,
)

from toit_contracts.events import ChiffreCle, ChiffresClesPublies


def document(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "defaut": "44",
        "questions": [{"question": "Commune ?", "reponse": "Réponse commune."}],
        "departements": [
            {
                "code": "44",
                "nom": "Loire-Atlantique",
                "telephone": "02",
                "courriel": "a@b.fr",
                "adresse": "Nantes",
                "hotes": ["Logement-44.Example"],
                "questions": [{"question": "Locale ?", "reponse": "Réponse locale."}],
                "guichets": [
                    {"code": "GP44B", "nom": "Loin", "adresse": "x", "commune": "44184"},
                    {"code": "GP44C", "nom": "Rezé", "adresse": "x", "commune": "44143"},
                    {"code": "GP44A", "nom": "Nantes", "adresse": "x", "commune": "44109"},
                ],
            },
            {
                "code": "35",
                "nom": "Ille-et-Vilaine",
                "telephone": "02",
                "courriel": "c@d.fr",
                "adresse": "Rennes",
            },
        ],
    }
    return {**base, **extra}


def test_le_portail_depend_du_nom_d_hote_sinon_celui_par_defaut() -> None:
    config = lire_portails(document())
    assert config.pour_hote("logement-44.example:8443").code == "44"
    assert config.pour_hote("autre.example").code == "44"
    assert config.pour_hote(None).code == "44"
    assert lire_portails(document(defaut="35")).pour_hote("inconnu").code == "35"
    assert [p.code for p in config.liste()] == ["35", "44"]
    # The département's own questions first, then the common ones.
    assert [q.question for q in config.questions("44")] == ["Locale ?", "Commune ?"]
    assert [q.question for q in config.questions("35")] == ["Commune ?"]


@pytest.mark.parametrize(
    ("modifier", "message"),
    [
        (lambda d: {**d, "defaut": "29"}, "defaut"),
        (lambda d: {**d, "departements": d["departements"] * 2}, "configuré deux fois"),
        (lambda d: {**d, "departements": [{**d["departements"][0], "code": "444"}]}, "code"),
        (lambda d: {**d, "inconnu": 1}, "inconnu"),
    ],
)
def test_une_configuration_invalide_est_refusee_en_nommant_la_cle(
    modifier: Any, message: str
) -> None:
    with pytest.raises(ConfigurationInvalide, match=message):
        lire_portails(modifier(document()))


def test_la_configuration_livree_couvre_les_neuf_departements_en_exemple() -> None:
    config = portails()
    assert sorted(config.par_code) == ["22", "29", "35", "44", "49", "53", "56", "72", "85"]
    assert all(p.exemple and p.guichets for p in config.liste())
    assert config.pour_hote(None).code == "44"


def test_les_guichets_de_la_commune_puis_de_l_epci_puis_les_autres() -> None:
    portail = lire_portails(document()).par_code["44"]
    epci = {"44109": "NANTES-METRO", "44143": "NANTES-METRO", "44184": "CARENE"}
    codes = [g.code for g in guichets_proches(portail, "44109", epci.get)]
    assert codes == ["GP44A", "GP44C", "GP44B"]
    codes = [g.code for g in guichets_proches(portail, "44184", epci.get)]
    assert codes == ["GP44B", "GP44C", "GP44A"]


def _publication(jour: int, **chiffres: Any) -> ChiffresClesPublies:
    return ChiffresClesPublies(
        publication_id=uuid4(),
        departement="44",
        publie_le=datetime(2026, 12, jour, tzinfo=UTC),
        date_reference=date(2026, 12, jour),
        annee_attributions=2025,
        seuil_secret=5,
        chiffres=[
            ChiffreCle(commune="44109", demandes_en_cours=900, attributions_annee_precedente=80),
            ChiffreCle(commune="44109", typologie="T2", demandes_en_cours=300),
            ChiffreCle(commune="44109", typologie="T1", demandes_en_cours=None),
            ChiffreCle(commune="44184", demandes_en_cours=950, delai_median_mois=14.5),
            ChiffreCle(commune="44003", demandes_en_cours=None),
        ],
    )


def test_les_chiffres_par_commune_puis_par_typologie_le_secret_reste_masque() -> None:
    pub = publication(_publication(3))
    noms = {"44109": "Nantes", "44184": "Saint-Nazaire", "44003": "Ancenis"}.__getitem__
    toutes = lignes(pub, noms)
    assert [(ligne.nom, ligne.demandes_en_cours) for ligne in toutes] == [
        ("Saint-Nazaire", 950),
        ("Nantes", 900),
        ("Ancenis", None),  # masked, never shown as zero
    ]
    assert toutes[0].delai_median_mois == 14.5
    nantes = lignes(pub, noms, "44109")
    assert [(ligne.typologie, ligne.demandes_en_cours) for ligne in nantes] == [
        (None, 900),
        ("T1", None),
        ("T2", 300),
    ]


def test_une_publication_plus_ancienne_ne_remplace_pas_la_derniere() -> None:
    assert plus_recente(None, datetime(2026, 1, 1, tzinfo=UTC))
    assert plus_recente(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert not plus_recente(datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
