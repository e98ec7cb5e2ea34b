"""The authorisation table and the data-dependent checks of servicekit.auth."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from servicekit import authz, authz_fields
from servicekit.auth import Principal, authorize, in_perimetre, may


def agent(*roles: str, departements=("44",), **kwargs) -> Principal:
    return Principal(
        sub="a1",
        kind="agent",
        organisation="org-1",
        roles=frozenset(roles),
        departements=frozenset(departements),
        **kwargs,
    )


def test_servicekit_agent_of_44_cannot_read_a_demande_of_35():
    principal = agent("AGENT_ENREGISTREUR")
    authorize(principal, "demande.lire", departement="44")
    with pytest.raises(HTTPException) as denied:
        authorize(principal, "demande.lire", departement="35", communes=["35238"])
    assert denied.value.status_code == 404  # not 403: the demande's existence does not leak
    assert denied.value.detail == "Ressource introuvable"
    with pytest.raises(HTTPException):
        authorize(principal, "demande.lire")  # no location: denied by default


def test_servicekit_restricted_perimeter_epci_and_communes():
    nantes_only = agent("RESERVATAIRE", communes=frozenset({"44109"}))
    assert in_perimetre(nantes_only, departement="44", communes=["44109", "44190"])
    assert not in_perimetre(nantes_only, departement="44", communes=["44190"])
    assert not in_perimetre(nantes_only, departement="44")
    epci = agent("RESERVATAIRE", epcis=frozenset({"244400404"}))
    assert in_perimetre(epci, departement="44", epci="244400404")
    assert not in_perimetre(epci, departement="44", epci="200000000")
    assert in_perimetre(agent("RESERVATAIRE"), communes=["44109"])


def test_servicekit_demandeur_own_records_only():
    demandeur = Principal(sub="d1", kind="demandeur", roles=frozenset({"DEMANDEUR"}))
    authorize(demandeur, "demande.lire", owner="d1", departement="44")
    with pytest.raises(HTTPException) as denied:
        authorize(demandeur, "demande.lire", owner="d2", departement="44")
    assert denied.value.status_code == 404
    with pytest.raises(HTTPException) as forbidden:
        authorize(demandeur, "demande.radier", owner="d1")
    assert forbidden.value.status_code == 403


def test_servicekit_observateur_never_reads_nominative_data():
    own = {*authz.SELF_ACTIONS, "annonce.lire", "favori.gerer"}  # none nominative
    assert {a for a in authz.PERMISSIONS["OBSERVATEUR"] if a not in own} == {"statistiques.lire"}
    assert not may(agent("OBSERVATEUR"), "demande.lire", departement="44")


def test_servicekit_table_is_consistent():
    assert set(authz.PERMISSIONS) == set(authz.ROLES)
    for role, actions in authz.PERMISSIONS.items():
        assert set(actions) <= set(authz.ACTIONS), role
        assert set(actions.values()) <= set(authz.SCOPE_ORDER), role
    assert set(authz.PERMISSIONS["DEMANDEUR"].values()) == {"propre"}
    assert authz.roles_granting("demande.fusionner") == {"GESTIONNAIRE_FICHIER"}
    assert authz.roles_granting("trace.consulter") == {"GESTIONNAIRE_FICHIER"}
    # The sensitive complement is need-to-know: never for réservataires or observateurs.
    assert not authz.roles_granting("demande.handicap.lire") & {
        "RESERVATAIRE",
        "OBSERVATEUR",
        "DEMANDEUR",
    }


def test_servicekit_organisation_scope():
    admin = agent("ADMINISTRATEUR_ORGANISATION")
    authorize(admin, "compte.lire", organisation="org-1")
    with pytest.raises(HTTPException):
        authorize(admin, "compte.lire", organisation="org-2", departement="44")


# --- field-level authority (authz_fields) -------------------------------------------------------

D, A, INS, G = "DEMANDEUR", "AGENT_ENREGISTREUR", "INSTRUCTEUR", "GESTIONNAIRE_FICHIER"
_DECLARATION = {D: "ecrire", A: "ecrire", G: "ecrire"}

# Every writable field × every role: the right expected (absent: forbidden).
ATTENDU: dict[str, dict[str, str]] = {
    **dict.fromkeys(
        (
            "departement",
            "demandeur",
            "codemandeurs",
            "colocataires",
            "occupants",
            "enfants_a_naitre",
            "situation_professionnelle",
            "ressources",
            "revenu_fiscal_reference",
            "logement_actuel",
            "motifs",
            "logement_recherche",
            "complement_handicap",
            "canal_depot",
        ),
        _DECLARATION,
    ),
    "date_depot": {A: "declarer", G: "ecrire"},
    "priorites": {D: "declarer", A: "declarer", INS: "ecrire", G: "ecrire"},
    "dalo": {INS: "ecrire", G: "ecrire"},
}


@pytest.mark.parametrize("champ", sorted(ATTENDU))
@pytest.mark.parametrize("role", authz.ROLES)
def test_servicekit_field_table_every_writable_field_and_role(champ: str, role: str):
    assert authz_fields.droit({role}, champ) == ATTENDU[champ].get(role)


def test_servicekit_field_table_is_complete_and_consistent():
    assert set(authz_fields.DEMANDE) == set(ATTENDU)
    for champ in authz_fields.NEVER_WRITTEN | {"inconnu"}:
        assert all(authz_fields.droit({role}, champ) is None for role in authz.ROLES), champ
    # A role that writes a field may reach the endpoints that write it.
    for champ, droits in authz_fields.DEMANDE.items():
        for role in droits:
            assert {"demande.creer", "demande.modifier"} & set(authz.PERMISSIONS[role]), champ
    # Only decision-makers decide; only the gestionnaire corrects the dépôt date.
    assert authz_fields.droit({D, A}, "priorites") == "declarer"
    assert authz_fields.droit({A, INS}, "priorites") == "ecrire"
    assert authz.roles_granting("demande.date_depot.corriger") == {G}
    assert authz_fields.proprietaires("dalo") == ["l'instructeur", "le gestionnaire du fichier"]
