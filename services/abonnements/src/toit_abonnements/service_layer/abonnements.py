"""Subscriptions: create, change, pause, resume, revoke; rotate the webhook secret.

A change takes effect for the next event: the fan-out reads the subscriptions in the
transaction of each consumer batch.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.adapters.ssrf import Resolveur, resoudre, verifier_url
from toit_abonnements.adapters.webhooks import nouveau_secret
from toit_abonnements.domain.abonnements import (
    Abonnement,
    Mode,
    Partenaire,
    Statut,
    borner,
    verifier_abonnement,
)
from toit_abonnements.domain.exceptions import Conflit, Introuvable, Invalide, VersionPerimee
from toit_abonnements.domain.ports import AccesAmqp, AdminAmqp, nom_file

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Creation:
    abonnement: Abonnement
    secret: str | None = None  # shown once (webhook)
    amqp: AccesAmqp | None = None  # shown once (AMQP: the password)


@dataclass(frozen=True)
class Reglages:
    production: bool
    admin_amqp: AdminAmqp | None
    resolveur: Resolveur = resoudre


async def _verifier_mode(a: Abonnement, reglages: Reglages) -> None:
    if a.mode is Mode.WEBHOOK:
        if not a.url:
            raise Invalide("url", "adresse du webhook obligatoire en mode WEBHOOK")
        await verifier_url(a.url, production=reglages.production, resolveur=reglages.resolveur)
    elif a.url is not None:
        raise Invalide("url", "adresse réservée au mode WEBHOOK")


async def _partenaire(uow: UnitOfWork, organisation_id: str) -> Partenaire:
    row = await repository.partenaire_par_id(uow.session, organisation_id)
    if row is None:
        raise Introuvable("Partenaire introuvable : le gestionnaire doit d'abord le déclarer")
    org = await repository.organisation_identite_de(uow.session, organisation_id)
    return borner(repository.partenaire_de(row), org.departements if org else None)


async def creer(uow: UnitOfWork, a: Abonnement, reglages: Reglages) -> Creation:
    partenaire = await _partenaire(uow, a.organisation_id)
    verifier_abonnement(a, partenaire)
    await _verifier_mode(a, reglages)
    a = dataclasses.replace(a, id=str(uuid.uuid4()), statut=Statut.ACTIF, version=1)
    maintenant = datetime.now(UTC)
    secret = nouveau_secret() if a.mode is Mode.WEBHOOK else None
    acces: AccesAmqp | None = None
    if a.mode is Mode.AMQP:
        if reglages.admin_amqp is None:
            raise Invalide("mode", "le mode AMQP n'est pas disponible sur cette installation")
        row = await repository.partenaire_par_id(uow.session, a.organisation_id)
        assert row is not None
        acces = await reglages.admin_amqp.preparer_partenaire(a.organisation_id)
        file = nom_file(a.id)
        await reglages.admin_amqp.declarer_file(acces.vhost, file)
        if row.amqp_vhost is not None:
            acces = dataclasses.replace(acces, mot_de_passe=None)  # user exists: unchanged
        acces = dataclasses.replace(acces, file=file)
        await repository.noter_amqp(uow.session, a.organisation_id, acces.vhost, acces.utilisateur)
    await repository.inserer_abonnement(uow.session, a, secret, maintenant)
    await uow.commit()
    return Creation(a, secret, acces)


async def obtenir(uow: UnitOfWork, abonnement_id: str) -> Abonnement:
    row = await repository.abonnement_par_id(uow.session, abonnement_id)
    if row is None:
        raise Introuvable("Abonnement introuvable")
    return repository.abonnement_de(row)


async def modifier(
    uow: UnitOfWork, a: Abonnement, version_attendue: int, reglages: Reglages
) -> Abonnement:
    """Change types, perimeter, profile, complements, URL or name (mode is fixed)."""
    row = await repository.abonnement_par_id(uow.session, a.id, verrou=True)
    if row is None or row.organisation_id != a.organisation_id:
        raise Introuvable("Abonnement introuvable")
    if row.version != version_attendue:
        raise VersionPerimee("L'abonnement a été modifié entre-temps : rechargez-le")
    if row.statut == Statut.REVOQUE.value:
        raise Conflit("Abonnement révoqué : il ne peut plus changer")
    if a.mode.value != row.mode:
        raise Invalide("mode", "le mode de livraison ne change pas : créez un autre abonnement")
    verifier_abonnement(a, await _partenaire(uow, a.organisation_id))
    await _verifier_mode(a, reglages)
    await repository.modifier_abonnement(
        uow.session,
        a.id,
        datetime.now(UTC),
        nom=a.nom,
        types=list(a.types),
        profil=a.profil,
        complements=list(a.complements),
        url=a.url,
        **a.perimetre.as_dict(),
    )
    await uow.commit()
    return dataclasses.replace(a, statut=Statut(row.statut), version=row.version + 1)


async def changer_statut(
    uow: UnitOfWork, abonnement_id: str, statut: Statut, motif: str | None = None
) -> Abonnement:
    row = await repository.abonnement_par_id(uow.session, abonnement_id, verrou=True)
    if row is None:
        raise Introuvable("Abonnement introuvable")
    if row.statut == Statut.REVOQUE.value:
        raise Conflit("Abonnement révoqué : il ne peut plus changer")
    values: dict[str, object] = {"statut": statut.value, "motif_suspension": motif}
    if statut is Statut.ACTIF:
        # Resume: try at once, the retry clock starts again.
        values.update(echecs=0, premier_echec_le=None, prochain_essai_le=None)
    await repository.modifier_abonnement(uow.session, abonnement_id, datetime.now(UTC), **values)
    await uow.commit()
    return dataclasses.replace(
        repository.abonnement_de(row), statut=statut, version=row.version + 1
    )


async def revoquer(uow: UnitOfWork, abonnement_id: str, reglages: Reglages) -> Abonnement:
    """Revoke: no event from the next one on; in AMQP mode the broker objects go too."""
    revoque = await changer_statut(uow, abonnement_id, Statut.REVOQUE, "Révoqué")
    if revoque.mode is Mode.AMQP:
        await nettoyer_amqp(uow, reglages.admin_amqp, abonnement_id)
    return revoque


async def nettoyer_amqp(
    uow: UnitOfWork, admin: AdminAmqp | None, abonnement_id: str | None = None
) -> int:
    """Remove the broker objects of revoked AMQP subscriptions: the queue, and the partner's
    vhost and user once no AMQP subscription of theirs is left (their connections close).
    The revocation itself is already committed; a broker error leaves the subscription
    for the next run of this job. Returns the number cleaned."""
    if admin is None:
        return 0
    nettoyes = 0
    for row in await repository.amqp_a_nettoyer(uow.session, abonnement_id):
        partenaire = await repository.partenaire_par_id(uow.session, row.organisation_id)
        try:
            if partenaire is not None and partenaire.amqp_vhost is not None:
                if await repository.amqp_vivants(uow.session, row.organisation_id) == 0:
                    await admin.supprimer_partenaire(
                        partenaire.amqp_vhost, partenaire.amqp_utilisateur
                    )
                    await repository.oublier_amqp(uow.session, row.organisation_id)
                else:
                    await admin.supprimer_file(partenaire.amqp_vhost, nom_file(row.id))
        except Exception as exc:  # the broker is away: retried by the job
            log.warning("abonnement.nettoyage_amqp_reporte", abonnement=row.id, error=repr(exc))
            continue
        await repository.mettre_a_jour_abonnement(
            uow.session, row.id, amqp_nettoye_le=datetime.now(UTC)
        )
        await uow.commit()
        nettoyes += 1
    return nettoyes


async def renouveler_secret(uow: UnitOfWork, abonnement_id: str, recouvrement: timedelta) -> str:
    """A new signing secret, shown once; the old one keeps signing during `recouvrement`
    (both signatures in webhook-signature), so the partner switches without downtime."""
    row = await repository.abonnement_par_id(uow.session, abonnement_id, verrou=True)
    if row is None or row.mode != Mode.WEBHOOK.value:
        raise Introuvable("Abonnement webhook introuvable")
    secret = nouveau_secret()
    maintenant = datetime.now(UTC)
    await repository.modifier_abonnement(
        uow.session,
        abonnement_id,
        maintenant,
        secret=secret,
        secret_precedent=row.secret,
        secret_precedent_jusqu_a=maintenant + recouvrement,
    )
    await uow.commit()
    return secret


async def lister(uow: UnitOfWork, organisation_id: str | None = None) -> list[Abonnement]:
    rows = await repository.abonnements(uow.session, organisation_id)
    return [repository.abonnement_de(r) for r in rows]
