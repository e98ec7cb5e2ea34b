"""Announcements of the fichier: the gestionnaire publishes, edits and expires them for
their départements; each professional reads those addressed to them (home page banner)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from servicekit import authz
from servicekit.auth import Principal, check_access
from servicekit.exceptions import AccesRefuse, Conflit, Introuvable, Invalide, VersionObsolete
from servicekit.uow import UnitOfWork
from toit_identite.adapters import annonces as depot
from toit_identite.domain.annonces import Annonce, ContenuAnnonce, erreurs_contenu
from toit_identite.service_layer.contexte import maintenant_utc

GERER = "annonce.gerer"
LIRE = "annonce.lire"


def _autoriser(principal: Principal, departement: str) -> None:
    """The gestionnaire writes for the départements of their perimeter only."""
    try:
        check_access(principal, GERER, departement=departement)
    except Introuvable:
        raise Invalide([("departement", "ce département est hors de votre périmètre")]) from None


def _verifier(contenu: ContenuAnnonce, principal: Principal, maintenant: datetime) -> None:
    _autoriser(principal, contenu.departement)
    erreurs = erreurs_contenu(contenu, maintenant)
    if erreurs:
        raise Invalide(erreurs)


async def publier(
    uow: UnitOfWork, principal: Principal, contenu: ContenuAnnonce, now: datetime | None = None
) -> Annonce:
    maintenant = now or maintenant_utc()
    _verifier(contenu, principal, maintenant)
    annonce = Annonce(
        id=str(uuid.uuid4()),
        departement=contenu.departement,
        titre=contenu.titre.strip(),
        texte=contenu.texte.strip(),
        niveau=contenu.niveau,
        roles=contenu.roles,
        types_organisation=contenu.types_organisation,
        debut=contenu.debut or maintenant,
        fin=contenu.fin,
        cree_le=maintenant,
        cree_par=principal.sub,
        modifie_le=maintenant,
        modifie_par=principal.sub,
    )
    await depot.ajouter(uow.session, annonce)
    await uow.commit()
    return annonce


async def lire(uow: UnitOfWork, principal: Principal, annonce_id: str) -> Annonce:
    annonce = await depot.obtenir(uow.session, annonce_id)
    if annonce is None:
        raise Introuvable()
    check_access(principal, GERER, departement=annonce.departement)
    return annonce


async def _enregistrer(uow: UnitOfWork, annonce: Annonce, version: int) -> Annonce:
    if not await depot.enregistrer(uow.session, annonce, version_attendue=version):
        raise VersionObsolete()
    await uow.commit()
    return annonce


async def modifier(
    uow: UnitOfWork,
    principal: Principal,
    annonce_id: str,
    version_attendue: int,
    contenu: ContenuAnnonce,
    now: datetime | None = None,
) -> Annonce:
    maintenant = now or maintenant_utc()
    annonce = await lire(uow, principal, annonce_id)
    if annonce.version != version_attendue:
        raise VersionObsolete()
    _verifier(contenu, principal, maintenant)
    modifiee = replace(
        annonce,
        departement=contenu.departement,
        titre=contenu.titre.strip(),
        texte=contenu.texte.strip(),
        niveau=contenu.niveau,
        roles=contenu.roles,
        types_organisation=contenu.types_organisation,
        debut=contenu.debut or annonce.debut,
        fin=contenu.fin,
        modifie_le=maintenant,
        modifie_par=principal.sub,
        version=annonce.version + 1,
    )
    return await _enregistrer(uow, modifiee, annonce.version)


async def expirer(
    uow: UnitOfWork, principal: Principal, annonce_id: str, now: datetime | None = None
) -> Annonce:
    """Takes the announcement off the banners now (it stays in the gestionnaire's list)."""
    maintenant = now or maintenant_utc()
    annonce = await lire(uow, principal, annonce_id)
    if annonce.fin is not None and annonce.fin <= maintenant:
        raise Conflit("cette annonce a déjà expiré")
    expiree = replace(
        annonce,
        fin=maintenant,
        debut=min(annonce.debut, maintenant),
        modifie_le=maintenant,
        modifie_par=principal.sub,
        version=annonce.version + 1,
    )
    return await _enregistrer(uow, expiree, annonce.version)


async def gerees(uow: UnitOfWork, principal: Principal) -> list[Annonce]:
    """Every announcement of the gestionnaire's départements, expired ones included."""
    if not authz.scopes_for(principal.roles, GERER):
        raise AccesRefuse("Seul le gestionnaire du fichier gère les annonces")
    return await depot.de_departements(uow.session, principal.departements)


async def a_afficher(
    uow: UnitOfWork, principal: Principal, now: datetime | None = None
) -> list[Annonce]:
    """The announcements shown now to this professional: their départements, their roles,
    their organisation's type."""
    if not authz.scopes_for(principal.roles, LIRE):
        raise AccesRefuse("Les annonces sont destinées aux professionnels")
    maintenant = now or maintenant_utc()
    annonces = await depot.de_departements(
        uow.session, principal.departements, en_cours_a=maintenant
    )
    return [
        a
        for a in annonces
        if a.concerne(principal.departements, principal.roles, principal.organisation_type)
    ]
