"""What the use cases of identite need besides the unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from servicekit.uow import UnitOfWork
from toit_identite.adapters import keys
from toit_identite.adapters.hashing import Hasher
from toit_identite.adapters.repository import IdentiteRepository
from toit_identite.config import IdentiteSettings
from toit_identite.domain.throttling import ThrottlePolicy

ACTIVATION = "activation"
REINITIALISATION = "reinitialisation"


# --- Context ---------------------------------------------------------------------------------


@dataclass
class Identite:
    """What the use cases need besides the unit of work."""

    settings: IdentiteSettings
    mode: str
    issuer: str
    audience: str
    hasher: Hasher
    loaded_keys: dict[str, keys.SigningKey] = field(default_factory=dict)

    def _policy(self, max_failures: int) -> ThrottlePolicy:
        s = self.settings
        return ThrottlePolicy(
            max_failures,
            timedelta(seconds=s.failure_window_seconds),
            timedelta(seconds=s.lockout_seconds),
            timedelta(seconds=max(s.lockout_seconds, s.max_lockout_seconds)),
        )

    @property
    def pair_policy(self) -> ThrottlePolicy:
        """One address on one account."""
        return self._policy(self.settings.account_max_failures)

    @property
    def account_policy(self) -> ThrottlePolicy:
        """One account, whatever the address."""
        return self._policy(self.settings.account_all_sources_max_failures)

    @property
    def source_policy(self) -> ThrottlePolicy:
        """One address, whatever the account."""
        return self._policy(self.settings.source_max_failures)

    @property
    def retired_key_grace(self) -> timedelta:
        return timedelta(seconds=self.settings.access_token_seconds + 120)

    def link(self, path: str, token: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}{path}?jeton={token}"


def maintenant_utc() -> datetime:
    return datetime.now(UTC)


def depot(uow: UnitOfWork) -> IdentiteRepository:
    """The storage of identite, on this unit of work."""
    return uow.repository(IdentiteRepository)
