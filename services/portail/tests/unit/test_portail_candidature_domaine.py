"""The online application's pure rules: a step's form as a part of the demande, the same
French messages as the guichets (toit_contracts.saisie), the whole demande checked with
the reference data, the identity document's bounds, the renewal window."""

from __future__ import annotations

from datetime import date

import pytest
from toit_portail.domain import candidature as regles

MENAGE = [
    ("demandeur.civilite", "MME"),
    ("demandeur.nom_naissance", "  Lemoine "),
    ("demandeur.prenoms", "Inès"),
    ("demandeur.date_naissance", "1991-05-14"),
    ("demandeur.nationalite", "FRANCAISE"),
    ("demandeur.situation_familiale", "CELIBATAIRE"),
    ("demandeur.courrier_papier", "oui"),
    ("occupants[0].prenoms", "Léo"),
    ("occupants[0].nom", "Lemoine"),
    ("occupants[0].date_naissance", "2019-09-02"),
    ("occupants[0].lien", "ENFANT"),
    # The blank row offered under the typed ones.
    ("occupants[1].prenoms", ""),
    ("occupants[1].nom", ""),
    ("enfants_a_naitre", "1"),
    # Codemandeur fields typed but the box left unticked: ignored.
    ("codemandeur.nom_naissance", "Oublié"),
]
PARTIES = {
    "menage": regles.partie_de_l_etape("menage", MENAGE),
    "ressources": regles.partie_de_l_etape("ressources", []),
    "logement-actuel": {"logement_actuel": {"type": "LOCATAIRE_PARC_PRIVE"}},
    "motifs": regles.partie_de_l_etape(
        "motifs",
        [("motifs_coches", "LOGEMENT_TROP_CHER"), ("motif_principal", "LOGEMENT_TROP_CHER")],
    ),
    "logement-recherche": regles.partie_de_l_etape(
        "logement-recherche",
        [
            ("logement_recherche.typologies", "T2"),
            ("logement_recherche.typologies", "T3"),
            ("logement_recherche.communes[0]", "44109"),
            ("logement_recherche.communes[1]", ""),
        ],
    ),
}


def test_portail_le_formulaire_d_une_etape_devient_une_partie_de_la_demande() -> None:
    partie = PARTIES["menage"]
    assert partie["demandeur"]["nom_naissance"] == "Lemoine"
    assert partie["demandeur"]["courrier_papier"] is True
    assert partie["occupants"] == [
        {"prenoms": "Léo", "nom": "Lemoine", "date_naissance": "2019-09-02", "lien": "ENFANT"}
    ]
    assert "codemandeur" not in partie
    assert PARTIES["logement-recherche"]["logement_recherche"] == {
        "typologies": ["T2", "T3"],
        "communes": ["44109"],
    }
    assert PARTIES["motifs"]["motifs"] == [{"code": "LOGEMENT_TROP_CHER", "principal": True}]
    # Hostile names are ignored, not parsed.
    assert regles.imbriquer([("a.b.c.d.e", "x"), ("x[999]", "y"), ("a-b", "z")]) == {}


def test_portail_une_etape_invalide_a_les_messages_des_guichets_par_champ() -> None:
    erreurs = regles.valider_etape(
        "menage",
        regles.partie_de_l_etape(
            "menage",
            [
                ("demandeur.nom_naissance", "Lemoine"),
                ("demandeur.date_naissance", "2090-01-01"),
                ("avec_codemandeur", "oui"),
                ("codemandeur.lien", "SANS_LIEN"),
            ],
        ),
    )
    assert erreurs["demandeur.civilite"] == "champ obligatoire"
    assert erreurs["demandeur.date_naissance"] == "la date est dans le futur"
    assert "occupant" in erreurs["codemandeur.lien"]
    assert regles.libelle("occupants[1].date_naissance") == "Personne n° 2 — Date de naissance"
    assert regles.libelle("demandeur.nom_naissance") == "Vous — Nom de naissance"
    assert regles.valider_etape("motifs", {"motifs": []}) == {
        "motifs_coches": "cochez au moins un motif"
    }
    deux_principaux = regles.partie_de_l_etape(
        "motifs",
        [("motifs_coches", "LOGEMENT_TROP_CHER"), ("motifs_coches", "HANDICAP")],
    )
    assert regles.valider_etape("motifs", deux_principaux) == {
        "motifs_coches": "indiquez un et un seul motif principal"
    }


