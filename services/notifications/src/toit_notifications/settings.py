"""Settings of the notifications service: servicekit's, plus its own (prefix TOIT_SMTP_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from servicekit.settings import Settings
from toit_notifications.adapters.smtp import SmtpSettings


class NotificationsSettings(Settings):
    # The SMTP server and the sender's retry policy (adapters/smtp.py, SmtpSettings).

    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=0, le=65535)
    # "starttls": upgrade a plain connection (port 587); "tls": implicit TLS (port 465).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_validate_certs: bool = True
    smtp_from_address: str = "Toit <ne-pas-repondre@toit.example.org>"
    smtp_timeout: float = Field(default=30.0, gt=0)
    # Parallel connections to the server.
    smtp_connections: int = Field(default=4, ge=1, le=64)
    # Retry: first delay, doubled at each failure up to the maximum; abandon after.
    smtp_retry_initial: float = Field(default=5.0, gt=0)
    smtp_retry_max: float = Field(default=600.0, gt=0)
    smtp_abandon_after_hours: float = Field(default=72.0, gt=0)
    # Sender loop: how often it looks for due emails, and how many it claims at once.
    smtp_poll_interval: float = Field(default=1.0, gt=0)
    smtp_batch_size: int = Field(default=100, ge=1)
    # Demo mode: port of the local SMTP server (0: any free port).
    smtp_dev_port: int = Field(default=0, ge=0, le=65535)

    def smtp(self) -> SmtpSettings:
        prefixe = "smtp_"
        return SmtpSettings(
            **{
                nom.removeprefix(prefixe): getattr(self, nom)
                for nom in type(self).model_fields
                if nom.startswith(prefixe)
            }
        )
