"""Reservation conventions and the flux ledger (gestion en flux, primer §9.4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from servicekit.uow import UnitOfWork
from toit_matching.adapters import repository as repo
from toit_matching.domain.erreurs import Conflit, DonneesInvalides, ErreurChamp
from toit_matching.domain.flux import Convention, LigneFlux, grand_livre, suggestion, verifier_parts
from toit_matching.domain.patrimoine import Contingent
from toit_matching.service_layer.acces import Acteur, bailleur_cible


def convention_de(ligne: dict[str, Any]) -> Convention:
    return Convention(
        id=ligne["id"],
        bailleur_id=ligne["bailleur_id"],
        reservataire_id=ligne["reservataire_id"],
        reservataire_nom=ligne["reservataire_nom"],
        departement=ligne["departement"],
        commune=ligne["commune"],
        annee=ligne["annee"],
        parts={Contingent(k): Decimal(str(v)) for k, v in ligne["parts"].items()},
    )


async def creer_convention(
    uow: UnitOfWork,
    acteur: Acteur,
    *,
    bailleur_id: str | None,
    reservataire_id: str,
    reservataire_nom: str,
    departement: str,
    commune: str | None,
    annee: int,
    parts: dict[Contingent, Decimal],
) -> Convention:
    bailleur = bailleur_cible(acteur, bailleur_id, departement)
    if not acteur.dans_departement(departement):
        raise DonneesInvalides([ErreurChamp("departement", "hors de votre périmètre")])
    if reservataire_id == bailleur:
        raise DonneesInvalides(
            [ErreurChamp("reservataire_id", "le bailleur n'est pas son propre réservataire")]
        )
    verifier_parts(parts)
    if await repo.convention_existe(
        uow.session, bailleur, reservataire_id, departement, commune, annee
    ):
        raise Conflit(
            f"une convention {annee} existe déjà entre ce bailleur et ce réservataire "
            f"dans le département {departement}"
        )
    ligne = {
        "id": uuid.uuid4(),
        "bailleur_id": bailleur,
        "reservataire_id": reservataire_id,
        "reservataire_nom": reservataire_nom,
        "departement": departement,
        "commune": commune,
        "annee": annee,
        "parts": {c.value: str(p) for c, p in parts.items()},
        "version": 1,
        "cree_le": datetime.now(UTC),
    }
    await repo.inserer_convention(uow.session, ligne)
    await uow.commit()
    return convention_de(ligne)


async def lister_conventions(
    uow: UnitOfWork, acteur: Acteur, *, annee: int | None = None
) -> list[Convention]:
    if acteur.gestionnaire:
        lignes = await repo.lister_conventions(
            uow.session, departements=acteur.departements, annee=annee
        )
    else:
        lignes = await repo.lister_conventions(
            uow.session, bailleur_id=acteur.organisation, annee=annee
        ) + await repo.lister_conventions(
            uow.session, reservataire_id=acteur.organisation, annee=annee
        )
    return [convention_de(x) for x in lignes]


def _par_contingent(
    comptes: dict[tuple[str | None, str], int],
) -> dict[tuple[str | None, Contingent], int]:
    return {(r, Contingent(c)): n for (r, c), n in comptes.items()}


@dataclass
class GrandLivre:
    bailleur_id: str
    departement: str
    annee: int
    base: int
    lignes: list[LigneFlux]
    suggestion: LigneFlux | None


async def grand_livre_de(
    uow: UnitOfWork, bailleur_id: str, departement: str, annee: int
) -> GrandLivre:
    conventions = [
        convention_de(x)
        for x in await repo.lister_conventions(
            uow.session, bailleur_id=bailleur_id, departements=[departement], annee=annee
        )
    ]
    base, orientes, attribues = await repo.compter_flux(
        uow.session, bailleur_id, departement, annee
    )
    lignes = grand_livre(conventions, base, _par_contingent(orientes), _par_contingent(attribues))
    return GrandLivre(bailleur_id, departement, annee, base, lignes, suggestion(lignes))


async def grands_livres(
    uow: UnitOfWork, acteur: Acteur, annee: int, departement: str | None = None
) -> list[GrandLivre]:
    """The ledgers the agent may read: its bailleur's, or those of the conventions where
    its organisation is the réservataire (its lines only), or all in the gestionnaire's
    départements."""
    conventions = await lister_conventions(uow, acteur, annee=annee)
    paires = sorted({(c.bailleur_id, c.departement) for c in conventions})
    livres = []
    for bailleur, dep in sorted(set(paires)):
        if departement is not None and dep != departement:
            continue
        livre = await grand_livre_de(uow, bailleur, dep, annee)
        if not acteur.gestionnaire and bailleur != acteur.organisation:
            livre.lignes = [lg for lg in livre.lignes if lg.reservataire_id == acteur.organisation]
            livre.suggestion = None
        livres.append(livre)
    return livres
