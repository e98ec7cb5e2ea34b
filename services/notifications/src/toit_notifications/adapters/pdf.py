"""PDF documents with ReportLab: the attestation d'enregistrement and printed letters.

ReportLab is a pure-Python wheel: no browser, no system library, runs headless
anywhere the service runs. `invariant=True` makes the bytes depend only on the
content (no creation timestamp, no random id).
"""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from toit_notifications.adapters.gabarits import TEMPLATES_DIR
from toit_notifications.domain.model import Destinataire, DonneesAttestation, date_fr

_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("corps", parent=_STYLES["BodyText"], fontSize=10, leading=13)
_SMALL = ParagraphStyle("petit", parent=_BODY, fontSize=8, leading=10)
_TITLE = ParagraphStyle("titre", parent=_STYLES["Title"], fontSize=15, leading=19)
_HEADING = ParagraphStyle("section", parent=_STYLES["Heading3"], fontSize=11, spaceBefore=8)
_ADDRESS = ParagraphStyle("adresse", parent=_BODY, leftIndent=95 * mm)
PROTECTION_DONNEES = (TEMPLATES_DIR / "_protection_donnees.txt").read_text(encoding="utf-8").strip()


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _address_block(destinataire: Destinataire) -> list[Flowable]:
    if destinataire.adresse is None:
        return []
    lines = "<br/>".join(escape(line) for line in destinataire.adresse.lignes)
    return [Spacer(1, 15 * mm), Paragraph(lines, _ADDRESS), Spacer(1, 15 * mm)]


def _render(story: list[Flowable], title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Toit",
        invariant=True,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def attestation_pdf(data: DonneesAttestation, edition: date) -> bytes:
    """Attestation d'enregistrement or de renouvellement (R441-2-4 CCH), with its annex."""
    kind = "renouvellement" if data.renouvellement else "enregistrement"
    title = f"Attestation d'{kind} de demande de logement social"
    rows = [
        ["Numéro unique", data.numero_unique],
        ["Département", data.departement],
        ["Date du dépôt initial", date_fr(data.date_depot_initial)],
    ]
    if data.date_enregistrement:
        rows.append(["Date d'enregistrement", date_fr(data.date_enregistrement)])
    if data.date_dernier_renouvellement:
        rows.append(["Date du dernier renouvellement", date_fr(data.date_dernier_renouvellement)])
    if data.date_expiration:
        rows.append(["Demande valable jusqu'au", date_fr(data.date_expiration)])
    rows.append(["Service enregistreur", data.guichet or "non renseigné"])
    table = Table(rows, colWidths=[65 * mm, 100 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                ("FONT", (1, 0), (1, -1), "Helvetica", 10),
                ("GRID", (0, 0), (-1, -1), 0.5, "#999999"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )

    if data.delai_provisoire and data.date_saisine_dalo is not None:
        # A placeholder of the referentiel is never printed as the préfet's figure.
        dalo = (
            f"Délai indicatif : arrêté préfectoral à confirmer. Le délai anormalement long du "
            f"département {data.departement} est fixé par arrêté préfectoral ; à titre "
            f"indicatif, {data.delai_anormalement_long_mois} mois, soit à partir du "
            f"{date_fr(data.date_saisine_dalo)}. Le guichet enregistreur vous confirme le "
            f"délai en vigueur. Passé ce délai sans proposition adaptée à vos besoins, vous "
            f"pourrez saisir la commission de médiation au titre du droit au logement "
            f"opposable (DALO)."
        )
    elif data.delai_anormalement_long_mois is not None and data.date_saisine_dalo is not None:
        dalo = (
            f"Le délai anormalement long fixé par le préfet dans le département "
            f"{data.departement} est de {data.delai_anormalement_long_mois} mois. Si vous n'avez "
            f"reçu aucune proposition adaptée à vos besoins à partir du "
            f"{date_fr(data.date_saisine_dalo)}, vous pourrez saisir la commission de médiation "
            f"au titre du droit au logement opposable (DALO)."
        )
    else:
        dalo = (
            f"Le délai anormalement long du département {data.departement} est fixé par arrêté "
            f"préfectoral ; le guichet enregistreur vous l'indique. Passé ce délai sans "
            f"proposition adaptée, vous pourrez saisir la commission de médiation (DALO)."
        )

    story: list[Flowable] = [
        *_address_block(data.destinataire),
        _p(f"Édité le {date_fr(edition)}", _SMALL),
        Paragraph(escape(title), _TITLE),
        _p(f"Demandeur : {data.destinataire.nom_complet}")
        if data.destinataire.nom_complet
        else Spacer(1, 1),
        Spacer(1, 4 * mm),
        table,
        Paragraph("Délai anormalement long et droit au logement opposable", _HEADING),
        _p(dalo),
        Paragraph("Vos obligations", _HEADING),
        _p(
            "Signalez tout changement de votre situation (composition familiale, ressources, "
            "adresse, coordonnées) auprès d'un guichet enregistreur ou en ligne."
        ),
        _p(
            "Votre demande est valable un an. Renouvelez-la chaque année avant sa date "
            "d'expiration : un préavis vous sera adressé au moins un mois avant. Sans "
            "renouvellement, elle sera radiée. Le renouvellement conserve votre numéro unique "
            "et votre ancienneté."
        ),
        Paragraph("Protection de vos données", _HEADING),
        _p(PROTECTION_DONNEES, _SMALL),
    ]
    if data.pieces:
        items = [
            ListItem(_p(piece.libelle + ("" if piece.obligatoire else " (si elle vous concerne)")))
            for piece in data.pieces
        ]
        story += [
            PageBreak(),
            Paragraph("Annexe : pièces justificatives demandées lors de l'instruction", _HEADING),
            _p(
                "Aucune autre pièce ne peut être exigée pour l'instruction de votre demande "
                "(arrêté du 22 décembre 2020). Préparez-les dès maintenant."
            ),
            KeepTogether(ListFlowable(items, bulletType="bullet", leftIndent=10)),
        ]
    return _render(story, title)


def courrier_pdf(destinataire: Destinataire, objet: str, texte: str, edition: date) -> bytes:
    """A printed letter: address block for a window envelope, subject and plain-text body."""
    paragraphs = [block.strip() for block in texte.split("\n\n") if block.strip()]
    story: list[Flowable] = [
        *_address_block(destinataire),
        _p(f"Le {date_fr(edition)}"),
        Spacer(1, 6 * mm),
        Paragraph(f"<b>Objet : {escape(objet)}</b>", _BODY),
        Spacer(1, 4 * mm),
    ]
    for block in paragraphs:
        story.append(Paragraph(escape(block).replace("\n", "<br/>"), _BODY))
        story.append(Spacer(1, 2 * mm))
    return _render(story, objet)


__all__ = ["PROTECTION_DONNEES", "attestation_pdf", "courrier_pdf"]
