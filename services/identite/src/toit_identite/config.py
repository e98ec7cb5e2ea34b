"""Settings of the identite service: servicekit's, plus its own (TOIT_IDENTITE_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import Settings

DEVELOPMENT_KEY_PASSPHRASE = "toit-development-only-key-passphrase"
DEFAULT_DEMO_PASSWORD = "toit-demo-2026"
# Revocations (jeton.revoque) are kept by the services this long at most.
MAX_ACCESS_TOKEN_SECONDS = 3600


class IdentiteSettings(Settings):
    """servicekit's settings, plus identite's own: each read from TOIT_IDENTITE_<NAME> (its
    validation alias), and given by name in tests."""

    model_config = SettingsConfigDict(env_prefix="TOIT_", extra="ignore", populate_by_name=True)

    # Base URL of the links sent by email (activation, password reset).
    public_url: str = Field(
        default="http://127.0.0.1:8000", validation_alias="TOIT_IDENTITE_PUBLIC_URL"
    )
    access_token_seconds: int = Field(
        default=600,
        ge=30,
        le=MAX_ACCESS_TOKEN_SECONDS,
        validation_alias="TOIT_IDENTITE_ACCESS_TOKEN_SECONDS",
    )
    refresh_token_seconds: int = Field(
        default=8 * 3600, ge=60, validation_alias="TOIT_IDENTITE_REFRESH_TOKEN_SECONDS"
    )
    activation_link_hours: int = Field(
        default=72, ge=1, validation_alias="TOIT_IDENTITE_ACTIVATION_LINK_HOURS"
    )
    reset_link_minutes: int = Field(
        default=60, ge=5, validation_alias="TOIT_IDENTITE_RESET_LINK_MINUTES"
    )
    # Validity of a new professional account when none is given: rights are
    # reviewed at least yearly.
    default_validity_days: int = Field(
        default=365, ge=1, validation_alias="TOIT_IDENTITE_DEFAULT_VALIDITY_DAYS"
    )
    # Throttling (README "Passwords and throttling"): from `account_max_failures` failed
    # logins on one account from one address, that address waits `lockout_seconds`
    # before its next try on that account, then twice as long after each further
    # failure, up to `max_lockout_seconds`. The account alone (every address) takes
    # the same backoff from `account_all_sources_max_failures`, the address alone
    # (password spraying) from `source_max_failures`. Failures are remembered for
    # `failure_window_seconds` from the first one; a successful login or a password
    # reset by email clears the account's counters.
    account_max_failures: int = Field(
        default=5, ge=1, validation_alias="TOIT_IDENTITE_ACCOUNT_MAX_FAILURES"
    )
    account_all_sources_max_failures: int = Field(
        default=50, ge=1, validation_alias="TOIT_IDENTITE_ACCOUNT_ALL_SOURCES_MAX_FAILURES"
    )
    source_max_failures: int = Field(
        default=50, ge=1, validation_alias="TOIT_IDENTITE_SOURCE_MAX_FAILURES"
    )
    failure_window_seconds: int = Field(
        default=86400, ge=1, validation_alias="TOIT_IDENTITE_FAILURE_WINDOW_SECONDS"
    )
    lockout_seconds: int = Field(default=60, ge=1, validation_alias="TOIT_IDENTITE_LOCKOUT_SECONDS")
    max_lockout_seconds: int = Field(
        default=3600, ge=1, validation_alias="TOIT_IDENTITE_MAX_LOCKOUT_SECONDS"
    )
    # Accounts unused for this long are disabled by the daily job (about 6 months).
    inactivity_days: int = Field(
        default=183, ge=1, validation_alias="TOIT_IDENTITE_INACTIVITY_DAYS"
    )
    # Monthly review (the 1st): administrators are told which accounts expire
    # within `review_notice_days` or have not been used for `review_unused_days`.
    review_notice_days: int = Field(
        default=30, ge=1, validation_alias="TOIT_IDENTITE_REVIEW_NOTICE_DAYS"
    )
    review_unused_days: int = Field(
        default=90, ge=1, validation_alias="TOIT_IDENTITE_REVIEW_UNUSED_DAYS"
    )
    # Signing keys: a new key is published `key_publication_seconds` before it
    # signs (so every cache knows it), and the active one is replaced every
    # `key_rotation_days`.
    key_rotation_days: int = Field(
        default=30, ge=1, validation_alias="TOIT_IDENTITE_KEY_ROTATION_DAYS"
    )
    key_publication_seconds: int = Field(
        default=900, ge=0, validation_alias="TOIT_IDENTITE_KEY_PUBLICATION_SECONDS"
    )
    # Private signing keys are stored in the identite database, encrypted
    # (PKCS#8) with this passphrase; production refuses the development value.
    key_passphrase: str = Field(
        default=DEVELOPMENT_KEY_PASSPHRASE, validation_alias="TOIT_IDENTITE_KEY_PASSPHRASE"
    )
    # argon2id cost (defaults of argon2-cffi: RFC 9106 low-memory profile).
    argon2_time_cost: int = Field(
        default=3, ge=1, validation_alias="TOIT_IDENTITE_ARGON2_TIME_COST"
    )
    argon2_memory_kib: int = Field(
        default=65536, ge=8, validation_alias="TOIT_IDENTITE_ARGON2_MEMORY_KIB"
    )
    # Password of the demo accounts (demo mode only): TOIT_DEMO_PASSWORD.
    demo_password: str = Field(default=DEFAULT_DEMO_PASSWORD, validation_alias="TOIT_DEMO_PASSWORD")
