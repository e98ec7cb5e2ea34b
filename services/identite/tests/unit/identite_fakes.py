"""In-memory storage of identite, for the unit tests of its use cases (the methods of
`adapters.repository.IdentiteRepository` that organisations, comptes, demandeurs and charte
call; logging in and keys stay covered by the integration tests)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from toit_identite.adapters.repository import IdentiteRepository
from toit_identite.config import IdentiteSettings
from toit_identite.domain.model import Compte, Organisation
from toit_identite.service_layer.contexte import Identite

from servicekit.testing_fakes import FakeUnitOfWork, InMemoryStore


class InMemoryIdentite:
    def __init__(self) -> None:
        self.organisations: InMemoryStore[str, Organisation] = InMemoryStore()
        self.comptes: InMemoryStore[str, Compte] = InMemoryStore()
        self.journal_lignes: list[dict[str, Any]] = []
        self.chartes: list[dict[str, Any]] = []
        self.liens: dict[str, dict[str, Any]] = {}
        self.sessions_revoquees: list[str] = []

    async def add_organisation(self, organisation: Organisation, now: datetime) -> None:
        self.organisations.add(organisation.id, copy.deepcopy(organisation))

    async def get_organisation(self, organisation_id: str) -> Organisation | None:
        return copy.deepcopy(self.organisations.get(organisation_id))

    async def update_organisation(self, organisation: Organisation) -> None:
        self.organisations.put(organisation.id, copy.deepcopy(organisation))

    async def list_organisations(self) -> list[Organisation]:
        return [copy.deepcopy(o) for o in self.organisations]

    async def code_guichet_taken(self, code: str) -> bool:
        return any(o.code_guichet == code for o in self.organisations)

    async def add_compte(self, compte: Compte) -> None:
        self.comptes.add(compte.id, copy.deepcopy(compte))

    async def save_compte(self, compte: Compte, *, expected_version: int) -> bool:
        stocke = self.comptes.get(compte.id)
        if stocke is None or stocke.version != expected_version:
            return False
        self.comptes.put(compte.id, copy.deepcopy(compte))
        return True

    async def get_compte(self, compte_id: str) -> Compte | None:
        return copy.deepcopy(self.comptes.get(compte_id))

    async def find_compte(self, identifiant_or_email: str) -> Compte | None:
        key = identifiant_or_email.strip().lower()
        for c in self.comptes:
            if c.identifiant == key:
                return copy.deepcopy(c)
        par_email = [c for c in self.comptes if c.email.lower() == key]
        return copy.deepcopy(par_email[0]) if len(par_email) == 1 else None

    async def identifiant_taken(self, identifiant: str) -> bool:
        return any(c.identifiant == identifiant.lower() for c in self.comptes)

    async def list_comptes(
        self, *, organisation_id: str | None = None, statut: str | None = None
    ) -> list[Compte]:
        return [
            copy.deepcopy(c)
            for c in self.comptes
            if (organisation_id is None or c.organisation_id == organisation_id)
            and (statut is None or c.statut.value == statut)
        ]

    async def journal(
        self, *, at: datetime, auteur_id: str | None, compte_id: str, operation: str,
        details: dict[str, Any],
    ) -> None:  # fmt: skip
        self.journal_lignes.append(
            {"at": at, "auteur_id": auteur_id, "compte_id": compte_id, "operation": operation,
             "details": details}
        )  # fmt: skip

    async def read_journal(self, compte_id: str) -> Sequence[Any]:
        return [j for j in self.journal_lignes if j["compte_id"] == compte_id]

    async def current_charte(self) -> Any | None:
        return max(self.chartes, key=lambda c: c["version"]) if self.chartes else None

    async def add_charte(self, version: int, texte: str, now: datetime, auteur: str | None) -> None:
        self.chartes.append({"version": version, "texte": texte, "publiee_le": now})

    async def revoke_all_refresh(self, compte_id: str, now: datetime) -> None:
        self.sessions_revoquees.append(compte_id)

    async def add_link(
        self, *, token: str, compte_id: str, purpose: str, expires_at: datetime
    ) -> None:
        for jeton, lien in list(self.liens.items()):
            if lien["compte_id"] == compte_id and lien["purpose"] == purpose:
                del self.liens[jeton]
        self.liens[token] = {"compte_id": compte_id, "purpose": purpose, "expires_at": expires_at}

    async def consume_link(self, token: str, purpose: str, now: datetime) -> str | None:
        lien = self.liens.get(token)
        if lien is None or lien["purpose"] != purpose or lien["expires_at"] <= now:
            return None
        del self.liens[token]
        return str(lien["compte_id"])

    async def clear_throttle(self, key: str) -> None:
        return None


class FastHasher:
    """No argon2 in unit tests: the use cases only need hash/verify to agree."""

    def hash(self, password: str) -> str:
        return f"clair:{password}"

    def verify(self, password_hash: str | None, password: str) -> bool:
        return password_hash == f"clair:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False


def fake_uow() -> tuple[FakeUnitOfWork, InMemoryIdentite]:
    depot = InMemoryIdentite()
    return FakeUnitOfWork({IdentiteRepository: depot}), depot


def identite() -> Identite:
    return Identite(
        settings=IdentiteSettings(),
        mode="demo",
        issuer="toit",
        audience="toit",
        hasher=FastHasher(),  # type: ignore[arg-type]
    )
