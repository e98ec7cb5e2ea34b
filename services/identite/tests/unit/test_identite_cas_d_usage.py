"""Use cases of identite against in-memory storage (no database, no argon2): organisations,
accounts and habilitations, applicants' activation, charte."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from toit_identite.domain.model import Habilitation, Organisation, StatutCompte
from toit_identite.service_layer import charte, comptes, demandeurs, organisations

from servicekit.auth import Principal
from servicekit.exceptions import AccesRefuse, Conflit, Introuvable, Invalide, VersionObsolete
from toit_contracts.enums import MotifDesactivation, Role, TypeOrganisation
from toit_contracts.events.identite import CompteActivationDemandee, CompteDesactive

from .identite_fakes import fake_uow, identite

GESTIONNAIRE_35 = Principal(
    sub="gestionnaire-35",
    kind="agent",
    roles=frozenset({Role.GESTIONNAIRE_FICHIER.value}),
    departements=frozenset({"35"}),
    charte_acceptee=True,
)
GESTIONNAIRE_29 = Principal(
    sub="gestionnaire-29",
    kind="agent",
    roles=frozenset({Role.GESTIONNAIRE_FICHIER.value}),
    departements=frozenset({"29"}),
    charte_acceptee=True,
)


def _bailleur(code: str | None = None) -> Organisation:
    return Organisation(
        id=str(uuid.uuid4()),
        nom="Bailleur d'Ille-et-Vilaine",
        type=TypeOrganisation.BAILLEUR,
        departements=["35"],
        guichet_enregistreur=code is not None,
        code_guichet=code,
        bailleur=True,
    )


def _nouveau(organisation: Organisation, identifiant: str = "agent.35") -> comptes.NouveauCompte:
    return comptes.NouveauCompte(
        identifiant=identifiant,
        email=f"{identifiant}@example.org",
        nom="Martin",
        prenom="Léa",
        organisation_id=organisation.id,
        habilitation=Habilitation(
            roles=frozenset({Role.AGENT_ENREGISTREUR.value}), departements=frozenset({"35"})
        ),
    )


async def test_organisations_code_guichet_unique_and_scope_hides_the_others() -> None:
    uow, depot = fake_uow()
    organisation = await organisations.creer_organisation(uow, GESTIONNAIRE_35, _bailleur("B3501"))
    with pytest.raises(Invalide) as pris:
        await organisations.creer_organisation(uow, GESTIONNAIRE_35, _bailleur("B3501"))
    assert [e.champ for e in pris.value.erreurs] == ["code_guichet"]  # type: ignore[union-attr]
    assert len(depot.organisations) == 1
    with pytest.raises(Introuvable):
        await organisations.lire_organisation(uow, GESTIONNAIRE_29, organisation.id)
    assert await organisations.organisations_visibles(uow, GESTIONNAIRE_29) == []
    assert [o.id for o in await organisations.organisations_visibles(uow, GESTIONNAIRE_35)] == [
        organisation.id
    ]


async def test_create_agent_sends_an_activation_link_and_journals_the_roles() -> None:
    uow, depot = fake_uow()
    organisation = await organisations.creer_organisation(uow, GESTIONNAIRE_35, _bailleur("B3501"))
    compte = await comptes.creer_agent(uow, identite(), GESTIONNAIRE_35, _nouveau(organisation))
    assert compte.statut is StatutCompte.A_ACTIVER
    [evenement] = uow.events_of(CompteActivationDemandee)
    assert "activation?jeton=" in evenement.url_activation
    operations = [j["operation"] for j in depot.journal_lignes]
    assert operations == ["COMPTE_CREE", "ROLE_ACCORDE"]
    with pytest.raises(Invalide):  # the identifiant is taken
        await comptes.creer_agent(uow, identite(), GESTIONNAIRE_35, _nouveau(organisation))


async def test_change_habilitation_needs_the_current_version_and_a_grantor_in_scope() -> None:
    uow, _ = fake_uow()
    organisation = await organisations.creer_organisation(uow, GESTIONNAIRE_35, _bailleur("B3501"))
    compte = await comptes.creer_agent(uow, identite(), GESTIONNAIRE_35, _nouveau(organisation))
    change = comptes.ModificationHabilitation(
        Habilitation(roles=frozenset({Role.INSTRUCTEUR.value}), departements=frozenset({"35"})),
        None,
        None,
    )
    with pytest.raises(VersionObsolete):
        await comptes.modifier_habilitation(
            uow, GESTIONNAIRE_35, compte.id, compte.version + 1, change
        )
    with pytest.raises(Introuvable):
        await comptes.modifier_habilitation(uow, GESTIONNAIRE_29, compte.id, compte.version, change)
    modifie = await comptes.modifier_habilitation(
        uow, GESTIONNAIRE_35, compte.id, compte.version, change
    )
    assert modifie.roles == [Role.INSTRUCTEUR.value] and modifie.version == compte.version + 1


async def test_disable_then_reactivate_and_conflicts() -> None:
    uow, depot = fake_uow()
    organisation = await organisations.creer_organisation(uow, GESTIONNAIRE_35, _bailleur("B3501"))
    compte = await comptes.creer_agent(uow, identite(), GESTIONNAIRE_35, _nouveau(organisation))
    desactive = await comptes.desactiver_par_gestionnaire(
        uow, GESTIONNAIRE_35, compte.id, MotifDesactivation.DEPART_ORGANISATION
    )
    assert desactive.statut is StatutCompte.DESACTIVE and depot.sessions_revoquees == [compte.id]
    assert len(uow.events_of(CompteDesactive)) == 1
    with pytest.raises(Conflit):
        await comptes.desactiver_par_gestionnaire(
            uow, GESTIONNAIRE_35, compte.id, MotifDesactivation.DEPART_ORGANISATION
        )
    reactive = await comptes.reactiver_par_gestionnaire(uow, GESTIONNAIRE_35, compte.id)
    assert reactive.statut is StatutCompte.A_ACTIVER
    with pytest.raises(Conflit):
        await comptes.reactiver_par_gestionnaire(uow, GESTIONNAIRE_35, compte.id)


async def test_only_a_gestionnaire_manages_a_gestionnaire_account() -> None:
    uow, _ = fake_uow()
    organisation = await organisations.creer_organisation(
        uow,
        GESTIONNAIRE_35,
        Organisation(
            id=str(uuid.uuid4()),
            nom="Gestionnaire du fichier",
            type=TypeOrganisation.GESTIONNAIRE_FICHIER,
            departements=["35"],
        ),
    )
    nouveau = _nouveau(organisation, "gestionnaire.bis")
    gestionnaire = await comptes.creer_agent(
        uow,
        identite(),
        None,
        comptes.NouveauCompte(
            **{
                **nouveau.__dict__,
                "habilitation": Habilitation(
                    roles=frozenset({Role.GESTIONNAIRE_FICHIER.value}),
                    departements=frozenset({"35"}),
                ),
            }
        ),
    )
    admin = Principal(
        sub="admin",
        kind="agent",
        organisation=organisation.id,
        roles=frozenset({Role.ADMINISTRATEUR_ORGANISATION.value}),
        departements=frozenset({"35"}),
        charte_acceptee=True,
    )
    with pytest.raises(AccesRefuse) as refus:
        await comptes.desactiver_par_gestionnaire(
            uow, admin, gestionnaire.id, MotifDesactivation.DEPART_ORGANISATION
        )
    assert refus.value.message == "Seul un gestionnaire du fichier gère ce compte"


async def test_applicant_registers_activates_with_the_emailed_link_once() -> None:
    uow, depot = fake_uow()
    ctx = identite()
    await demandeurs.inscrire_demandeur(
        uow, ctx, "lea@example.org", "Un mot de passe sûr 2026!", "Martin", "Léa"
    )
    [evenement] = uow.events_of(CompteActivationDemandee)
    jeton = parse_qs(urlparse(evenement.url_activation).query)["jeton"][0]
    await demandeurs.activer(uow, ctx, jeton, None)
    compte = await depot.find_compte("lea@example.org")
    assert compte is not None and compte.statut is StatutCompte.ACTIF
    with pytest.raises(Invalide):  # single use
        await demandeurs.activer(uow, ctx, jeton, None)
    with pytest.raises(Invalide) as faible:
        await demandeurs.inscrire_demandeur(uow, ctx, "autre@example.org", "court", None, None)
    assert {e.champ for e in faible.value.erreurs} == {"mot_de_passe"}  # type: ignore[union-attr]


async def test_charte_new_version_must_be_accepted_in_force() -> None:
    uow, depot = fake_uow()
    await charte.installer_charte(uow, "Charte v1")
    version = await charte.publier_charte(uow, GESTIONNAIRE_35, "Charte v2")
    assert version == 2
    organisation = await organisations.creer_organisation(uow, GESTIONNAIRE_35, _bailleur("B3501"))
    compte = await comptes.creer_agent(uow, identite(), GESTIONNAIRE_35, _nouveau(organisation))
    agent = Principal(sub=compte.id, kind="agent", roles=frozenset(compte.roles))
    with pytest.raises(Invalide):
        await charte.accepter_charte(uow, agent, 1)
    await charte.accepter_charte(uow, agent, 2)
    accepte = await depot.get_compte(compte.id)
    assert accepte is not None and accepte.charte_version == 2


async def test_an_organisation_change_is_versioned_bounded_and_published() -> None:
    from toit_contracts.events import OrganisationEnregistree, OrganisationModifiee

    uow, depot = fake_uow()
    organisation = await organisations.creer_organisation(uow, GESTIONNAIRE_35, _bailleur(None))
    [cree] = uow.events_of(OrganisationEnregistree)
    assert cree.version == 1 and cree.departements == ["35"]
    with pytest.raises(VersionObsolete):
        await organisations.modifier_organisation(
            uow, GESTIONNAIRE_35, organisation.id, 2, {"nom": "Autre"}
        )
    with pytest.raises(AccesRefuse):
        await organisations.modifier_organisation(
            uow, GESTIONNAIRE_35, organisation.id, 1, {"departements": ["35", "29"]}
        )
    modifiee = await organisations.modifier_organisation(
        uow, GESTIONNAIRE_35, organisation.id, 1, {"nom": "Autre", "bailleur": False}
    )
    assert modifiee.version == 2 and depot.organisations.get(organisation.id).nom == "Autre"  # type: ignore[union-attr]
    [change] = uow.events_of(OrganisationModifiee)
    assert change.version == 2 and change.nom == "Autre" and change.bailleur is False
    with pytest.raises(Introuvable):  # outside the perimeter: nothing leaks
        await organisations.modifier_organisation(
            uow, GESTIONNAIRE_29, organisation.id, 2, {"nom": "X"}
        )
