"""Refusals of logging in, answered by servicekit in the OAuth2 format (the `error` and
`error_description` fields beside `detail`)."""

from __future__ import annotations

from typing import Any

from servicekit.exceptions import RefusMetier, TropDeTentatives


class GrantRefuse(RefusMetier):
    """OAuth2 invalid_grant (400): wrong credentials, revoked or expired token..."""

    def complements(self) -> dict[str, Any]:
        return {"error": "invalid_grant", "error_description": str(self)}


class Verrouille(TropDeTentatives):
    """Too many failures: locked for `retry_after` seconds (429)."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            "Trop de tentatives de connexion : connexion bloquée temporairement, "
            f"réessayez dans {minutes} minute(s)",
            retry_after,
        )

    def complements(self) -> dict[str, Any]:
        return {"error": "temporarily_unavailable", "error_description": self.message}
