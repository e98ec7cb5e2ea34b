"""Use cases of the grids against in-memory storage (no database): versions, optimistic
lock, publication archiving the previous grid and queuing one re-scoring job."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from toit_cotation.domain.grille import EtatGrille, GrilleDefinition, TransitionInterdite
from toit_cotation.seed import grilles_exemple
from toit_cotation.service_layer import grilles
from toit_cotation.service_layer.commun import ConflitDeModification, GrilleIntrouvable

from servicekit.exceptions import Conflit, Introuvable, VersionObsolete

from .cotation_fakes import fake_uow

MAINTENANT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _definition() -> GrilleDefinition:
    return grilles_exemple()[0]


async def test_creer_grille_numbers_the_versions_of_an_epci_and_population() -> None:
    uow, depot = fake_uow()
    premiere = await grilles.creer_grille(uow, _definition(), MAINTENANT)
    seconde = await grilles.creer_grille(uow, _definition(), MAINTENANT)
    assert (premiere.version, seconde.version) == (1, 2)
    assert premiere.etat is EtatGrille.BROUILLON and uow.commits == 2
    assert len(depot.grilles) == 2


async def test_modifier_grille_refuses_a_stale_revision_and_an_unknown_grid() -> None:
    uow, depot = fake_uow()
    grille = await grilles.creer_grille(uow, _definition(), MAINTENANT)
    modifiee = await grilles.modifier_grille(uow, grille.id, _definition(), grille.revision)
    assert modifiee.revision == grille.revision + 1
    with pytest.raises(ConflitDeModification) as perimee:
        await grilles.modifier_grille(uow, grille.id, _definition(), grille.revision)
    assert isinstance(perimee.value, VersionObsolete)
    with pytest.raises(GrilleIntrouvable) as inconnue:
        await grilles.modifier_grille(uow, uuid4(), _definition(), None)
    assert (
        isinstance(inconnue.value, Introuvable) and inconnue.value.message == "Grille introuvable"
    )
    stockee = await depot.grille(grille.id)
    assert stockee is not None and stockee.revision == modifiee.revision


async def test_publier_archives_the_previous_grid_and_queues_one_rescoring() -> None:
    uow, depot = fake_uow(demandes_suivies=42)
    ancienne = await grilles.creer_grille(uow, _definition(), MAINTENANT)
    ancienne = await grilles.publier_grille(uow, ancienne.id, None, MAINTENANT)
    nouvelle = await grilles.creer_grille(uow, _definition(), MAINTENANT)
    publiee = await grilles.publier_grille(uow, nouvelle.id, nouvelle.revision, MAINTENANT)
    assert publiee.etat is EtatGrille.PUBLIEE
    archivee = await depot.grille(ancienne.id)
    assert archivee is not None and archivee.etat is EtatGrille.ARCHIVEE
    assert sorted(depot.recalculs.rows) == sorted(
        [f"publication:{ancienne.id}", f"publication:{nouvelle.id}"]
    )
    assert {r["total"] for r in depot.recalculs} == {42}
    # Published grids do not change any more.
    with pytest.raises(TransitionInterdite) as interdite:
        await grilles.modifier_grille(uow, publiee.id, _definition(), None)
    assert isinstance(interdite.value, Conflit)


async def test_archiver_a_draft_queues_no_rescoring_and_twice_is_refused() -> None:
    uow, depot = fake_uow()
    brouillon = await grilles.creer_grille(uow, _definition(), MAINTENANT)
    archivee = await grilles.archiver_grille(uow, brouillon.id, brouillon.revision, MAINTENANT)
    assert archivee.etat is EtatGrille.ARCHIVEE and len(depot.recalculs) == 0
    with pytest.raises(TransitionInterdite):
        await grilles.archiver_grille(uow, brouillon.id, None, MAINTENANT)
