"""Use cases of demandes against the in-memory repositories (no database, no broker):
what each one stores, publishes and refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from toit_demandes.adapters.stockage import StockageLocal
from toit_demandes.domain.autorite import Autorite, ChampsInterdits
from toit_demandes.domain.cycle_de_vie import TransitionInterdite
from toit_demandes.domain.demande import Demande, Intervenant, TypeIntervenant
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.verifications import DonneesInvalides
from toit_demandes.exemples import demande_exemple
from toit_demandes.service_layer import cycle_de_vie, doublons, pieces, saisie
from toit_demandes.service_layer.commun import Contexte, DemandeIntrouvable

from servicekit.exceptions import AccesRefuse, Introuvable, VersionObsolete
from toit_contracts.enums import MotifRadiation, StatutDemande
from toit_contracts.events.demandes import (
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePieceDeposee,
    DemandeRadiee,
)

from .demandes_fakes import fake_uow

AGENT = Intervenant(TypeIntervenant.AGENT, "agent-1", "ORG-1")
MAINTENANT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n% une piece\n"
TOUT = Autorite.totale()


def ctx() -> Contexte:
    return Contexte(AGENT, MAINTENANT)


def libre(_demande: Demande) -> None:
    return None


def _saisie(**rubriques: Any) -> DemandeSaisie:
    return DemandeSaisie.model_validate(demande_exemple(**rubriques))


async def _creee(uow: Any) -> Demande:
    demande, _ = await saisie.creer(uow, _saisie(), ctx(), None, libre, TOUT)
    return demande


async def test_creer_stores_the_demande_and_publishes_demande_creee_once_committed() -> None:
    uow, demandes, _ = fake_uow()
    demande, trouves = await saisie.creer(uow, _saisie(), ctx(), None, libre, TOUT)
    assert trouves == [] and uow.commits == 1
    assert [type(e) for e in uow.published] == [DemandeCreee]
    assert (await demandes.get(demande.id)) is not None
    assert demande.statut is StatutDemande.BROUILLON
    # The same person again in the same département: flagged as a possible duplicate.
    _, trouves = await saisie.creer(uow, _saisie(), ctx(), None, libre, TOUT)
    assert [t.demande_id for t in trouves] == [demande.id]


async def test_creer_refused_by_the_access_check_writes_nothing() -> None:
    uow, demandes, _ = fake_uow()

    def refuser(_demande: Demande) -> None:
        raise AccesRefuse("hors de votre périmètre")

    with pytest.raises(AccesRefuse):
        await saisie.creer(uow, _saisie(), ctx(), None, refuser, TOUT)
    assert len(demandes.demandes) == 0 and uow.published == [] and uow.commits == 0


async def test_lire_an_unknown_demande_is_introuvable() -> None:
    uow, _, _ = fake_uow()
    with pytest.raises(DemandeIntrouvable) as refus:
        await saisie.lire(uow, uuid4(), libre)
    assert isinstance(refus.value, Introuvable) and refus.value.message == "Demande introuvable"


async def test_modifier_refuses_read_only_fields_and_stale_versions_then_publishes() -> None:
    uow, demandes, _ = fake_uow()
    demande = await _creee(uow)
    with pytest.raises(ChampsInterdits) as invalide:
        await saisie.modifier(
            uow, demande.id, {"statut": "ACTIVE"}, demande.version, ctx(), libre, TOUT,
            voit_handicap=lambda _d: True,
        )  # fmt: skip
    assert [e.champ for e in invalide.value.erreurs] == ["statut"]  # type: ignore[union-attr]
    with pytest.raises(VersionObsolete):
        await saisie.modifier(
            uow, demande.id, {"commentaire": "x"}, demande.version + 1, ctx(), libre, TOUT,
            voit_handicap=lambda _d: True,
        )  # fmt: skip
    patch = {"demandeur": {**demande_exemple()["demandeur"], "telephone": "0611223344"}}
    modifiee = await saisie.modifier(
        uow,
        demande.id,
        patch,
        demande.version,
        ctx(),
        libre,
        TOUT,
        voit_handicap=lambda _d: True,
    )
    assert modifiee.version == demande.version + 1
    assert isinstance(uow.published[-1], DemandeModifiee)
    assert uow.published[-1].rubriques_modifiees == ["demandeur"]
    stockee = await demandes.get(demande.id)
    assert stockee is not None and stockee.version == modifiee.version


async def test_enregistrer_needs_an_identity_piece_then_numbers_the_demande(tmp_path: Path) -> None:
    uow, _, lignes = fake_uow()
    demande = await _creee(uow)
    with pytest.raises(TransitionInterdite):
        await cycle_de_vie.enregistrer(uow, demande.id, "G0001", ctx(), libre)
    stockage = StockageLocal(tmp_path)
    ligne = await pieces.deposer_piece(
        uow, stockage, demande.id, "PIECE_IDENTITE", "demandeur",
        pieces.Fichier("cni.pdf", PDF), 1_000_000, ctx(), libre,
    )  # fmt: skip
    assert isinstance(uow.published[-1], DemandePieceDeposee)
    assert (await lignes.get(demande.id, ligne["id"])) is not None
    enregistree, _ = await cycle_de_vie.enregistrer(uow, demande.id, "G0001", ctx(), libre)
    assert enregistree.statut is StatutDemande.ACTIVE
    assert enregistree.numero_unique is not None and enregistree.numero_unique.endswith("G0001")
    assert isinstance(uow.published[-1], DemandeEnregistree)
    # A refused identity pièce does not count any more (the next one would be refused too).
    await pieces.statuer_piece(
        uow, demande.id, ligne["id"], pieces.StatutPiece.REFUSEE, "illisible", ctx(), libre
    )
    assert not await lignes.une_non_refusee(demande.id, ["PIECE_IDENTITE"], "demandeur")


async def test_deposer_piece_refuses_an_unknown_type_and_a_file_that_is_no_pdf(
    tmp_path: Path,
) -> None:
    uow, _, lignes = fake_uow()
    demande = await _creee(uow)
    with pytest.raises(DonneesInvalides) as invalide:
        await pieces.deposer_piece(
            uow, StockageLocal(tmp_path), demande.id, "INCONNU", None,
            pieces.Fichier("x.exe", b"MZ..."), 1_000_000, ctx(), libre,
        )  # fmt: skip
    assert {e.champ for e in invalide.value.erreurs} == {"type", "fichier"}  # type: ignore[union-attr]
    assert len(lignes.lignes) == 0


async def test_fusionner_moves_pieces_and_historique_and_radiates_the_duplicate(
    tmp_path: Path,
) -> None:
    uow, demandes, lignes = fake_uow()
    conservee, doublon = await _creee(uow), await _creee(uow)
    await pieces.deposer_piece(
        uow, StockageLocal(tmp_path), doublon.id, "PIECE_IDENTITE", "demandeur",
        pieces.Fichier("cni.pdf", PDF), 1_000_000, ctx(), libre,
    )  # fmt: skip
    await cycle_de_vie.enregistrer(uow, doublon.id, "G0001", ctx(), libre)
    resultat = await doublons.fusionner(uow, conservee.id, doublon.id, ctx(), libre)
    assert [p["demande_id"] for p in lignes.lignes] == [conservee.id]
    fusionne = await demandes.get(doublon.id)
    assert fusionne is not None and fusionne.fusionnee_dans == conservee.id
    assert fusionne.motif_radiation is MotifRadiation.RENONCIATION
    assert any(isinstance(e, DemandeRadiee) for e in uow.published)
    assert len(await demandes.historique(resultat.id)) > 1
    with pytest.raises(DonneesInvalides):
        await doublons.fusionner(uow, conservee.id, conservee.id, ctx(), libre)


async def test_ecarter_doublon_is_remembered_on_both_sides() -> None:
    uow, demandes, _ = fake_uow()
    a, b = await _creee(uow), await _creee(uow)
    await doublons.ecarter_doublon(uow, a.id, b.id, ctx(), libre)
    _, trouves = await saisie.creer(uow, _saisie(), ctx(), None, libre, TOUT)
    stockee_a = await demandes.get(a.id)
    assert stockee_a is not None and b.id in stockee_a.doublons_ecartes
    assert {t.demande_id for t in trouves} == {a.id, b.id}
