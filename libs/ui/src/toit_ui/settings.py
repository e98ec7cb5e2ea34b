"""Settings of a web front end built on toit_ui (environment variables TOIT_UI_*)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "toit-ui-development-secret-not-for-production"


class UISettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOIT_UI_", extra="ignore", populate_by_name=True)

    mode: Literal["demo", "production", "test"] = Field(
        default="demo", validation_alias="TOIT_MODE"
    )
    secret: str = Field(
        default=DEVELOPMENT_SECRET,
        min_length=16,
        description="Key material of the session cookie (encrypted and signed with it)",
    )
    previous_secrets: list[str] = Field(
        default_factory=list, description="Older secrets still accepted (key rotation)"
    )
    secure_cookies: bool | None = Field(
        default=None, description="Secure flag on cookies; default: on in production only"
    )
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=10, ge=1, le=72)
    theme: Literal["toit", "dsfr"] = "toit"
    gateway_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the gateway whose public API the pages call",
    )
    api_timeout: float = 10.0

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.mode == "production"

    def check_production(self) -> None:
        """Refuse to run a production instance with the development secret."""
        if self.mode == "production" and self.secret == DEVELOPMENT_SECRET:
            raise RuntimeError(
                "TOIT_UI_SECRET must be set in production (the development secret is public)"
            )
