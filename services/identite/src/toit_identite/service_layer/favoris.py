"""Favourites: the demandes and lists a professional pins on their home page. Each
professional reads and changes their own only."""

from __future__ import annotations

import uuid
from datetime import datetime

from servicekit import authz
from servicekit.auth import Principal
from servicekit.exceptions import AccesRefuse, Conflit, Introuvable, Invalide
from servicekit.uow import UnitOfWork
from toit_identite.adapters import favoris as depot
from toit_identite.domain.favoris import NOMBRE_MAX, Favori, TypeFavori, erreurs_favori
from toit_identite.service_layer.contexte import maintenant_utc

ACTION = "favori.gerer"


def _autoriser(principal: Principal) -> None:
    if principal.kind != "agent" or not authz.scopes_for(principal.roles, ACTION):
        raise AccesRefuse("Les favoris sont réservés aux professionnels")


async def lister(uow: UnitOfWork, principal: Principal) -> list[Favori]:
    _autoriser(principal)
    return await depot.du_compte(uow.session, principal.sub)


async def ajouter(
    uow: UnitOfWork,
    principal: Principal,
    type_: TypeFavori,
    cible: str,
    libelle: str,
    now: datetime | None = None,
) -> Favori:
    _autoriser(principal)
    erreurs = erreurs_favori(type_, cible, libelle)
    if erreurs:
        raise Invalide(erreurs)
    existants = await depot.du_compte(uow.session, principal.sub)
    if any(f.type == type_ and f.cible == cible for f in existants):
        raise Conflit("déjà dans vos favoris")
    if len(existants) >= NOMBRE_MAX:
        raise Invalide([("cible", f"{NOMBRE_MAX} favoris au plus : retirez-en un d'abord")])
    favori = Favori(
        id=str(uuid.uuid4()),
        compte_id=principal.sub,
        type=type_,
        cible=cible,
        libelle=libelle.strip(),
        cree_le=now or maintenant_utc(),
    )
    if not await depot.ajouter(uow.session, favori):
        raise Conflit("déjà dans vos favoris")
    await uow.commit()
    return favori


async def retirer(uow: UnitOfWork, principal: Principal, favori_id: str) -> None:
    _autoriser(principal)
    if not await depot.retirer(uow.session, principal.sub, favori_id):
        raise Introuvable()
    await uow.commit()
