"""Use cases of the charte déontologique."""

from __future__ import annotations

from dataclasses import replace

from servicekit.auth import Principal
from servicekit.exceptions import Introuvable, Invalide
from servicekit.uow import UnitOfWork
from toit_identite.service_layer.comptes import sauver_compte_verifie
from toit_identite.service_layer.contexte import depot, maintenant_utc

# --- Charte déontologique --------------------------------------------------------------------


async def installer_charte(uow: UnitOfWork, texte: str) -> None:
    if await depot(uow).current_charte() is None:
        await depot(uow).add_charte(1, texte, maintenant_utc(), None)
        await uow.commit()


async def accepter_charte(uow: UnitOfWork, principal: Principal, version: int) -> None:
    charte = await depot(uow).current_charte()
    if charte is None or charte["version"] != version:
        raise Invalide([("version", "ce n'est pas la version en vigueur de la charte")])
    compte = await depot(uow).get_compte(principal.sub)
    if compte is None:
        raise Introuvable()
    updated = replace(compte, charte_version=version, version=compte.version + 1)
    await sauver_compte_verifie(uow, updated, compte.version)
    await depot(uow).journal(
        at=maintenant_utc(),
        auteur_id=compte.id,
        compte_id=compte.id,
        operation="CHARTE_ACCEPTEE",
        details={"version": version},
    )
    await uow.commit()


async def publier_charte(uow: UnitOfWork, principal: Principal, texte: str) -> int:
    charte = await depot(uow).current_charte()
    version = (charte["version"] if charte else 0) + 1
    await depot(uow).add_charte(version, texte, maintenant_utc(), principal.sub)
    await uow.commit()
    return version
