import json
import logging

import structlog

from servicekit.logging import REDACTED, configure_logging, redact_personal_data


def test_personal_keys_are_redacted() -> None:
    event = redact_personal_data(
        None, "info", {"event": "x", "nom": "DURAND", "email": "a@b.fr", "statut": "ACTIVE"}
    )
    assert event == {"event": "x", "nom": REDACTED, "email": REDACTED, "statut": "ACTIVE"}


def test_json_lines_carry_context_and_never_personal_data(capsys: object) -> None:
    configure_logging("INFO", json=True)
    structlog.contextvars.bind_contextvars(trace_id="abc", event_id="e1")
    try:
        structlog.get_logger("t").info("demande.lue", nir="1850244109001", demande_id="d1")
    finally:
        structlog.contextvars.clear_contextvars()
        logging.getLogger().handlers.clear()
    line = capsys.readouterr().out.strip().splitlines()[-1]  # type: ignore[attr-defined]
    record = json.loads(line)
    assert record["trace_id"] == "abc" and record["event_id"] == "e1"
    assert record["nir"] == REDACTED and "1850244109001" not in line


def test_httpx_request_lines_are_not_logged(capsys: object) -> None:
    """httpx logs every request's URL at INFO, query string included: names or birth dates
    in a query would reach the logs, and abonnements would log one line per webhook."""
    configure_logging("INFO", json=True)
    try:
        logging.getLogger("httpx").info("HTTP Request: GET https://x.test/?nom=DURAND")
        logging.getLogger("httpx").warning("httpx warning")
    finally:
        logging.getLogger().handlers.clear()
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "DURAND" not in out and "httpx warning" in out
