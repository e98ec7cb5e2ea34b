"""A real SMTP server (aiosmtpd) that keeps what it receives: demo mode, tests, benchmark.

It runs in the caller's event loop; `arreter()` then `demarrer()` on the same
port simulates an outage.
"""

from __future__ import annotations

import asyncio
import email
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class MessageRecu:
    reference: str
    recu_le: datetime
    expediteur: str
    destinataires: list[str]
    contenu: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.contenu, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def resume(self) -> dict[str, Any]:
        """What the demo mailbox shows: headers, plain text, names of the attachments."""
        message = self.message
        body = message.get_body(preferencelist=("plain",))
        return {
            "reference": self.reference,
            "recu_le": self.recu_le.isoformat(),
            "de": self.expediteur,
            "a": self.destinataires,
            "sujet": message["Subject"],
            "message_id": message["Message-ID"],
            "texte": body.get_content() if body is not None else "",
            "pieces_jointes": [
                {
                    "nom": part.get_filename(),
                    "type": part.get_content_type(),
                    "taille": len(part.get_payload(decode=True) or b""),
                }
                for part in message.iter_attachments()
            ],
        }


@dataclass
class _Handler:
    messages: deque[MessageRecu]
    refuses: frozenset[str]

    async def handle_RCPT(
        self,
        _server: SMTP,
        _session: Session,
        envelope: Envelope,
        address: str,
        _options: list[str],
    ) -> str:
        if address.lower() in self.refuses:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        reference = uuid.uuid4().hex[:16].upper()
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append(
            MessageRecu(
                reference=reference,
                recu_le=datetime.now(UTC),
                expediteur=str(envelope.mail_from),
                destinataires=list(envelope.rcpt_tos),
                contenu=content,
            )
        )
        return f"250 2.0.0 Ok: queued as {reference}"


@dataclass
class BoiteDev:
    """Local SMTP server keeping the last `capacite` messages in memory."""

    host: str = "127.0.0.1"
    port: int = 0
    capacite: int = 20_000
    # Addresses refused for good (5xx), to show permanent failures.
    refuses: frozenset[str] = frozenset()
    messages: deque[MessageRecu] = field(init=False)
    _server: asyncio.Server | None = field(default=None, init=False)
    _sessions: list[SMTP] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.messages = deque(maxlen=self.capacite)

    async def demarrer(self) -> None:
        handler = _Handler(self.messages, self.refuses)

        def session() -> SMTP:
            self._sessions = [
                p
                for p in self._sessions
                if p.transport is not None and not p.transport.is_closing()
            ]
            protocol = SMTP(handler, hostname="toit-boite-dev", data_size_limit=25 * 1024 * 1024)
            self._sessions.append(protocol)
            return protocol

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            session, host=self.host, port=self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def arreter(self) -> None:
        if self._server is not None:
            self._server.close()
            # Open connections too: an outage drops the clients' kept-alive sessions.
            for protocol in self._sessions:
                if protocol.transport is not None:
                    protocol.transport.close()
            self._sessions.clear()
            await self._server.wait_closed()
            self._server = None

    @property
    def en_marche(self) -> bool:
        return self._server is not None
