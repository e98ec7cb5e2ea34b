"""Validators: any input gives a valid demande or French errors naming fields — never a crash
(seeded random values); and the small pure helpers (names, merge patch, diff, formats, numéro)."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime
from typing import Any

from toit_demandes.adapters.referentiel import referentiel
from toit_demandes.domain.demande import Intervenant
from toit_demandes.domain.doublons import cle_identite, meme_personne, normaliser, premier_prenom
from toit_demandes.domain.historique import differences
from toit_demandes.domain.merge_patch import appliquer
from toit_demandes.domain.pieces import type_de_contenu
from toit_demandes.domain.saisie import DemandeSaisie, nir_cle_valide
from toit_demandes.domain.verifications import DonneesInvalides
from toit_demandes.exemples import DEMANDE_EXEMPLE, demande_exemple
from toit_demandes.service_layer.commun import Contexte, valider_saisie

from toit_contracts.types import NumeroUnique

CTX = Contexte(Intervenant.automatique(), datetime(2026, 11, 28, tzinfo=UTC), referentiel)

# Arbitrary JSON values (scalars of every kind, a few valid-looking strings, small lists and
# objects). Generated from a seeded `random.Random` rather than hypothesis: the validation
# under test takes about a millisecond, hypothesis's generation of such recursive values
# twenty; seeded, a failure is reproduced by its case number.
_TEXTES = ["", "44109", "T2", "2999-01-01", "-1", "DURAND", "é", "\u00a0", "a" * 20]


def _json(rng: random.Random, feuilles: list[int]) -> Any:
    genre = rng.randrange(9 if feuilles[0] > 0 else 7)
    feuilles[0] -= 1
    match genre:
        case 0:
            return None
        case 1:
            return rng.random() < 0.5
        case 2:
            return rng.randint(-(10**6), 10**12)
        case 3:
            return rng.choice([0.5, -1e308, 1e308, float("inf"), float("-inf"), float("nan")])
        case 4:
            return "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randrange(21)))
        case 5 | 6:
            return rng.choice(_TEXTES)
        case 7:
            return [_json(rng, feuilles) for _ in range(rng.randrange(4))]
        case _:
            return {
                "".join(chr(rng.randrange(97, 123)) for _ in range(rng.randrange(9))): _json(
                    rng, feuilles
                )
                for _ in range(rng.randrange(4))
            }


def json_valeur(rng: random.Random) -> Any:
    return _json(rng, [8])


def _chemins(document: Any, prefixe: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    chemins = [prefixe]
    if isinstance(document, dict):
        for cle, valeur in document.items():
            chemins += _chemins(valeur, (*prefixe, cle))
    elif isinstance(document, list):
        for index, valeur in enumerate(document):
            chemins += _chemins(valeur, (*prefixe, index))
    return chemins


CHEMINS = [c for c in _chemins(DEMANDE_EXEMPLE) if c]


def test_toute_alteration_donne_une_demande_ou_des_erreurs_nommees() -> None:
    rng = random.Random(20261203)
    for cas in range(1000):
        document = copy.deepcopy(DEMANDE_EXEMPLE)
        chemin = rng.choice(CHEMINS)
        cible = document
        for etape in chemin[:-1]:
            cible = cible[etape]
        cible[chemin[-1]] = json_valeur(rng)
        try:
            valider_saisie(document, CTX)
        except DonneesInvalides as exc:
            assert exc.erreurs, cas
            for erreur in exc.erreurs:
                assert erreur.champ and erreur.message, cas
                assert not erreur.message.startswith(("Input should", "Value error", "Field")), cas


def test_tout_merge_patch_donne_une_demande_ou_des_erreurs() -> None:
    rng = random.Random(20261204)
    cles = [*list(DEMANDE_EXEMPLE), "x"]
    for cas in range(500):
        patch = {rng.choice(cles): json_valeur(rng) for _ in range(rng.randrange(4))}
        try:
            valider_saisie(appliquer(DEMANDE_EXEMPLE, patch), CTX)
        except DonneesInvalides as exc:
            assert all(e.champ for e in exc.erreurs), cas


def test_merge_patch_rfc7396() -> None:
    assert appliquer({"a": "b", "c": {"d": "e", "f": "g"}}, {"a": "z", "c": {"f": None}}) == {
        "a": "z",
        "c": {"d": "e"},
    }
    assert appliquer({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}
    assert appliquer({"a": 1}, {"b": {"c": None}}) == {"a": 1, "b": {}}


def test_differences_au_niveau_des_champs() -> None:
    avant = {"demandeur": {"nom": "A", "tel": None}, "occupants": [{"nom": "X"}]}
    apres = {"demandeur": {"nom": "B", "tel": "06"}, "occupants": []}
    assert [(c.champ, c.avant, c.apres) for c in differences(avant, apres)] == [
        ("demandeur.nom", "A", "B"),
        ("demandeur.tel", None, "06"),
        ("occupants[0]", {"nom": "X"}, None),
    ]


def test_normalisation_des_noms() -> None:
    assert normaliser("Le Hénaff-d'Arvor ") == "LE HENAFF D ARVOR"
    assert normaliser("Ñúñez  Œuvrard") == "NUNEZ OEUVRARD"
    assert premier_prenom("Anne-Marie, Claire") == "ANNE MARIE"


def test_doublon_nom_usage_contre_nom_de_naissance() -> None:
    a = DemandeSaisie.model_validate(demande_exemple())
    b = DemandeSaisie.model_validate(
        demande_exemple(
            demandeur={
                **DEMANDE_EXEMPLE["demandeur"],
                "nom_naissance": "MARTIN",
                "nom_usage": "Durand",
                "prenoms": "ANNE Sophie",
            }
        )
    )
    assert meme_personne(cle_identite(a), cle_identite(b)) == (
        "mêmes nom, prénom et date de naissance"
    )
    c = DemandeSaisie.model_validate(
        demande_exemple(
            departement="35", logement_recherche={"typologies": ["T2"], "communes": ["35238"]}
        )
    )
    assert meme_personne(cle_identite(a), cle_identite(c)) is None


def test_nir() -> None:
    assert nir_cle_valide("185067510912312") is False
    corps = "1850675109123"
    cle = 97 - int(corps) % 97
    nir = f"{corps}{cle:02d}"
    saisie = DemandeSaisie.model_validate(
        demande_exemple(
            demandeur={**DEMANDE_EXEMPLE["demandeur"], "nir": f"{nir[:1]} {nir[1:3]} {nir[3:]}"}
        )
    )
    assert saisie.demandeur.nir == nir


def test_type_de_piece_lu_dans_le_contenu() -> None:
    assert type_de_contenu(b"%PDF-1.7 ...") == "application/pdf"
    assert type_de_contenu(b"\xff\xd8\xff\xe0 JFIF") == "image/jpeg"
    assert type_de_contenu(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert type_de_contenu(b"GIF89a") is None
    assert type_de_contenu(b"") is None


def test_format_du_numero_unique() -> None:
    numero = NumeroUnique("44", 3, 2026, 42, "GUI44")
    assert numero.format() == "0440326000042GUI44"
    assert NumeroUnique.parse("044 03 26 000042 gui44") == numero
