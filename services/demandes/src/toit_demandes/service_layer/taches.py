"""The daily jobs. Idempotent: each demande is re-checked under its row lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from uuid import UUID

import structlog
from toit_referentiel.calendrier import add_months as ajouter_mois
from toit_referentiel.calendrier import anciennete_mois as mois_ecoules

from servicekit.uow import UnitOfWork
from toit_contracts.enums import CategorieMenage as CategorieMenageContrat
from toit_contracts.enums import MotifRadiation, StatutDemande, Typologie
from toit_contracts.events.demandes import (
    DemandeDelaiAnormalementLongAtteint,
    DemandeModifiee,
    DemandePurgee,
    DemandeRenouvellementAEcheance,
)
from toit_demandes.adapters import repository as selections
from toit_demandes.adapters.referentiel import ReferentielToit, referentiel
from toit_demandes.adapters.repository import (
    DemandeRepository,
    PieceRepository,
    Selection,
    VersionPerimee,
)
from toit_demandes.adapters.stockage import Stockage, StockageIndisponible
from toit_demandes.domain.cycle_de_vie import TransitionInterdite
from toit_demandes.domain.demande import Demande, Intervenant
from toit_demandes.domain.snapshot import contact
from toit_demandes.service_layer.commun import (
    Contexte,
    avec_snapshot,
    derives,
    en_ligne,
    etat,
    publier_radiation,
)

log = structlog.get_logger(__name__)


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
    selection: Selection,
    traiter: Traitement,
    ctx: Contexte,
) -> int:
    """Applies `traiter` to every selected demande, each in its own transaction. A demande
    another run changed meanwhile is skipped (its guard or its version says so)."""
    vus: set[UUID] = set()
    traitees = 0
    while True:
        async with unit_of_work() as uow:
            ids = [
                i for i in await uow.repository(DemandeRepository).ids(selection) if i not in vus
            ]
        if not ids:
            return traitees
        for demande_id in ids:
            vus.add(demande_id)
            try:
                async with unit_of_work() as uow:
                    repo = uow.repository(DemandeRepository)
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
            **etat(demande),
            date_expiration=demande.date_expiration,
            contact=contact(demande.saisie, ctx.referentiel.nom_commune),
            en_ligne=await en_ligne(uow.repository(DemandeRepository), demande),
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
    uow.publish(DemandeModifiee(**avec_snapshot(demande, ctx), rubriques_modifiees=["statut"]))
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
            **etat(demande),
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
    elif demande.statut is StatutDemande.A_VALIDER:
        # Never validated: not registered, nothing to keep it for.
        if ajouter_mois(demande.date_depot_initial, regles.a_valider_conservation_mois) > jour:
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
    pieces = uow.repository(PieceRepository)
    ctx_stockage = ctx.stockage
    for cle_stockage in await pieces.cles_stockage(demande.id):
        if ctx_stockage is not None:
            await ctx_stockage.supprimer(cle_stockage)
    await pieces.supprimer_de(demande.id)
    await uow.repository(DemandeRepository).supprimer(demande.id)
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
    bilan = Bilan()
    taches: list[tuple[str, Selection, Traitement]] = [
        (
            "preavis_renouvellement",
            selections.a_prevenir_du_renouvellement(jour, regles.preavis_renouvellement_mois),
            _preavis_renouvellement,
        ),
        ("expiration", selections.a_expirer(jour), _expiration),
        (
            "radiation_non_renouvellement",
            selections.a_radier_faute_de_renouvellement(jour, regles.grace_mois),
            _non_renouvellement,
        ),
        ("fin_de_preavis", selections.preavis_de_radiation_echus(jour), _fin_de_preavis),
        (
            "purge",
            selections.a_purger(
                jour,
                regles.conservation_apres_radiation_mois,
                regles.brouillon_abandonne_mois,
                regles.a_valider_conservation_mois,
            ),
            _purge,
        ),
    ]
    for tache, selection, traiter in taches:
        bilan.ajouter(tache, await _pour_chaque(unit_of_work, selection, traiter, ctx))
    for departement in sorted(ref.departements_couverts()):
        # The shortest délai of any typology: a prefilter, each demande is then checked.
        plus_court = ref.delai_anormalement_long(departement, list(Typologie))
        if plus_court is None:
            continue
        bilan.ajouter(
            "delai_anormalement_long",
            await _pour_chaque(
                unit_of_work,
                selections.delai_anormalement_long_a_signaler(jour, departement, plus_court),
                _delai_anormalement_long,
                ctx,
            ),
        )
    return bilan
