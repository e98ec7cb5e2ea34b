"""Files of a result: CSV for French spreadsheets (`;`, UTF-8 BOM), XLSX
(xlsxwriter: writes only, streams rows, no dependency), PDF (ReportLab, already
used by notifications: pure Python, `invariant=True` for reproducible bytes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from toit_observatoire.domain.resultats import Resultat

SECRET = "secret"
_STYLES = getSampleStyleSheet()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


def _rows(resultat: Resultat) -> list[list[Any]]:
    """Masked figures of a grouped result read "secret", not blank."""
    keys = sum(1 for c in resultat.colonnes if c.type not in ("nombre", "pourcentage"))
    hidden = set(resultat.lignes_masquees)
    return [
        [SECRET if index in hidden and i >= keys else _cell(v) for i, v in enumerate(line)]
        for index, line in enumerate(resultat.lignes)
    ]


def _french_number(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return value


def csv_bytes(resultat: Resultat) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.libelle for c in resultat.colonnes])
    for row in _rows(resultat):
        writer.writerow([_french_number(v) for v in row])
    if resultat.groupe:
        writer.writerow(["Total", resultat.total])
    for note in resultat.notes:
        writer.writerow([note])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(resultat: Resultat, titre: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(titre[:31].replace("/", "-") or "Liste")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [c.libelle for c in resultat.colonnes], bold)
    for i, row in enumerate(_rows(resultat), start=1):
        sheet.write_row(i, 0, row)
    line = len(resultat.lignes) + 1
    if resultat.groupe:
        sheet.write_row(line, 0, ["Total", resultat.total], bold)
        line += 1
    for note in resultat.notes:
        sheet.write(line, 0, note)
        line += 1
    sheet.set_column(0, max(len(resultat.colonnes) - 1, 0), 22)
    book.close()
    return buffer.getvalue()


def table_flowable(resultat: Resultat) -> LongTable:
    data = [
        [c.libelle for c in resultat.colonnes],
        *[[str(_french_number(v)) for v in row] for row in _rows(resultat)],
    ]
    if resultat.groupe:
        data.append(["Total", str(resultat.total)] + [""] * (len(resultat.colonnes) - 2))
    table = LongTable(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8f0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def pdf_document(titre: str, story: Sequence[Flowable]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=titre,
        author="Toit — observatoire",
        invariant=True,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    doc.build(list(story))
    return buffer.getvalue()


def titre(text: str) -> Paragraph:
    return Paragraph(escape(text), _STYLES["Title"])


def paragraphe(text: str) -> Paragraph:
    return Paragraph(escape(text), _STYLES["BodyText"])


def intertitre(text: str) -> Paragraph:
    return Paragraph(escape(text), _STYLES["Heading3"])


def image_png(png: bytes, largeur_mm: float = 160) -> Image:
    image = Image(io.BytesIO(png))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth = largeur_mm * mm
    image.drawHeight = largeur_mm * mm * ratio
    return image


def pdf_bytes(resultat: Resultat, nom: str) -> bytes:
    story: list[Flowable] = [titre(nom), Spacer(1, 4 * mm), table_flowable(resultat)]
    story += [Spacer(1, 3 * mm), *[paragraphe(n) for n in resultat.notes]]
    return pdf_document(nom, story)