def test_portail_la_demande_entiere_est_verifiee_avec_le_referentiel() -> None:
    couverts = frozenset({"44", "35"})
    verification = regles.verifier("44", PARTIES, couverts, lambda insee: insee == "44109")
    assert verification.erreurs == {} and verification.saisie is not None
    assert verification.saisie.canal_depot == "EN_LIGNE"
    assert verification.saisie.enfants_a_naitre == 1

    ailleurs = {
        **PARTIES,
        "logement-recherche": {"logement_recherche": {"typologies": ["T2"], "communes": ["35238"]}},
    }
    verification = regles.verifier("44", ailleurs, couverts, lambda _i: True)
    assert verification.erreurs == {
        "logement_recherche.communes[0]": "la commune 35238 n'est pas dans le département 44"
    }
    assert verification.etapes_incompletes == ("logement-recherche",)

    incomplete = {k: v for k, v in PARTIES.items() if k != "motifs"}
    verification = regles.verifier("44", incomplete, couverts, lambda _i: True)
    assert verification.saisie is None and verification.etapes_incompletes == ("motifs",)


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "le fichier est vide ou absent : choisissez un fichier"),
        (b"GIF89a", "format non accepté"),
        (b"%PDF-" + b"0" * regles.TAILLE_MAX, "fichier trop volumineux (maximum 5 Mo)"),
    ],
)
def test_portail_une_piece_vide_trop_grosse_ou_d_un_autre_format_est_refusee(
    contenu: bytes, message: str
) -> None:
    assert regles.refus_du_fichier(contenu, "PIECE_IDENTITE")["fichier"].startswith(message)


def test_portail_une_piece_pdf_jpeg_ou_png_est_acceptee() -> None:
    for debut in (b"%PDF-1.7", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n"):
        assert regles.refus_du_fichier(debut + b"...", "TITRE_SEJOUR") == {}
    assert regles.refus_du_fichier(b"%PDF-1.7", "AVIS_IMPOSITION") == {
        "type_piece": "choisissez le type de pièce"
    }


def test_portail_le_renouvellement_ouvre_un_mois_avant_l_expiration() -> None:
    expiration = date(2027, 3, 31)
    assert regles.renouvellement_ouvert_le(expiration, 1) == date(2027, 2, 28)
    assert not regles.peut_renouveler("ACTIVE", expiration, date(2027, 2, 27), 1)
    assert regles.peut_renouveler("ACTIVE", expiration, date(2027, 2, 28), 1)
    assert regles.peut_renouveler("EXPIREE_GRACE", expiration, date(2027, 4, 10), 1)
    assert not regles.peut_renouveler("RADIEE", expiration, date(2027, 3, 1), 1)
    assert regles.peut_renoncer("ACTIVE") and not regles.peut_renoncer("RADIEE")


def test_portail_la_modification_remplace_le_logement_recherche() -> None:
    patch, erreurs = regles.modification(
        {
            "logement_recherche": {"typologies": ["T2"], "communes": ["44109"]},
            "enfants_a_naitre": "2",
        }
    )
    assert erreurs == {}
    assert patch["enfants_a_naitre"] == 2
    # Every key is sent (null clears a value the household removed).
    assert patch["logement_recherche"]["loyer_max_mensuel"] is None
    _, erreurs = regles.modification({"logement_recherche": {"typologies": []}})
    assert set(erreurs) == {"logement_recherche.typologies", "logement_recherche.communes[0]"}
