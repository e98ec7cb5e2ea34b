"""Stock import validation: the bad inputs of issue 14, each named in the report."""

from __future__ import annotations

import json
from pathlib import Path

from toit_matching.bootstrap import Referentiel
from toit_matching.domain.import_stock import Format, valider_fichier

EXEMPLES = Path(__file__).parents[2] / "exemples"
CONNUE = Referentiel().commune_connue
ENTETE = "rpls;adresse;commune_insee;typologie;surface_m2;financement;loyer;charges\n"


def csv(*lignes: str, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + (ENTETE + "\n".join(lignes) + "\n").encode()


def rapport(contenu: bytes, format: Format = Format.CSV) -> list[tuple[int, str, str]]:
    v = valider_fichier(contenu, format, CONNUE)
    return [(e.ligne, e.champ, e.message) for e in v.erreurs]


def test_matching_exemples_du_depot_valides() -> None:
    for nom, format in (("patrimoine.csv", Format.CSV), ("patrimoine.json", Format.JSON)):
        v = valider_fichier((EXEMPLES / nom).read_bytes(), format, CONNUE)
        assert v.valide, v.erreurs
    assert (
        len(
            valider_fichier(
                (EXEMPLES / "patrimoine.csv").read_bytes(), Format.CSV, CONNUE
            ).logements
        )
        == 4
    )


def test_matching_fichier_erreurs_nomme_chaque_ligne() -> None:
    erreurs = rapport((EXEMPLES / "patrimoine-erreurs.csv").read_bytes())
    assert erreurs == [
        (3, "commune_insee", "commune inconnue : 99999"),
        (4, "loyer", "ne peut pas être négatif"),
        (
            5,
            "typologie",
            "typologie inconnue : T9 ; valeurs possibles : CHAMBRE, T1, T2, T3, T4, T5, T6",
        ),
        (6, "rpls", "identifiant RPLS 44109000901 en double (déjà ligne 2)"),
    ]


def test_matching_bom_et_virgule_decimale() -> None:
    v = valider_fichier(csv("A1;1 rue;44109;T2;45,5;PLAI;300,10;70", bom=True), Format.CSV, CONNUE)
    assert v.valide and str(v.logements[0].surface_m2) == "45.50"


def test_matching_ligne_mal_formee_ne_bloque_pas_les_autres() -> None:
    erreurs = rapport(
        csv(
            "A1;1 rue;44109;T2;45;PLAI;300;70",
            "A2;trop;de;valeurs;ici;PLUS;1;2;3;4",
            'A3;"guillemet;44109;T2;45;PLAI;300;70',
            "A4;4 rue;44109;T2;45;PLOUF;300;70",
        )
    )
    assert [(ligne, champ) for ligne, champ, _ in erreurs] == [
        (3, "ligne"),
        (4, "ligne"),
        (5, "financement"),
    ]
    assert erreurs[0][2] == "nombre de valeurs incorrect : 10 valeurs pour 8 colonnes"
    assert erreurs[1][2].startswith("ligne CSV mal formée")


def test_matching_en_tete_et_encodage() -> None:
    assert rapport(b"rpls;adresse\nA1;x\n")[0][1] == "en-tête"
    assert rapport(ENTETE.replace("charges", "charges;couleur").encode())[0][2].startswith(
        "colonne(s) inconnue(s)"
    )
    assert "UTF-8" in rapport(ENTETE.encode() + "A1;é;44109".encode("latin-1") + b"\n")[0][2]
    assert rapport(b"")[0][2] == "le fichier est vide"


def test_matching_json_et_ses_erreurs() -> None:
    bon = {
        "rpls": "J1",
        "adresse": "x",
        "commune_insee": "44109",
        "typologie": "T2",
        "surface_m2": 40,
        "financement": "PLUS",
        "loyer": 300,
        "charges": 50,
    }
    erreurs = rapport(
        json.dumps(
            [bon, "pas un objet", {**bon, "rpls": "J2", "loyer": -1, "etage": "haut"}]
        ).encode(),
        Format.JSON,
    )
    assert erreurs == [
        (2, "logement", "chaque logement doit être un objet JSON"),
        (3, "loyer", "ne peut pas être négatif"),
        (3, "etage", "nombre entier attendu, reçu « haut »"),
    ]
    assert rapport(b"{pas du json", Format.JSON)[0][2].startswith("JSON invalide")


def test_matching_limite_de_lignes() -> None:
    v = valider_fichier(
        csv(*["A;1 rue;44109;T2;45;PLAI;300;70"] * 3), Format.CSV, CONNUE, lignes_max=2
    )
    assert "dépasse 2 lignes" in v.erreurs[0].message
