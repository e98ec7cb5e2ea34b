"""Delivery over SMTP with aiosmtplib: settings, MIME message, error classification.

A few connections are kept open and reused; an error tells whether the
message may be retried (server unreachable, 4xx) or never (5xx refusal).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parseaddr
from typing import Literal

import aiosmtplib
from pydantic import BaseModel, Field, SecretStr


class SmtpSettings(BaseModel):
    """The SMTP server and the sender's retry policy, read from TOIT_SMTP_* by
    `NotificationsSettings.smtp` (settings.py).

    Without TOIT_SMTP_HOST, demo mode starts a local SMTP server that keeps the
    messages (GET /api/notifications/dev/boite); other modes keep emails
    waiting until a server is configured."""

    host: str | None = None
    port: int = Field(default=587, ge=0, le=65535)
    # "starttls": upgrade a plain connection (port 587); "tls": implicit TLS (port 465).
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    validate_certs: bool = True
    from_address: str = "Toit <ne-pas-repondre@toit.example.org>"
    timeout: float = Field(default=30.0, gt=0)
    # Parallel connections to the server.
    connections: int = Field(default=4, ge=1, le=64)
    # Retry: first delay, doubled at each failure up to the maximum; abandon after.
    retry_initial: float = Field(default=5.0, gt=0)
    retry_max: float = Field(default=600.0, gt=0)
    abandon_after_hours: float = Field(default=72.0, gt=0)
    # Sender loop: how often it looks for due emails, and how many it claims at once.
    poll_interval: float = Field(default=1.0, gt=0)
    batch_size: int = Field(default=100, ge=1)
    # Demo mode: port of the local SMTP server (0: any free port).
    dev_port: int = Field(default=0, ge=0, le=65535)

    @property
    def from_domain(self) -> str:
        return parseaddr(self.from_address)[1].rpartition("@")[2] or "toit.local"


class EchecTemporaire(Exception):
    """The server could not take the message now: retry later."""


class EchecDefinitif(Exception):
    """The server refused the message for good (5xx)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code


@dataclass(frozen=True)
class PieceJointe:
    nom: str
    contenu: bytes
    type_mime: str = "application/pdf"


def build_message(
    *,
    expediteur: str,
    destinataire: str,
    sujet: str,
    texte: str,
    html: str,
    message_id: str,
    pieces_jointes: tuple[PieceJointe, ...] = (),
) -> Message:
    """multipart/alternative (text, HTML), inside multipart/mixed when a PDF goes with it.

    Built with the compat32 MIME classes: four times faster than EmailMessage, and
    the inputs are already clean (validated address, one-line subject)."""
    corps = MIMEMultipart("alternative")
    corps.attach(MIMEText(texte, "plain", "utf-8"))
    corps.attach(MIMEText(html, "html", "utf-8"))
    message: Message = corps
    if pieces_jointes:
        message = MIMEMultipart("mixed")
        message.attach(corps)
        for piece in pieces_jointes:
            _, _, subtype = piece.type_mime.partition("/")
            part = MIMEApplication(piece.contenu, subtype)
            part.add_header("Content-Disposition", "attachment", filename=piece.nom)
            message.attach(part)
    message["From"] = expediteur
    message["To"] = destinataire
    message["Subject"] = Header(" ".join(sujet.split()), "utf-8").encode()
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Auto-Submitted"] = "auto-generated"
    return message


_QUEUED_AS = re.compile(r"queued as\s+<?([^\s>]+)", re.IGNORECASE)
# An idle connection older than this is checked with NOOP before reuse.
_IDLE_CHECK_SECONDS = 10.0


def server_reference(response: str) -> str:
    """The server's id of the accepted message ("queued as X"), else its whole answer."""
    match = _QUEUED_AS.search(response)
    return (match.group(1) if match else response.strip())[:200]


class Courrielleur:
    """Sends messages over a small pool of reused SMTP connections."""

    def __init__(self, settings: SmtpSettings, host: str, port: int) -> None:
        self.settings = settings
        self.host = host
        self.port = port
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []
        self._slots = asyncio.Semaphore(settings.connections)

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            use_tls=s.security == "tls",
            start_tls=True if s.security == "starttls" else False,
            validate_certs=s.validate_certs,
            timeout=s.timeout,
        )

    async def _acquire(self) -> aiosmtplib.SMTP:
        while self._idle:
            client, since = self._idle.pop()
            if time.monotonic() - since < _IDLE_CHECK_SECONDS:
                return client
            try:
                await client.noop()
                return client
            except (aiosmtplib.SMTPException, OSError):
                client.close()
        client = self._client()
        await client.connect()
        return client

    async def envoyer(self, message: Message) -> str:
        """Hands the message to the server; returns the server's reference for it."""
        async with self._slots:
            client: aiosmtplib.SMTP | None = None
            try:
                client = await self._acquire()
                _refused, response = await client.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                self._release(client)
                codes = [r.code for r in exc.recipients]
                if codes and all(code >= 500 for code in codes):
                    raise EchecDefinitif(codes[0], exc.recipients[0].message) from exc
                raise EchecTemporaire(f"destinataire refusé ({codes})") from exc
            except aiosmtplib.SMTPAuthenticationError as exc:
                # Wrong credentials are a configuration problem, not this message's fault.
                self._discard(client)
                raise EchecTemporaire(f"authentification refusée ({exc.code})") from exc
            except aiosmtplib.SMTPResponseException as exc:
                self._discard(client)
                if exc.code >= 500:
                    raise EchecDefinitif(exc.code, exc.message) from exc
                raise EchecTemporaire(f"réponse {exc.code}") from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                self._discard(client)
                raise EchecTemporaire(type(exc).__name__) from exc
            self._release(client)
            return server_reference(response)

    def _release(self, client: aiosmtplib.SMTP | None) -> None:
        if client is not None and client.is_connected:
            self._idle.append((client, time.monotonic()))

    @staticmethod
    def _discard(client: aiosmtplib.SMTP | None) -> None:
        if client is not None and client.is_connected:
            client.close()

    async def fermer(self) -> None:
        while self._idle:
            client, _ = self._idle.pop()
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
