"""The attestation d'enregistrement of a demande as a PDF (ReportLab, as notifications,
matching and observatoire use it; `invariant=True`: the bytes depend only on the
content). The numéro unique, the dates and the pièces come from the portail's read
model; the demandeur's name from demandes (the portail keeps no names)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("corps", parent=_STYLES["BodyText"], fontSize=10, leading=14)
_TITLE = ParagraphStyle("titre", parent=_STYLES["Title"], fontSize=15, leading=19)


@dataclass(frozen=True)
class Attestation:
    numero_unique: str
    departement: str
    demandeur: str
    date_depot: date | None
    date_enregistrement: date | None
    date_expiration: date | None
    pieces: list[str]
    editee_le: date


def _d(valeur: date | None) -> str:
    return valeur.strftime("%d/%m/%Y") if valeur else "—"


def pdf(a: Attestation) -> bytes:
    tampon = io.BytesIO()
    document = SimpleDocTemplate(
        tampon,
        pagesize=A4,
        title=f"Attestation d'enregistrement {a.numero_unique}",
        author="Toit",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        invariant=True,
    )
    lignes = [
        Paragraph("Attestation d'enregistrement de la demande de logement social", _TITLE),
        Spacer(1, 6 * mm),
        Paragraph(f"Département : {escape(a.departement)}", _BODY),
        Paragraph(f"Demandeur : {escape(a.demandeur)}", _BODY),
        Paragraph(f"Numéro unique : <b>{escape(a.numero_unique)}</b>", _BODY),
        Paragraph(f"Date de dépôt : {_d(a.date_depot)}", _BODY),
        Paragraph(f"Date d'enregistrement : {_d(a.date_enregistrement)}", _BODY),
        Paragraph(f"Demande valable jusqu'au : {_d(a.date_expiration)}", _BODY),
        Spacer(1, 4 * mm),
        Paragraph(
            "Pièces au dossier : "
            + (escape(", ".join(a.pieces)) if a.pieces else "aucune pour l'instant"),
            _BODY,
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            "Le numéro unique garantit l'ancienneté de la demande à compter de la date de "
            "dépôt. La demande doit être renouvelée chaque année avant sa date de validité "
            "(articles L441-2-1 et R441-2-7 du code de la construction et de l'habitation).",
            _BODY,
        ),
        Spacer(1, 4 * mm),
        Paragraph(f"Éditée en ligne le {_d(a.editee_le)}.", _BODY),
    ]
    document.build(lignes)
    return tampon.getvalue()
