"""The minutes (procès-verbal) of a CALEOL session as a PDF (ReportLab, as the
notifications and observatoire services use it; `invariant=True`: the bytes depend only on
the content)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from toit_matching.domain.decisions import LIBELLES_SENS, Sens
from toit_matching.domain.vote import LIBELLES_CHOIX, Choix

_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("corps", parent=_STYLES["BodyText"], fontSize=9, leading=12)
_TITLE = ParagraphStyle("titre", parent=_STYLES["Title"], fontSize=14, leading=18)
_HEADING = ParagraphStyle("section", parent=_STYLES["Heading3"], fontSize=11, spaceBefore=8)
STATUTS = {
    "DECIDE": "décidé",
    "REPORTE": "reporté en séance physique",
    "INSCRIT": "inscrit",
    "VOTE_OUVERT": "vote en cours",
    "VOTE_CLOS": "vote clos",
}


@dataclass(frozen=True)
class DossierPv:
    ordre: int
    logement: str
    statut: str
    candidats: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    resultat: dict[str, Any] | None


def _p(texte: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(texte), style)


def _table(lignes: list[list[str]]) -> Table:
    table = Table([[_p(c) for c in ligne] for ligne in lignes], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def proces_verbal_pdf(
    *,
    commission: str,
    reference: str,
    date_seance: datetime,
    mode: str,
    membres: list[tuple[str, str, str, bool]],
    dossiers: list[DossierPv],
    signe_par: str | None,
    signe_le: datetime | None,
) -> bytes:
    forme = "CALEOL numérique (vote à distance)" if mode == "NUMERIQUE" else "séance physique"
    story: list[Flowable] = [
        _p(f"Procès-verbal — {commission}", _TITLE),
        _p(f"Séance {reference} du {date_seance:%d/%m/%Y}, {forme}."),
        _p(
            "Décisions prises en application de l'article R441-3 du code de la construction "
            "et de l'habitation."
        ),
        _p("Composition", _HEADING),
        _table(
            [["Membre", "Qualité", "Voix"]]
            + [
                [nom + (" (président)" if president else ""), qualite.lower(), voix.lower()]
                for nom, qualite, voix, president in membres
            ]
        ),
    ]
    for d in dossiers:
        story += [
            _p(f"Dossier {d.ordre} : {d.logement}", _HEADING),
            _p(f"État : {STATUTS.get(d.statut, d.statut)}."),
        ]
        numeros = {str(c["demande_id"]): c.get("numero_unique") or "" for c in d.candidats}
        if d.resultat:
            r = d.resultat
            story.append(
                _p(
                    f"Vote à distance : {r['votants_deliberatifs']} votants à voix délibérative "
                    f"sur {r['deliberatifs']} (quorum {r['quorum_requis']}, règle de "
                    f"configuration). Résultat : {LIBELLES_CHOIX[Choix(r['choix'])]} — "
                    f"{r['explication']}."
                )
            )
            story.append(
                _table(
                    [["Membre", "Voix", "Vote", "Modifié"]]
                    + [
                        [
                            v["nom"],
                            v["voix"].lower(),
                            LIBELLES_CHOIX[Choix(v["choix"])],
                            f"{v['modifications']} fois",
                        ]
                        for v in r["votes"]
                    ]
                )
            )
            story.append(Spacer(1, 3 * mm))
        if d.decisions:
            story.append(
                _table(
                    [["Candidat", "Décision", "Rang", "Motifs, fondement, condition"]]
                    + [
                        [
                            numeros.get(x["demande_id"]) or x["demande_id"],
                            LIBELLES_SENS[Sens(x["sens"])],
                            "" if x["rang"] is None else str(x["rang"]),
                            " ; ".join(
                                t
                                for t in (
                                    x.get("motifs"),
                                    x.get("fondement"),
                                    (
                                        f"pièce : {x['piece']} avant le {x['date_limite_piece']}"
                                        if x.get("piece")
                                        else None
                                    ),
                                )
                                if t
                            ),
                        ]
                        for x in d.decisions
                    ]
                )
            )
    story += [Spacer(1, 8 * mm)]
    if signe_par and signe_le:
        story.append(_p(f"Signé par le président, {signe_par}, le {signe_le:%d/%m/%Y à %H:%M}."))
    else:
        story.append(_p("Projet : procès-verbal non encore signé par le président."))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Procès-verbal {reference}",
        author="Toit",
        invariant=True,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    ).build(story)
    return buffer.getvalue()
