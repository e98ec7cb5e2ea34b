"""Queries of the identite service, one module per concern: `organisations`, `comptes`
(accounts and their habilitations' journal), `charte`, `jetons` (refresh tokens, single-use
links, login throttling); helpers in `commun`. `IdentiteRepository` binds them to one
session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters.repository.charte import add_charte, current_charte
from toit_identite.adapters.repository.commun import today_utc, token_hash, utc
from toit_identite.adapters.repository.comptes import (
    add_compte,
    count_demo_comptes,
    find_compte,
    get_compte,
    identifiant_taken,
    inactive_comptes,
    journal,
    list_comptes,
    read_journal,
    record_login,
    save_compte,
)
from toit_identite.adapters.repository.jetons import (
    add_link,
    add_refresh_token,
    clear_account_throttles,
    clear_throttle,
    consume_link,
    get_refresh_token,
    get_throttle,
    mark_refresh_used,
    purge_expired,
    revoke_all_refresh,
    revoke_family,
    save_throttle,
)
from toit_identite.adapters.repository.organisations import (
    add_organisation,
    claim_review_reminder,
    code_guichet_taken,
    get_organisation,
    list_organisations,
    update_organisation,
)
from toit_identite.domain.model import Compte, Organisation
from toit_identite.domain.throttling import Throttle

__all__ = [
    "IdentiteRepository",
    "add_charte",
    "add_compte",
    "add_link",
    "add_organisation",
    "add_refresh_token",
    "claim_review_reminder",
    "clear_account_throttles",
    "clear_throttle",
    "code_guichet_taken",
    "consume_link",
    "count_demo_comptes",
    "current_charte",
    "find_compte",
    "get_compte",
    "get_organisation",
    "get_refresh_token",
    "get_throttle",
    "identifiant_taken",
    "inactive_comptes",
    "journal",
    "list_comptes",
    "list_organisations",
    "mark_refresh_used",
    "purge_expired",
    "read_journal",
    "record_login",
    "revoke_all_refresh",
    "revoke_family",
    "save_compte",
    "save_throttle",
    "today_utc",
    "token_hash",
    "update_organisation",
    "utc",
]


class IdentiteRepository:
    """The functions of this module bound to one session: what the use cases reach
    through `uow.repository(IdentiteRepository)` (unit tests give them an in-memory one)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_organisation(self, organisation: Organisation, now: datetime) -> None:
        return await add_organisation(self.session, organisation, now)

    async def get_organisation(self, organisation_id: str) -> Organisation | None:
        return await get_organisation(self.session, organisation_id)

    async def update_organisation(self, organisation: Organisation) -> None:
        return await update_organisation(self.session, organisation)

    async def list_organisations(self) -> list[Organisation]:
        return await list_organisations(self.session)

    async def code_guichet_taken(self, code: str) -> bool:
        return await code_guichet_taken(self.session, code)

    async def add_compte(self, compte: Compte) -> None:
        return await add_compte(self.session, compte)

    async def save_compte(self, compte: Compte, *, expected_version: int) -> bool:
        return await save_compte(self.session, compte, expected_version=expected_version)

    async def get_compte(self, compte_id: str) -> Compte | None:
        return await get_compte(self.session, compte_id)

    async def find_compte(self, identifiant_or_email: str) -> Compte | None:
        return await find_compte(self.session, identifiant_or_email)

    async def identifiant_taken(self, identifiant: str) -> bool:
        return await identifiant_taken(self.session, identifiant)

    async def list_comptes(
        self, *, organisation_id: str | None = None, statut: str | None = None
    ) -> list[Compte]:
        return await list_comptes(self.session, organisation_id=organisation_id, statut=statut)

    async def inactive_comptes(self, before: datetime) -> list[Compte]:
        return await inactive_comptes(self.session, before)

    async def count_demo_comptes(self) -> int:
        return await count_demo_comptes(self.session)

    async def record_login(
        self, compte_id: str, now: datetime, password_hash: str | None = None
    ) -> None:
        return await record_login(self.session, compte_id, now, password_hash)

    async def journal(
        self,
        *,
        at: datetime,
        auteur_id: str | None,
        compte_id: str,
        operation: str,
        details: dict[str, Any],
    ) -> None:
        return await journal(
            self.session,
            at=at,
            auteur_id=auteur_id,
            compte_id=compte_id,
            operation=operation,
            details=details,
        )

    async def read_journal(self, compte_id: str) -> Sequence[Any]:
        return await read_journal(self.session, compte_id)

    async def current_charte(self) -> Any | None:
        return await current_charte(self.session)

    async def add_charte(self, version: int, texte: str, now: datetime, auteur: str | None) -> None:
        return await add_charte(self.session, version, texte, now, auteur)

    async def add_refresh_token(
        self, *, token: str, compte_id: str, family_id: str, now: datetime, expires_at: datetime
    ) -> None:
        return await add_refresh_token(
            self.session,
            token=token,
            compte_id=compte_id,
            family_id=family_id,
            now=now,
            expires_at=expires_at,
        )

    async def get_refresh_token(self, token: str) -> Any | None:
        return await get_refresh_token(self.session, token)

    async def mark_refresh_used(self, token: str, now: datetime) -> bool:
        return await mark_refresh_used(self.session, token, now)

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        return await revoke_family(self.session, family_id, now)

    async def revoke_all_refresh(self, compte_id: str, now: datetime) -> None:
        return await revoke_all_refresh(self.session, compte_id, now)

    async def add_link(
        self, *, token: str, compte_id: str, purpose: str, expires_at: datetime
    ) -> None:
        return await add_link(
            self.session, token=token, compte_id=compte_id, purpose=purpose, expires_at=expires_at
        )

    async def consume_link(self, token: str, purpose: str, now: datetime) -> str | None:
        return await consume_link(self.session, token, purpose, now)

    async def get_throttle(self, key: str) -> Throttle:
        return await get_throttle(self.session, key)

    async def save_throttle(self, key: str, state: Throttle) -> None:
        return await save_throttle(self.session, key, state)

    async def clear_throttle(self, key: str) -> None:
        return await clear_throttle(self.session, key)

    async def clear_account_throttles(self, compte_id: str) -> None:
        return await clear_account_throttles(self.session, compte_id)

    async def purge_expired(self, now: datetime, before: datetime) -> None:
        return await purge_expired(self.session, now, before)

    async def claim_review_reminder(self, organisation_id: str, mois: str, now: datetime) -> bool:
        return await claim_review_reminder(self.session, organisation_id, mois, now)
