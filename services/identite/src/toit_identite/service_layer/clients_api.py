"""API clients of partner organisations: OAuth2 client credentials (RFC 6749 §4.4).

The gestionnaire (organisations of their perimeter) or the organisation's administrator
creates a client; its secret is shown once. Rotation gives a new secret while the previous
one stays valid for a grace period, so the partner switches without downtime. A client's
token carries the role PARTENAIRE_API only (its organisation's subscriptions and feed,
services/abonnements), never the rights of the organisation's agents.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from servicekit import authz
from servicekit.auth import Principal
from servicekit.exceptions import Introuvable
from servicekit.uow import UnitOfWork
from toit_identite.adapters import clients_api as depot
from toit_identite.adapters import keys
from toit_identite.adapters import repository as repo
from toit_identite.domain.erreurs import GrantRefuse
from toit_identite.service_layer.contexte import Identite, maintenant_utc
from toit_identite.service_layer.organisations import autoriser_organisation

ACTION = "client_api.gerer"


def _empreinte(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ClientApi:
    client_id: str
    organisation_id: str
    nom: str
    cree_le: datetime
    revoque_le: datetime | None
    derniere_utilisation: datetime | None
    secret_precedent_jusqu_a: datetime | None


@dataclass(frozen=True)
class SecretEmis:
    client: ClientApi
    client_secret: str  # shown once


@dataclass(frozen=True)
class JetonClient:
    access_token: str
    expires_in: int


def _client(row: Any) -> ClientApi:
    return ClientApi(
        client_id=row.client_id,
        organisation_id=row.organisation_id,
        nom=row.nom,
        cree_le=repo.utc(row.cree_le),  # type: ignore[arg-type]
        revoque_le=repo.utc(row.revoque_le),
        derniere_utilisation=repo.utc(row.derniere_utilisation),
        secret_precedent_jusqu_a=repo.utc(row.secret_precedent_jusqu_a),
    )


async def _organisation_autorisee(uow: UnitOfWork, principal: Principal, organisation_id: str):  # type: ignore[no-untyped-def]
    organisation = await repo.get_organisation(uow.session, organisation_id)
    if organisation is None:
        raise Introuvable()
    autoriser_organisation(principal, ACTION, organisation)
    return organisation


async def creer(
    uow: UnitOfWork, principal: Principal, organisation_id: str, nom: str
) -> SecretEmis:
    await _organisation_autorisee(uow, principal, organisation_id)
    maintenant = maintenant_utc()
    client_id = f"cli_{secrets.token_hex(12)}"
    secret = secrets.token_urlsafe(32)
    await depot.ajouter(
        uow.session,
        client_id=client_id,
        organisation_id=organisation_id,
        nom=nom,
        secret_hash=_empreinte(secret),
        cree_le=maintenant,
        cree_par=principal.sub,
    )
    await uow.commit()
    row = await depot.obtenir(uow.session, client_id)
    return SecretEmis(_client(row), secret)


async def _client_autorise(uow: UnitOfWork, principal: Principal, client_id: str) -> Any:
    row = await depot.obtenir(uow.session, client_id, verrou=True)
    if row is None:
        raise Introuvable()
    await _organisation_autorisee(uow, principal, row.organisation_id)
    return row


async def renouveler_secret(
    uow: UnitOfWork, principal: Principal, client_id: str, recouvrement: timedelta
) -> SecretEmis:
    """New secret; the current one stays valid for `recouvrement` (rotation without downtime)."""
    row = await _client_autorise(uow, principal, client_id)
    if row.revoque_le is not None:
        raise Introuvable()
    secret = secrets.token_urlsafe(32)
    await depot.modifier(
        uow.session,
        client_id,
        secret_hash=_empreinte(secret),
        secret_precedent_hash=row.secret_hash,
        secret_precedent_jusqu_a=maintenant_utc() + recouvrement,
    )
    await uow.commit()
    return SecretEmis(_client(await depot.obtenir(uow.session, client_id)), secret)


async def revoquer(uow: UnitOfWork, principal: Principal, client_id: str) -> ClientApi:
    await _client_autorise(uow, principal, client_id)
    await depot.modifier(
        uow.session,
        client_id,
        revoque_le=maintenant_utc(),
        secret_precedent_hash=None,
        secret_precedent_jusqu_a=None,
    )
    await uow.commit()
    return _client(await depot.obtenir(uow.session, client_id))


async def lister(
    uow: UnitOfWork, principal: Principal, organisation_id: str | None
) -> list[ClientApi]:
    visibles: dict[str, bool] = {}
    result = []
    for row in await depot.lister(uow.session, organisation_id):
        if row.organisation_id not in visibles:
            try:
                await _organisation_autorisee(uow, principal, row.organisation_id)
                visibles[row.organisation_id] = True
            except Exception:
                visibles[row.organisation_id] = False
        if visibles[row.organisation_id]:
            result.append(_client(row))
    return result


def _secret_valide(row: Any, secret: str, maintenant: datetime) -> bool:
    empreinte = _empreinte(secret)
    if hmac.compare_digest(empreinte, row.secret_hash):
        return True
    jusqu_a = repo.utc(row.secret_precedent_jusqu_a)
    return (
        row.secret_precedent_hash is not None
        and jusqu_a is not None
        and jusqu_a > maintenant
        and hmac.compare_digest(empreinte, row.secret_precedent_hash)
    )


async def octroi_identifiants_client(
    uow: UnitOfWork, ctx: Identite, client_id: str, client_secret: str
) -> JetonClient:
    """An access token for the client (no refresh token: the client asks again)."""
    maintenant = maintenant_utc()
    row = await depot.obtenir(uow.session, client_id[:64])
    if (
        row is None
        or row.revoque_le is not None
        or not _secret_valide(row, client_secret, maintenant)
    ):
        raise GrantRefuse("client inconnu, révoqué ou secret incorrect")
    organisation = await repo.get_organisation(uow.session, row.organisation_id)
    if organisation is None:
        raise GrantRefuse("organisation inconnue")
    key = await keys.active_key(uow.session, ctx.settings.key_passphrase, ctx.loaded_keys)
    if key is None:
        raise RuntimeError("no active signing key")
    principal = Principal(
        sub=row.client_id,
        kind="client",
        organisation=organisation.id,
        organisation_type=organisation.type.value,
        roles=frozenset({authz.PARTENAIRE_API}),
        departements=frozenset(organisation.departements),
    )
    lifetime = ctx.settings.access_token_seconds
    claims = {
        **principal.claims(),
        "iss": ctx.issuer,
        "aud": ctx.audience,
        "iat": maintenant,
        "nbf": maintenant,
        "exp": maintenant + timedelta(seconds=lifetime),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, key.private_key, algorithm=keys.ALGORITHM, headers={"kid": key.kid})
    await depot.noter_utilisation(uow.session, row.client_id, maintenant)
    await uow.commit()
    return JetonClient(token, lifetime)
