"""Pièces justificatives: accepted formats, read from the content, never from the file name."""

from __future__ import annotations

from enum import StrEnum

FORMATS: dict[bytes, str] = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class StatutPiece(StrEnum):
    DEPOSEE = "DEPOSEE"
    VALIDEE = "VALIDEE"
    REFUSEE = "REFUSEE"


def type_de_contenu(contenu: bytes) -> str | None:
    """The media type from the file's first bytes (PDF, JPEG or PNG), None otherwise."""
    for signature, media_type in FORMATS.items():
        if contenu.startswith(signature):
            return media_type
    return None
