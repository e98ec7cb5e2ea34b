"""structlog JSON logging with trace and event ids, and no personal data.

Values of keys that can hold personal data are replaced before rendering,
whatever the caller passed; URLs are logged without their query string.
Tracebacks keep their frames and exception types but not the exceptions'
messages: a driver's message may quote the values of a statement (a name, an
email); SQLAlchemy's are already without parameters (`hide_parameters`).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator, MutableMapping
from typing import Any

import structlog

PERSONAL_KEYS = frozenset(
    {
        "nom",
        "nom_naissance",
        "nom_usage",
        "prenom",
        "prenoms",
        "email",
        "courriel",
        "nir",
        "adresse",
        "telephone",
        "date_naissance",
        "revenu",
        "revenus",
        "ressources",
        "montant",
        "revenu_fiscal_reference",
        "password",
        "mot_de_passe",
        "token",
        "access_token",
        "refresh_token",
        "authorization",
        "identifiant",
        "username",
        "contact",
        "demandeur",
        "codemandeur",
        "codemandeurs",
        "colocataires",
        "occupants",
        "snapshot",
    }
)
REDACTED = "[redacted]"


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key.lower() in PERSONAL_KEYS:
            event_dict[key] = REDACTED
    return event_dict


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts (and a DBAPI error's `orig`), once each."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__, getattr(current, "orig", None)]


def traceback_without_messages(exc: BaseException) -> str:
    """Frames and exception types (with a SQLSTATE when there is one), no messages."""
    lines: list[str] = []
    for e in reversed(list(exception_chain(exc))):
        lines += traceback.format_tb(e.__traceback__)
        described = f"{type(e).__module__}.{type(e).__qualname__}"
        code = getattr(e, "sqlstate", None)
        if isinstance(code, str):
            described += f" [SQLSTATE {code}]"
        lines.append(described + "\n")
    return "".join(lines)


def format_exc_info_without_messages(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog's `format_exc_info`, with `traceback_without_messages`."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    if isinstance(exc, BaseException):
        event_dict["exception"] = traceback_without_messages(exc)
    return event_dict


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_personal_data,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            *shared,
            format_exc_info_without_messages,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                format_exc_info_without_messages,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Access logs would carry query strings (names, birth dates): we log requests ourselves.
    logging.getLogger("uvicorn.access").disabled = True
    # aiosmtpd ("mail.log") logs each SMTP command at INFO, addresses included; httpx logs
    # each request's URL, query string included (abonnements: one line per webhook POST).
    for noisy in ("aio_pika", "aiormq", "sqlalchemy.engine", "alembic", "mail.log", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
