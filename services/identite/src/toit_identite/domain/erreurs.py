"""Refusals of logging in, answered in the OAuth2 format by the HTTP entrypoint."""

from __future__ import annotations

from servicekit.exceptions import RefusMetier


class GrantRefuse(RefusMetier):
    """OAuth2 invalid_grant (400): wrong credentials, revoked or expired token..."""


class Verrouille(RefusMetier):
    """Too many failures: locked for `retry_after` seconds (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("verrouillé")
        self.retry_after = retry_after
