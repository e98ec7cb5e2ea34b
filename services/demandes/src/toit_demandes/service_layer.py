"""Use cases of the demandes service. Each one runs in a UnitOfWork: the change, its
historique lines and its integration event commit together."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import sqlalchemy as sa
import structlog
from pydantic import ValidationError
from toit_referentiel.calendrier import add_months as ajouter_mois
from toit_referentiel.calendrier import anciennete_mois as mois_ecoules

from servicekit.errors import error_items
from servicekit.uow import UnitOfWork
from toit_contracts.enums import (
    CanalDepot,
    MotifIrrecevabilite,
    MotifRadiation,
    StatutDemande,
    Typologie,
)
from toit_contracts.enums import CategorieMenage as CategorieMenageContrat
from toit_contracts.events.demandes import (
    DecisionRadiation,
    DemandeCreee,
    DemandeDelaiAnormalementLongAtteint,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePieceDeposee,
    DemandePurgee,
    DemandeRadiationPreavisee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvelee,
    DemandeRenouvellementAEcheance,
)
from toit_contracts.types import NumeroUnique
from toit_demandes.adapters.orm import demandes as demandes_table
from toit_demandes.adapters.orm import pieces
from toit_demandes.adapters.referentiel import ReferentielToit, referentiel
from toit_demandes.adapters.repository import DemandeRepository, VersionPerimee, cle
from toit_demandes.adapters.stockage import Stockage, StockageIndisponible, empreinte
from toit_demandes.domain.cycle_de_vie import TransitionInterdite
from toit_demandes.domain.demande import (
    DecisionIrrecevabilite,
    Demande,
    Intervenant,
    TypeEvenement,
)
from toit_demandes.domain.derives import ValeursDerivees, deriver
from toit_demandes.domain.doublons import meme_personne
from toit_demandes.domain.historique import Changement
from toit_demandes.domain.merge_patch import appliquer
from toit_demandes.domain.pieces import EXTENSIONS, StatutPiece, type_de_contenu
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.snapshot import contact, snapshot
from toit_demandes.domain.verifications import DonneesInvalides, Erreur, exiger_valide

__all__ = ["DonneesInvalides", "TransitionInterdite", "VersionPerimee"]

log = structlog.get_logger(__name__)

# Fields of the representation that only the lifecycle actions change.
CHAMPS_LECTURE_SEULE = frozenset(
    {
        "id",
        "statut",
        "version",
        "numero_unique",
        "guichet",
        "date_depot_initial",
        "date_enregistrement",
        "date_dernier_renouvellement",
        "date_expiration",
        "date_radiation",
        "motif_radiation",
        "sous_motif_radiation",
        "preavis_radiation",
        "derives",
        "doublons",
    }
)

# Typed in at creation, then fixed: the first dépôt defines the ancienneté and the numéro.
CHAMPS_FIGES = ("date_depot", "canal_depot")

VerifierAcces = Callable[[Demande], None]


class DemandeIntrouvable(Exception):
    pass


class AccesRefuse(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Contexte:
    """Who acts, and when."""

    intervenant: Intervenant
    maintenant: datetime
    referentiel: ReferentielToit = field(default=referentiel)
    stockage: Stockage | None = None  # where pièces live (purge deletes their files)


@dataclass(frozen=True)
class Doublon:
    demande_id: UUID
    numero_unique: str | None
    statut: StatutDemande
    raison: str


# --- helpers ----------------------------------------------------------------------------------


def derives(demande: Demande, ctx: Contexte) -> ValeursDerivees:
    return deriver(
        demande.saisie, demande.date_depot_initial, ctx.maintenant.date(), ctx.referentiel.plafond
    )


def _etat(demande: Demande) -> dict[str, Any]:
    return {
        "demande_id": demande.id,
        "departement": demande.departement,
        "version": demande.version,
        "numero_unique": demande.numero_unique,
        "statut": demande.statut,
        "guichet_enregistreur": demande.guichet,
        "compte_demandeur": demande.proprietaire,
    }


def _avec_snapshot(demande: Demande, ctx: Contexte) -> dict[str, Any]:
    return {
        **_etat(demande),
        "snapshot": snapshot(demande, derives(demande, ctx), ctx.referentiel.nom_commune),
    }


def valider_saisie(document: Any, ctx: Contexte) -> DemandeSaisie:
    try:
        saisie = DemandeSaisie.model_validate(document)
    except ValidationError as exc:
        raise DonneesInvalides(
            [
                Erreur(e["champ"], e["message"], e["code"])
                for e in error_items(exc.errors(include_url=False))  # type: ignore[arg-type]
            ]
        ) from None
    exiger_valide(saisie, ctx.referentiel)
    return saisie


async def _charger(
    repo: DemandeRepository,
    demande_id: UUID,
    verifier: VerifierAcces,
    *,
    pour_modifier: bool = True,
) -> Demande:
    demande = await repo.get(demande_id, pour_modifier=pour_modifier)
    if demande is None:
        raise DemandeIntrouvable()
    verifier(demande)
    return demande


async def doublons(repo: DemandeRepository, demande: Demande) -> list[Doublon]:
    identite = cle(demande)
    trouves = []
    for autre in await repo.doublons_potentiels(identite, sauf=demande.id):
        raison = meme_personne(identite, cle(autre))
        if (
            raison
            and autre.id not in demande.doublons_ecartes
            and (demande.id not in autre.doublons_ecartes)
        ):
            trouves.append(Doublon(autre.id, autre.numero_unique, autre.statut, raison))
    return trouves


# --- use cases --------------------------------------------------------------------------------


async def creer(
    uow: UnitOfWork,
    saisie: DemandeSaisie,
    ctx: Contexte,
    proprietaire: str | None,
    verifier: VerifierAcces,
) -> tuple[Demande, list[Doublon]]:
    exiger_valide(saisie, ctx.referentiel)
    demande = Demande.creer(saisie, ctx.maintenant, ctx.intervenant, proprietaire)
    verifier(demande)
    repo = DemandeRepository(uow.session)
    trouves = await doublons(repo, demande)
    uow.publish(DemandeCreee(**_avec_snapshot(demande, ctx)))
    await repo.ajouter(demande)
    await uow.commit()
    return demande, trouves


async def lire(uow: UnitOfWork, demande_id: UUID, verifier: VerifierAcces) -> Demande:
    return await _charger(DemandeRepository(uow.session), demande_id, verifier, pour_modifier=False)


async def modifier(
    uow: UnitOfWork,
    demande_id: UUID,
    patch: dict[str, Any],
    version_lue: int,
    ctx: Contexte,
    verifier: VerifierAcces,
    *,
    voit_handicap: Callable[[Demande], bool],
) -> Demande:
    lecture_seule = sorted(CHAMPS_LECTURE_SEULE & set(patch))
    if lecture_seule:
        raise DonneesInvalides(
            [
                Erreur(
                    champ,
                    "champ en lecture seule : il change par les actions de la demande "
                    "(enregistrement, renouvellement, radiation…)",
                    "lecture_seule",
                )
                for champ in lecture_seule
            ]
        )
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    if "complement_handicap" in patch and not voit_handicap(demande):
        raise AccesRefuse("le complément handicap est réservé aux personnes habilitées")
    if demande.version != version_lue:
        raise VersionPerimee()
    document = demande.document()
    figes = [c for c in CHAMPS_FIGES if c in patch and patch[c] != document.get(c)]
    if figes:
        raise DonneesInvalides(
            [
                Erreur(c, "ne change pas après la création de la demande", "lecture_seule")
                for c in figes
            ]
        )
    saisie = valider_saisie(appliquer(document, patch), ctx)
    changements = demande.modifier(saisie, ctx.maintenant, ctx.intervenant)
    if changements:
        rubriques = sorted({c.champ.split(".")[0].split("[")[0] for c in changements})
        uow.publish(DemandeModifiee(**_avec_snapshot(demande, ctx), rubriques_modifiees=rubriques))
        await repo.sauver(demande, version_lue)
        await uow.commit()
    return demande


async def _identite_deposee(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    codes = [t.code for t in ctx.referentiel.types_pieces() if t.identite]
    trouvee = await uow.session.execute(
        sa.select(pieces.c.id)
        .where(
            pieces.c.demande_id == demande.id,
            pieces.c.type.in_(codes),
            pieces.c.personne == "demandeur",
            pieces.c.statut != StatutPiece.REFUSEE.value,
        )
        .limit(1)
    )
    return trouvee.first() is not None


async def enregistrer(
    uow: UnitOfWork, demande_id: UUID, guichet: str, ctx: Contexte, verifier: VerifierAcces
) -> tuple[Demande, list[Doublon]]:
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    version_lue = demande.version
    identite = await _identite_deposee(uow, demande, ctx)
    demande.verifier_enregistrable(identite)
    # Before the number: its sequence row stays locked until commit, and every registration
    # of the département and year waits for it.
    trouves = await doublons(repo, demande)
    depot = demande.date_depot_initial
    sequence = await repo.prochaine_sequence(demande.departement, depot.year)
    numero = NumeroUnique(demande.departement, depot.month, depot.year, sequence, guichet)
    demande.enregistrer(
        numero, ctx.maintenant, ctx.intervenant, ctx.referentiel.regles_cycle_de_vie(), identite
    )
    uow.publish(DemandeEnregistree(**_avec_snapshot(demande, ctx)))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande, trouves


async def soumettre(
    uow: UnitOfWork, demande_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """The applicant submits the draft online: a guichet checks the identity document."""
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    version_lue = demande.version
    demande.soumettre(ctx.maintenant, ctx.intervenant)
    uow.publish(DemandeModifiee(**_avec_snapshot(demande, ctx), rubriques_modifiees=["statut"]))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def renouveler(
    uow: UnitOfWork, demande_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    version_lue = demande.version
    demande.renouveler(ctx.maintenant, ctx.intervenant, ctx.referentiel.regles_cycle_de_vie())
    uow.publish(DemandeRenouvelee(**_avec_snapshot(demande, ctx)))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def radier(
    uow: UnitOfWork,
    demande_id: UUID,
    motif: MotifRadiation,
    sous_motif: MotifIrrecevabilite | None,
    ctx: Contexte,
    verifier: VerifierAcces,
    decision: DecisionIrrecevabilite | None = None,
) -> Demande:
    """Radiation, or its notice (irrecevabilité on a CALEOL or gestionnaire decision,
    absence de réponse): the notice event makes notifications send the registered letter."""
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    version_lue = demande.version
    radiee = demande.radier(
        motif,
        ctx.maintenant,
        ctx.intervenant,
        ctx.referentiel.regles_cycle_de_vie(),
        sous_motif,
        decision=decision,
    )
    if radiee:
        publier_radiation(uow, demande, ctx)
    else:
        uow.publish(
            DemandeModifiee(
                **_avec_snapshot(demande, ctx), rubriques_modifiees=["preavis_radiation"]
            )
        )
        uow.publish(await _preavis_radiation(repo, demande, ctx))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def _preavis_radiation(
    repo: DemandeRepository, demande: Demande, ctx: Contexte
) -> DemandeRadiationPreavisee:
    preavis = demande.preavis_radiation
    assert preavis is not None
    decision = preavis.decision
    return DemandeRadiationPreavisee(
        **_etat(demande),
        motif=preavis.motif,
        sous_motif=preavis.sous_motif,
        decision=None
        if decision is None
        else DecisionRadiation(
            origine=decision.origine,
            fondement=decision.fondement,
            date_decision=decision.date_decision,
            reference=decision.reference,
        ),
        date_preavis=preavis.notifie_le,
        date_limite_reponse=preavis.repondre_avant,
        date_effet=preavis.effet_le,
        en_ligne=await _en_ligne(repo, demande),
        contact=contact(demande.saisie, ctx.referentiel.nom_commune),
    )


async def _en_ligne(repo: DemandeRepository, demande: Demande) -> bool:
    """Filed or renewed online at least once (R441-2-7 CCH: how notices are sent)."""
    return demande.saisie.canal_depot is CanalDepot.EN_LIGNE or (
        await repo.renouvelee_en_ligne(demande.id)
    )


def publier_radiation(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> None:
    assert demande.motif_radiation is not None and demande.date_radiation is not None
    uow.publish(
        DemandeRadiee(
            **_avec_snapshot(demande, ctx),
            motif=demande.motif_radiation,
            sous_motif=demande.sous_motif_radiation,
            date_radiation=demande.date_radiation,
        )
    )


async def reactiver(
    uow: UnitOfWork, demande_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    version_lue = demande.version
    demande.reactiver(ctx.maintenant, ctx.intervenant, ctx.referentiel.regles_cycle_de_vie())
    uow.publish(DemandeReactivee(**_avec_snapshot(demande, ctx)))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def ecarter_doublon(
    uow: UnitOfWork, demande_id: UUID, autre_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """The guichet confirms that two demandes flagged as duplicates are distinct."""
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    autre = await _charger(repo, autre_id, verifier)
    for a, b in ((demande, autre), (autre, demande)):
        version_lue = a.version
        a.ecarter_doublon(b.id, ctx.maintenant, ctx.intervenant)
        if a.version != version_lue:
            await repo.sauver(a, version_lue)
    await uow.commit()
    return demande


async def fusionner(
    uow: UnitOfWork, conservee_id: UUID, doublon_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """Merges a duplicate into the demande kept: the duplicate's historique and pièces move
    to it, the duplicate is radiated (renonciation) and marked as merged."""
    if conservee_id == doublon_id:
        raise DonneesInvalides([Erreur("doublon", "une demande ne fusionne pas avec elle-même")])
    repo = DemandeRepository(uow.session)
    conservee = await _charger(repo, conservee_id, verifier)
    doublon = await _charger(repo, doublon_id, verifier)
    if conservee.departement != doublon.departement:
        raise TransitionInterdite("seules deux demandes du même département peuvent fusionner")
    version_doublon, version_conservee = doublon.version, conservee.version
    if doublon.statut in (StatutDemande.ACTIVE, StatutDemande.EXPIREE_GRACE):
        doublon.radier(
            MotifRadiation.RENONCIATION,
            ctx.maintenant,
            ctx.intervenant,
            ctx.referentiel.regles_cycle_de_vie(),
        )
        publier_radiation(uow, doublon, ctx)
    elif doublon.statut is not StatutDemande.BROUILLON:
        raise TransitionInterdite("cette demande ne peut plus être fusionnée")
    doublon.fusionnee_dans = conservee.id
    doublon.version += 1
    reference = doublon.numero_unique or str(doublon.id)
    doublon.noter(
        ctx.maintenant,
        ctx.intervenant,
        TypeEvenement.FUSION,
        f"Fusionnée dans la demande {conservee.numero_unique or conservee.id}",
    )
    await repo.sauver(doublon, version_doublon)
    await repo.deplacer_historique(doublon.id, conservee.id)
    await uow.session.execute(
        pieces.update().where(pieces.c.demande_id == doublon.id).values(demande_id=conservee.id)
    )
    conservee.version += 1
    conservee.noter(
        ctx.maintenant,
        ctx.intervenant,
        TypeEvenement.FUSION,
        f"Fusion du doublon {reference} (historique et pièces repris)",
        [Changement("doublon_fusionne", None, reference)],
    )
    uow.publish(DemandeModifiee(**_avec_snapshot(conservee, ctx), rubriques_modifiees=["fusion"]))
    await repo.sauver(conservee, version_conservee)
    await uow.commit()
    return conservee


# --- pièces -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fichier:
    nom: str
    contenu: bytes


async def deposer_piece(
    uow: UnitOfWork,
    stockage: Stockage,
    demande_id: UUID,
    type_piece: str,
    personne: str | None,
    fichier: Fichier,
    taille_max: int,
    ctx: Contexte,
    verifier: VerifierAcces,
) -> dict[str, Any]:
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    if demande.statut is StatutDemande.PURGEE or demande.fusionnee_dans is not None:
        raise TransitionInterdite("cette demande ne reçoit plus de pièces")
    catalogue = ctx.referentiel.type_piece(type_piece)
    erreurs = []
    if catalogue is None:
        erreurs.append(Erreur("type", f"type de pièce inconnu : « {type_piece[:64]} »"))
    elif catalogue.par_personne and personne is None:
        erreurs.append(Erreur("personne", "cette pièce concerne une personne : précisez-la"))
    if personne is not None and not demande.saisie.personne_existe(personne):
        erreurs.append(
            Erreur("personne", f"« {personne[:20]} » ne désigne aucune personne du ménage")
        )
    if len(fichier.contenu) > taille_max:
        erreurs.append(
            Erreur(
                "fichier",
                f"fichier trop volumineux (maximum {taille_max // (1024 * 1024)} Mo)",
                "taille",
            )
        )
    media_type = type_de_contenu(fichier.contenu)
    if media_type is None:
        erreurs.append(
            Erreur(
                "fichier",
                "format non accepté : PDF, JPEG ou PNG uniquement "
                "(le contenu du fichier fait foi, pas son nom)",
                "format",
            )
        )
    if not fichier.contenu:
        erreurs = [Erreur("fichier", "le fichier est vide", "taille")]
    if erreurs:
        raise DonneesInvalides(erreurs)
    assert catalogue is not None and media_type is not None
    piece_id = uuid.uuid4()
    cle_stockage = f"{demande.id}/{piece_id}.{EXTENSIONS[media_type]}"
    sha256 = empreinte(fichier.contenu)
    ligne = {
        "id": piece_id,
        "demande_id": demande.id,
        "type": catalogue.code,
        "personne": personne,
        "nom_fichier": fichier.nom[:200] or "fichier",
        "media_type": media_type,
        "taille": len(fichier.contenu),
        "sha256": sha256,
        "cle_stockage": cle_stockage,
        "statut": StatutPiece.DEPOSEE.value,
        "depose_le": ctx.maintenant,
        "depose_par": ctx.intervenant.utilisateur,
    }
    await stockage.ecrire(cle_stockage, fichier.contenu, sha256)
    try:
        await uow.session.execute(pieces.insert().values(**ligne))
        version_lue = demande.version
        demande.noter(
            ctx.maintenant,
            ctx.intervenant,
            TypeEvenement.PIECE,
            f"Pièce déposée : {catalogue.libelle}",
        )
        await repo.sauver(demande, version_lue)
        uow.publish(
            DemandePieceDeposee(
                **_etat(demande),
                piece_id=piece_id,
                type_piece=catalogue.code,
                depot_en_ligne=ctx.intervenant.type.value == "PORTAIL",
            )
        )
        await uow.commit()
    except BaseException:
        # A pièce is its row and its file: no file without a row.
        with contextlib.suppress(Exception):
            await stockage.supprimer(cle_stockage)
        raise
    return ligne


def _sensible(ctx_referentiel: ReferentielToit, code: str) -> bool:
    type_piece = ctx_referentiel.type_piece(code)
    return type_piece is None or type_piece.sensible


async def lister_pieces(
    uow: UnitOfWork,
    demande_id: UUID,
    verifier: VerifierAcces,
    voit_sensibles: Callable[[Demande], bool],
) -> list[dict[str, Any]]:
    """The pièces of a demande; health and violence pièces only for those habilitated."""
    demande = await _charger(
        DemandeRepository(uow.session), demande_id, verifier, pour_modifier=False
    )
    sensibles = voit_sensibles(demande)
    rows = await uow.session.execute(
        sa.select(pieces).where(pieces.c.demande_id == demande_id).order_by(pieces.c.depose_le)
    )
    return [dict(row._mapping) for row in rows if sensibles or not _sensible(referentiel, row.type)]


async def piece(
    uow: UnitOfWork,
    demande_id: UUID,
    piece_id: UUID,
    verifier: VerifierAcces,
    voit_sensibles: Callable[[Demande], bool],
) -> dict[str, Any]:
    demande = await _charger(
        DemandeRepository(uow.session), demande_id, verifier, pour_modifier=False
    )
    row = (
        await uow.session.execute(
            sa.select(pieces).where(pieces.c.id == piece_id, pieces.c.demande_id == demande_id)
        )
    ).first()
    if row is None or (_sensible(referentiel, row.type) and not voit_sensibles(demande)):
        raise DemandeIntrouvable()
    return dict(row._mapping)


async def statuer_piece(
    uow: UnitOfWork,
    demande_id: UUID,
    piece_id: UUID,
    statut: StatutPiece,
    motif: str | None,
    ctx: Contexte,
    verifier: VerifierAcces,
) -> dict[str, Any]:
    if statut is StatutPiece.REFUSEE and not motif:
        raise DonneesInvalides([Erreur("motif", "le motif du refus est obligatoire")])
    if statut is StatutPiece.DEPOSEE:
        raise DonneesInvalides([Erreur("statut", "statut attendu : VALIDEE ou REFUSEE")])
    repo = DemandeRepository(uow.session)
    demande = await _charger(repo, demande_id, verifier)
    ligne = await piece(uow, demande_id, piece_id, verifier, lambda _d: True)
    await uow.session.execute(
        pieces.update()
        .where(pieces.c.id == piece_id)
        .values(
            statut=statut.value,
            motif_refus=motif if statut is StatutPiece.REFUSEE else None,
            statue_le=ctx.maintenant,
            statue_par=ctx.intervenant.utilisateur,
        )
    )
    version_lue = demande.version
    demande.noter(
        ctx.maintenant,
        ctx.intervenant,
        TypeEvenement.PIECE,
        f"Pièce {ligne['type']} : {statut.value.lower()}"
        + (f" ({motif})" if statut is StatutPiece.REFUSEE else ""),
        [Changement(f"pieces.{piece_id}.statut", ligne["statut"], statut.value)],
    )
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return {**ligne, "statut": statut.value, "motif_refus": motif}


# --- daily jobs (idempotent: each demande is re-checked under its row lock) -------------------

UnitOfWorkFactory = Callable[[], UnitOfWork]
Traitement = Callable[[UnitOfWork, Demande, Contexte], Awaitable[bool]]


@dataclass
class Bilan:
    """How many demandes each daily job changed."""

    comptes: dict[str, int] = field(default_factory=dict)

    def ajouter(self, tache: str, n: int) -> None:
        self.comptes[tache] = self.comptes.get(tache, 0) + n


async def _pour_chaque(
    unit_of_work: UnitOfWorkFactory,
    selection: sa.ColumnElement[bool],
    traiter: Traitement,
    ctx: Contexte,
) -> int:
    """Applies `traiter` to every selected demande, each in its own transaction. A demande
    another run changed meanwhile is skipped (its guard or its version says so)."""
    vus: set[UUID] = set()
    traitees = 0
    while True:
        async with unit_of_work() as uow:
            ids = [i for i in await DemandeRepository(uow.session).ids(selection) if i not in vus]
        if not ids:
            return traitees
        for demande_id in ids:
            vus.add(demande_id)
            try:
                async with unit_of_work() as uow:
                    repo = DemandeRepository(uow.session)
                    demande = await repo.get(demande_id, pour_modifier=True)
                    if demande is None:
                        continue
                    version_lue = demande.version
                    if await traiter(uow, demande, ctx):
                        if demande.statut is not StatutDemande.PURGEE:
                            await repo.sauver(demande, version_lue)
                        await uow.commit()
                        traitees += 1
            except (VersionPerimee, TransitionInterdite):
                continue
            except StockageIndisponible as exc:
                # Its files could not be deleted: the demande stays, the next run retries.
                log.warning(
                    "demandes.stockage_indisponible", demande_id=str(demande_id), erreur=str(exc)
                )
                continue


async def _preavis_renouvellement(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    if not demande.noter_preavis_renouvellement(ctx.maintenant):
        return False
    assert demande.date_expiration is not None
    uow.publish(
        DemandeRenouvellementAEcheance(
            **_etat(demande),
            date_expiration=demande.date_expiration,
            contact=contact(demande.saisie, ctx.referentiel.nom_commune),
            en_ligne=await _en_ligne(DemandeRepository(uow.session), demande),
        )
    )
    return True


async def _expiration(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    if (
        demande.statut is not StatutDemande.ACTIVE
        or demande.date_expiration is None
        or (demande.date_expiration > ctx.maintenant.date())
    ):
        return False
    demande.expirer(ctx.maintenant)
    uow.publish(DemandeModifiee(**_avec_snapshot(demande, ctx), rubriques_modifiees=["statut"]))
    return True


async def _non_renouvellement(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    regles = ctx.referentiel.regles_cycle_de_vie()
    if (
        demande.statut is not StatutDemande.EXPIREE_GRACE
        or demande.date_expiration is None
        or (regles.fin_grace(demande.date_expiration) > ctx.maintenant.date())
    ):
        return False
    demande.radier(
        MotifRadiation.NON_RENOUVELLEMENT, ctx.maintenant, ctx.intervenant, regles, automatique=True
    )
    publier_radiation(uow, demande, ctx)
    return True


async def _fin_de_preavis(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    if not demande.radier_fin_de_preavis(ctx.maintenant):
        return False
    publier_radiation(uow, demande, ctx)
    return True


async def _delai_anormalement_long(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    delai = delai_applicable(demande, ctx)
    if delai is None or mois_ecoules(demande.date_depot_initial, ctx.maintenant.date()) < delai:
        return False
    if not demande.signaler_delai_anormalement_long(ctx.maintenant, delai):
        return False
    uow.publish(
        DemandeDelaiAnormalementLongAtteint(
            **_etat(demande),
            date_depot_initial=demande.date_depot_initial,
            delai_mois=delai,
            contact=contact(demande.saisie, ctx.referentiel.nom_commune),
        )
    )
    return True


def delai_applicable(demande: Demande, ctx: Contexte) -> int | None:
    """The DAL of the wished typologies (libs/referentiel's one rule: the shortest)."""
    typologies = demande.saisie.logement_recherche.typologies
    return ctx.referentiel.delai_anormalement_long(demande.departement, typologies)


async def _purge(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    regles = ctx.referentiel.regles_cycle_de_vie()
    jour = ctx.maintenant.date()
    if demande.statut is StatutDemande.RADIEE:
        assert demande.date_radiation is not None
        if regles.purge(demande.date_radiation) > jour:
            return False
    elif demande.statut is StatutDemande.BROUILLON:
        if ajouter_mois(demande.date_depot_initial, regles.brouillon_abandonne_mois) > jour:
            return False
    else:
        return False
    valeurs = derives(demande, ctx)
    statistiques = {
        "date_depot_initial": demande.date_depot_initial,
        "date_enregistrement": demande.date_enregistrement,
        "date_radiation": demande.date_radiation,
        "motif_radiation": demande.motif_radiation,
        "taille_menage": valeurs.taille_menage,
        "categorie_menage": CategorieMenageContrat(valeurs.categorie_menage.categorie),
        "typologies": demande.saisie.logement_recherche.typologies,
        "commune_souhaitee": demande.saisie.logement_recherche.communes[0],
        "type_logement_actuel": demande.saisie.logement_actuel.type,
        "motifs": [m.code for m in demande.saisie.motifs],
        "guichet_enregistreur": demande.guichet,
        "anciennete_mois": mois_ecoules(demande.date_depot_initial, demande.date_radiation or jour),
    }
    demande.purger()
    cles = await uow.session.execute(
        sa.select(pieces.c.cle_stockage).where(pieces.c.demande_id == demande.id)
    )
    ctx_stockage = ctx.stockage
    for (cle_stockage,) in cles:
        if ctx_stockage is not None:
            await ctx_stockage.supprimer(cle_stockage)
    await uow.session.execute(pieces.delete().where(pieces.c.demande_id == demande.id))
    await DemandeRepository(uow.session).supprimer(demande.id)
    uow.publish(
        DemandePurgee(
            demande_id=demande.id,
            departement=demande.departement,
            version=demande.version,
            **statistiques,
        )
    )
    return True


async def taches_quotidiennes(
    unit_of_work: UnitOfWorkFactory,
    jour: date,
    stockage: Stockage | None = None,
    ref: ReferentielToit = referentiel,
) -> Bilan:
    """Every daily job for `jour`; running it twice, or twice at once, changes nothing more."""
    ctx = Contexte(
        Intervenant.automatique(), datetime.combine(jour, time(3, 0), tzinfo=UTC), ref, stockage
    )
    regles = ref.regles_cycle_de_vie()
    d = demandes_table.c
    bilan = Bilan()
    actives = d.statut == StatutDemande.ACTIVE.value
    bilan.ajouter(
        "preavis_renouvellement",
        await _pour_chaque(
            unit_of_work,
            sa.and_(
                actives,
                d.date_expiration > jour,
                d.date_expiration <= ajouter_mois(jour, regles.preavis_renouvellement_mois),
                sa.or_(
                    d.preavis_renouvellement_pour.is_(None),
                    d.preavis_renouvellement_pour != d.date_expiration,
                ),
            ),
            _preavis_renouvellement,
            ctx,
        ),
    )
    bilan.ajouter(
        "expiration",
        await _pour_chaque(
            unit_of_work, sa.and_(actives, d.date_expiration <= jour), _expiration, ctx
        ),
    )
    bilan.ajouter(
        "radiation_non_renouvellement",
        await _pour_chaque(
            unit_of_work,
            sa.and_(
                d.statut == StatutDemande.EXPIREE_GRACE.value,
                d.date_expiration <= ajouter_mois(jour, -regles.grace_mois),
            ),
            _non_renouvellement,
            ctx,
        ),
    )
    bilan.ajouter(
        "fin_de_preavis",
        await _pour_chaque(
            unit_of_work,
            sa.and_(
                d.preavis_radiation_effet <= jour,
                d.statut.in_([StatutDemande.ACTIVE.value, StatutDemande.EXPIREE_GRACE.value]),
            ),
            _fin_de_preavis,
            ctx,
        ),
    )
    bilan.ajouter(
        "purge",
        await _pour_chaque(
            unit_of_work,
            sa.or_(
                sa.and_(
                    d.statut == StatutDemande.RADIEE.value,
                    d.date_radiation
                    <= ajouter_mois(jour, -regles.conservation_apres_radiation_mois),
                ),
                sa.and_(
                    d.statut == StatutDemande.BROUILLON.value,
                    d.date_depot_initial <= ajouter_mois(jour, -regles.brouillon_abandonne_mois),
                ),
            ),
            _purge,
            ctx,
        ),
    )
    for departement in sorted(ref.departements_couverts()):
        # The shortest délai of any typology: a prefilter, each demande is then checked.
        plus_court = ref.delai_anormalement_long(departement, list(Typologie))
        if plus_court is None:
            continue
        bilan.ajouter(
            "delai_anormalement_long",
            await _pour_chaque(
                unit_of_work,
                sa.and_(
                    actives,
                    d.departement == departement,
                    d.delai_anormalement_long_signale.is_(False),
                    d.date_depot_initial <= ajouter_mois(jour, -plus_court),
                ),
                _delai_anormalement_long,
                ctx,
            ),
        )
    return bilan


# --- bulk import (benchmarks, migration of an existing file) ----------------------------------


async def importer_lot(uow: UnitOfWork, lot: list[dict[str, Any]], ctx: Contexte) -> int:
    """Creates and registers already-checked demandes in one transaction: each as registered
    on its dépôt date by the guichet "IMP" + département, renewed when that is more than a
    validity ago, with its historique and its `demande.enregistree` event (no per-demande
    `demande.creee`: the import is one registration). Invalid payloads raise
    DonneesInvalides and nothing of the batch is written."""
    regles = ctx.referentiel.regles_cycle_de_vie()
    aujourd_hui = ctx.maintenant.date()
    demandes_lot: list[Demande] = []
    for document in lot:
        saisie = valider_saisie(document, ctx)
        depot = saisie.date_depot or aujourd_hui
        quand = datetime.combine(depot, time(10), tzinfo=UTC)
        demandes_lot.append(Demande.creer(saisie, quand, ctx.intervenant))
    repo = DemandeRepository(uow.session)
    par_serie: dict[tuple[str, int], list[Demande]] = {}
    for demande in demandes_lot:
        cle_serie = (demande.departement, demande.date_depot_initial.year)
        par_serie.setdefault(cle_serie, []).append(demande)
    for (departement, annee), serie in sorted(par_serie.items(), key=lambda kv: kv[0]):
        premiere = await repo.reserver_sequences(departement, annee, len(serie))
        for rang, demande in enumerate(serie):
            depot = demande.date_depot_initial
            guichet = f"IMP{departement}".ljust(5, "0")[:5]
            numero = NumeroUnique(departement, depot.month, depot.year, premiere + rang, guichet)
            demande.enregistrer(
                numero,
                datetime.combine(depot, time(10), tzinfo=UTC),
                ctx.intervenant,
                regles,
                identite_justifiee=True,
            )
            if demande.date_expiration is not None and demande.date_expiration <= aujourd_hui:
                renouvellement = ajouter_mois(aujourd_hui, -1)
                demande.renouveler(
                    datetime.combine(renouvellement, time(10), tzinfo=UTC), ctx.intervenant, regles
                )
            uow.publish(DemandeEnregistree(**_avec_snapshot(demande, ctx)))
    await repo.ajouter_en_masse(demandes_lot)
    await uow.commit()
    return len(demandes_lot)
