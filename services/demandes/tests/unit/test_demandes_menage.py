"""Several codemandeurs and colocataires (issue 11): the household as the seed's consultation
tabs show it (Demandeur, Codemandeurs, Colocataires, Occupants)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from toit_demandes.domain.demande import Demande
from toit_demandes.domain.derives import (
    categorie_menage,
    deriver,
    menage,
    unites_consommation,
)
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.snapshot import snapshot
from toit_demandes.domain.verifications import verifier
from toit_demandes.exemples import demande_exemple

from toit_contracts.enums import RolePersonne

from .test_demandes_derives import AU, plafonds


def personne(prenoms: str, naissance: str, **extra: Any) -> dict[str, Any]:
    return {
        "civilite": "M",
        "nom_naissance": "MARTIN",
        "prenoms": prenoms,
        "date_naissance": naissance,
        "nationalite": "FRANCAISE",
        **extra,
    }


CONJOINT = personne("Paul", "1984-03-03", situation_professionnelle="SALARIE_CDI")
MERE = personne("Jeanne", "1950-06-01", lien="ASCENDANT", situation_professionnelle="RETRAITE")
COLOC = personne("Yann", "1998-02-02", commune_travail="44109")


def saisie(**rubriques: Any) -> DemandeSaisie:
    rubriques.setdefault("occupants", [])
    return DemandeSaisie.model_validate(demande_exemple(**rubriques))


class _Referentiel:
    def departements_couverts(self) -> frozenset[str]:
        return frozenset({"44"})

    def commune_existe(self, insee: str) -> bool:
        return True


def test_plusieurs_codemandeurs_et_un_colocataire_forment_le_menage() -> None:
    s = saisie(
        codemandeurs=[CONJOINT, MERE],
        colocataires=[COLOC],
        ressources=[
            {"personne": "codemandeurs[1]", "type": "PENSION_RETRAITE", "montant_mensuel": 900},
            {"personne": "colocataires[0]", "type": "SALAIRE", "montant_mensuel": 1400},
        ],
    )
    m = menage(s, AU)
    assert (m.personnes, m.seul) == (4, False)
    assert categorie_menage(m).categorie == 4
    # Four adults: 1 + 0.5 × 3.
    assert unites_consommation(s, AU) == Decimal("2.5")
    assert verifier(s, _Referentiel()) == []  # type: ignore[arg-type]
    snap = snapshot(
        Demande(saisie=s, date_depot_initial=date(2026, 1, 5)),
        deriver(s, date(2026, 1, 5), AU, plafonds),
        lambda _insee: None,
    )
    assert [(p.role, p.lien and p.lien.value) for p in snap.personnes] == [
        (RolePersonne.DEMANDEUR, None),
        (RolePersonne.CODEMANDEUR, "CONJOINT"),
        (RolePersonne.CODEMANDEUR, "ASCENDANT"),
        (RolePersonne.COLOCATAIRE, "SANS_LIEN"),
    ]
    assert [p.situation_professionnelle for p in snap.personnes[1:3]] == [
        "SALARIE_CDI",
        "RETRAITE",
    ]
    assert snap.personnes[3].commune_travail == "44109"
    # The resources given replace the example's: the codemandeur's and colocataire's count.
    assert snap.ressources_mensuelles_totales == Decimal("2300")


def test_une_reference_a_une_personne_absente_est_nommee() -> None:
    s = saisie(
        codemandeurs=[CONJOINT],
        ressources=[{"personne": "colocataires[0]", "type": "SALAIRE", "montant_mensuel": 10}],
    )
    [erreur] = verifier(s, _Referentiel())  # type: ignore[arg-type]
    assert erreur.champ == "ressources[0].personne"
    assert "colocataires[0]" in erreur.message


@pytest.mark.parametrize(
    ("rubriques", "message"),
    [
        ({"codemandeurs": [{**MERE, "lien": "SANS_LIEN"}]}, "colocataire"),
        ({"codemandeurs": [CONJOINT, {**MERE, "lien": "CONJOINT"}]}, "un seul codemandeur"),
        ({"colocataires": [{**COLOC, "lien": "CONJOINT"}]}, "se déclare comme codemandeur"),
        ({"codemandeurs": [CONJOINT] * 5}, "at most 4"),
    ],
)
def test_les_liens_des_cotitulaires(rubriques: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        saisie(**rubriques)


def test_un_colocataire_peut_etre_sans_lien_ou_parent() -> None:
    assert saisie(colocataires=[COLOC, {**COLOC, "lien": "COLLATERAL"}]).colocataires


def test_l_ancien_format_a_un_codemandeur_est_lu_comme_codemandeurs_0() -> None:
    ancien = demande_exemple(occupants=[])
    del ancien["codemandeurs"], ancien["colocataires"]
    ancien["codemandeur"] = personne("Paul", "1984-03-03")
    ancien["situation_professionnelle"] = {
        "demandeur": "SALARIE_CDI",
        "codemandeur": "DEMANDEUR_EMPLOI",
        "commune_travail_codemandeur": "44109",
    }
    ancien["ressources"] = [{"personne": "codemandeur", "type": "SALAIRE", "montant_mensuel": 5}]
    s = DemandeSaisie.model_validate(ancien)
    [c] = s.codemandeurs
    assert (c.prenoms, c.situation_professionnelle, c.commune_travail) == (
        "Paul",
        "DEMANDEUR_EMPLOI",
        "44109",
    )
    assert s.ressources[0].personne == "codemandeurs[0]"
    assert "codemandeur" not in s.model_dump()
    with pytest.raises(ValidationError, match="ne vont pas ensemble"):
        DemandeSaisie.model_validate({**ancien, "codemandeurs": [CONJOINT]})
