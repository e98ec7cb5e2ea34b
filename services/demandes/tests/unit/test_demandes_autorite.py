"""Field-level authority: every writable field × every role, on creation and on PATCH, as
servicekit.authz_fields says; a refusal names the field path."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from toit_demandes.domain.autorite import (
    Autorite,
    ChampsInterdits,
    decisions_incompletes,
    verifier_autorite,
)
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.exemples import demande_exemple

from servicekit import authz, authz_fields

AUJOURD_HUI = date(2026, 6, 15)
JOURS = 31


def autorite(role: str) -> Autorite:
    return Autorite(
        droit=lambda champ: authz_fields.droit({role}, champ),
        proprietaires=authz_fields.proprietaires,
        anteriorite_depot_jours=JOURS,
    )


def document(**changes: Any) -> dict[str, Any]:
    return DemandeSaisie.model_validate(demande_exemple(**changes)).model_dump(mode="json")


# One change of each writable field, as a declarant would make it (a claim for the
# declarative fields), and, for those, one that is a decision.
DECLARATION: dict[str, dict[str, Any]] = {
    "departement": {"departement": "35"},
    "canal_depot": {"canal_depot": "COURRIER"},
    "date_depot": {"date_depot": str(AUJOURD_HUI - timedelta(days=10))},
    "demandeur": {"demandeur": {"nom_naissance": "AUTRE"}},
    "codemandeurs": {
        "codemandeurs": [
            {
                "civilite": "M",
                "nom_naissance": "MARTIN",
                "prenoms": "Paul",
                "date_naissance": "1984-02-03",
                "nationalite": "FRANCAISE",
            }
        ]
    },
    "colocataires": {
        "colocataires": [
            {
                "civilite": "MME",
                "nom_naissance": "LE BIHAN",
                "prenoms": "Rozenn",
                "date_naissance": "1999-04-05",
                "nationalite": "FRANCAISE",
            }
        ]
    },
    "occupants": {"occupants": []},
    "enfants_a_naitre": {"enfants_a_naitre": 2},
    "situation_professionnelle": {"situation_professionnelle": {"demandeur": "CHOMAGE"}},
    "ressources": {"ressources": []},
    "revenu_fiscal_reference": {"revenu_fiscal_reference": []},
    "logement_actuel": {"logement_actuel": {"loyer_mensuel": "999.00"}},
    "motifs": {"motifs": []},
    "logement_recherche": {"logement_recherche": {"etage_max": 3}},
    "complement_handicap": {"complement_handicap": [{"personne": "demandeur"}]},
    "priorites": {"priorites": [{"categorie": "A", "statut": "DECLAREE"}]},
    "dalo": {"dalo": {"type": "LOGEMENT", "date_decision": "2026-01-05", "reference": "C-1"}},
}
DECISION: dict[str, tuple[dict[str, Any], str]] = {
    "priorites": (
        {"priorites": [{"categorie": "A", "statut": "VALIDEE"}]},
        "priorites[0].statut",
    ),
    "date_depot": ({"date_depot": "2014-01-01"}, "date_depot"),
}


def modifie(base: dict[str, Any], changement: dict[str, Any]) -> dict[str, Any]:
    apres = dict(base)
    for champ, valeur in changement.items():
        if isinstance(valeur, dict) and isinstance(base.get(champ), dict):
            apres[champ] = {**base[champ], **valeur}
        else:
            apres[champ] = valeur
    return apres


def test_every_field_of_the_saisie_has_an_owner() -> None:
    assert set(DemandeSaisie.model_fields) == set(authz_fields.DEMANDE) == set(DECLARATION)


@pytest.mark.parametrize("champ", sorted(DECLARATION))
@pytest.mark.parametrize("role", authz.ROLES)
def test_patch_every_writable_field_by_every_role(champ: str, role: str) -> None:
    avant = document()
    apres = modifie(avant, DECLARATION[champ])
    assert apres != avant
    droit = authz_fields.droit({role}, champ)
    # After creation, the dépôt date is a correction: the gestionnaire's, with a reason.
    permis = droit == "ecrire" or (droit == "declarer" and champ != "date_depot")
    if permis:
        verifier_autorite(autorite(role), avant, apres, AUJOURD_HUI)
    else:
        with pytest.raises(ChampsInterdits) as refus:
            verifier_autorite(autorite(role), avant, apres, AUJOURD_HUI)
        [erreur] = refus.value.erreurs
        assert erreur.champ.split(".")[0].split("[")[0] == champ
        assert erreur.code == "champ_interdit"
        assert "ce champ" in erreur.message or "gestionnaire" in erreur.message
    if champ in DECISION:
        changement, chemin = DECISION[champ]
        decide = modifie(avant, changement)
        if droit == "ecrire":
            verifier_autorite(autorite(role), avant, decide, AUJOURD_HUI)
        else:
            with pytest.raises(ChampsInterdits) as refus:
                verifier_autorite(autorite(role), avant, decide, AUJOURD_HUI)
            [erreur] = refus.value.erreurs
            assert (
                erreur.champ == chemin if droit == "declarer" else chemin.startswith(erreur.champ)
            )


@pytest.mark.parametrize("role", ["DEMANDEUR", "AGENT_ENREGISTREUR", "GESTIONNAIRE_FICHIER"])
def test_creation_declares_and_claims_only(role: str) -> None:
    verifier_autorite(autorite(role), None, document(), AUJOURD_HUI)
    verifier_autorite(
        autorite(role), None, document(date_depot=str(AUJOURD_HUI)), AUJOURD_HUI
    )  # today's date is the default
    forges = {
        "date_depot": document(date_depot="2014-01-01"),
        "dalo": document(dalo={"type": "LOGEMENT", "date_decision": "2025-01-01"}),
        "priorites[0].statut": document(priorites=[{"categorie": "J", "statut": "VALIDEE"}]),
    }
    for chemin, forge in forges.items():
        if role == "GESTIONNAIRE_FICHIER":
            verifier_autorite(autorite(role), None, forge, AUJOURD_HUI)
            continue
        with pytest.raises(ChampsInterdits) as refus:
            verifier_autorite(autorite(role), None, forge, AUJOURD_HUI)
        assert [e.champ for e in refus.value.erreurs] == [chemin]
    recente = document(date_depot=str(AUJOURD_HUI - timedelta(days=JOURS)))
    if role == "DEMANDEUR":
        with pytest.raises(ChampsInterdits):
            verifier_autorite(autorite(role), None, recente, AUJOURD_HUI)
    else:  # a paper form received within the configured delay
        verifier_autorite(autorite(role), None, recente, AUJOURD_HUI)
    claim = document(priorites=[{"categorie": "J", "statut": "DECLAREE"}])
    verifier_autorite(autorite(role), None, claim, AUJOURD_HUI)


def test_a_decided_priority_stays_decided_for_a_declarant() -> None:
    avant = document(
        priorites=[{"categorie": "A", "statut": "VALIDEE"}, {"categorie": "J", "statut": "REJETEE"}]
    )
    demandeur = autorite("DEMANDEUR")
    # Unchanged, reordered, another claim added, one withdrawn: all fine.
    for priorites in (
        [{"categorie": "J", "statut": "REJETEE"}, {"categorie": "A", "statut": "VALIDEE"}],
        [*avant["priorites"], {"categorie": "I", "statut": "DECLAREE"}],
        [{"categorie": "A", "statut": "VALIDEE"}],
    ):
        verifier_autorite(demandeur, avant, {**avant, "priorites": priorites}, AUJOURD_HUI)
    # A refused claim is not turned back into a claim in place.
    with pytest.raises(ChampsInterdits) as refus:
        verifier_autorite(
            demandeur,
            avant,
            {
                **avant,
                "priorites": [avant["priorites"][0], {"categorie": "J", "statut": "DECLAREE"}],
            },
            AUJOURD_HUI,
        )
    assert refus.value.erreurs[0].champ == "priorites[1].statut"
    assert "l'instructeur et le gestionnaire du fichier" in refus.value.erreurs[0].message


def test_messages_name_the_owners() -> None:
    with pytest.raises(ChampsInterdits) as refus:
        verifier_autorite(
            autorite("AGENT_ENREGISTREUR"),
            document(),
            document(dalo={"type": "LOGEMENT", "date_decision": "2025-01-01", "reference": "R"}),
            AUJOURD_HUI,
        )
    assert refus.value.erreurs[0].champ == "dalo"
    assert refus.value.erreurs[0].message == (
        "seuls l'instructeur et le gestionnaire du fichier peuvent écrire ce champ"
    )


def test_a_dalo_decision_is_recorded_with_its_reference() -> None:
    sans = document(dalo={"type": "LOGEMENT", "date_decision": "2025-01-01"})
    avec = document(dalo={"type": "LOGEMENT", "date_decision": "2025-01-01", "reference": "R"})
    assert [e.champ for e in decisions_incompletes(None, sans)] == ["dalo.reference"]
    assert [e.champ for e in decisions_incompletes(avec, sans)] == ["dalo.reference"]
    assert decisions_incompletes(None, avec) == []
    assert decisions_incompletes(sans, sans) == []  # an older one stays editable around it
    assert decisions_incompletes(None, document()) == []
