"""Settings of the identite service (environment variables TOIT_IDENTITE_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_KEY_PASSPHRASE = "toit-development-only-key-passphrase"
DEFAULT_DEMO_PASSWORD = "toit-demo-2026"
# Revocations (jeton.revoque) are kept by the services this long at most.
MAX_ACCESS_TOKEN_SECONDS = 3600


class IdentiteSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOIT_IDENTITE_", extra="ignore", populate_by_name=True
    )

    # Base URL of the links sent by email (activation, password reset).
    public_url: str = "http://127.0.0.1:8000"
    access_token_seconds: int = Field(default=600, ge=30, le=MAX_ACCESS_TOKEN_SECONDS)
    refresh_token_seconds: int = Field(default=8 * 3600, ge=60)
    activation_link_hours: int = Field(default=72, ge=1)
    reset_link_minutes: int = Field(default=60, ge=5)
    # Validity of a new professional account when none is given: rights are
    # reviewed at least yearly.
    default_validity_days: int = Field(default=365, ge=1)
    # Throttling (README "Passwords and throttling"): from `account_max_failures` failed
    # logins on one account from one address, that address waits `lockout_seconds`
    # before its next try on that account, then twice as long after each further
    # failure, up to `max_lockout_seconds`. The account alone (every address) takes
    # the same backoff from `account_all_sources_max_failures`, the address alone
    # (password spraying) from `source_max_failures`. Failures are remembered for
    # `failure_window_seconds` from the first one; a successful login or a password
    # reset by email clears the account's counters.
    account_max_failures: int = Field(default=5, ge=1)
    account_all_sources_max_failures: int = Field(default=50, ge=1)
    source_max_failures: int = Field(default=50, ge=1)
    failure_window_seconds: int = Field(default=86400, ge=1)
    lockout_seconds: int = Field(default=60, ge=1)
    max_lockout_seconds: int = Field(default=3600, ge=1)
    # Accounts unused for this long are disabled by the daily job (about 6 months).
    inactivity_days: int = Field(default=183, ge=1)
    # Monthly review (the 1st): administrators are told which accounts expire
    # within `review_notice_days` or have not been used for `review_unused_days`.
    review_notice_days: int = Field(default=30, ge=1)
    review_unused_days: int = Field(default=90, ge=1)
    # Signing keys: a new key is published `key_publication_seconds` before it
    # signs (so every cache knows it), and the active one is replaced every
    # `key_rotation_days`.
    key_rotation_days: int = Field(default=30, ge=1)
    key_publication_seconds: int = Field(default=900, ge=0)
    # Private signing keys are stored in the identite database, encrypted
    # (PKCS#8) with this passphrase; production refuses the development value.
    key_passphrase: str = DEVELOPMENT_KEY_PASSPHRASE
    # argon2id cost (defaults of argon2-cffi: RFC 9106 low-memory profile).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    # Password of the demo accounts (demo mode only): TOIT_DEMO_PASSWORD.
    demo_password: str = Field(default=DEFAULT_DEMO_PASSWORD, validation_alias="TOIT_DEMO_PASSWORD")
