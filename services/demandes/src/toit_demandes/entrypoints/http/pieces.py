"""Pièces justificatives: catalogue, deposit, list, traced download, decision."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Request,
    Response,
    UploadFile,
)

import toit_demandes.service_layer as uc
from servicekit.audit import (
    record_consultation,
)
from servicekit.auth import Principal, require
from servicekit.http import runtime_of
from servicekit.input_guard import display_filename
from toit_demandes.adapters.referentiel import referentiel
from toit_demandes.entrypoints import schemas as s
from toit_demandes.entrypoints.http.commun import (
    REPONSES,
    TAILLE_MAX_PIECE,
    Uow,
    acces,
    contexte,
    stockage,
    voit_handicap,
)

router = APIRouter(prefix="/api/demandes", tags=["demandes"])


@router.get(
    "/catalogue-pieces",
    response_model=list[s.TypePieceOut],
    summary="Catalogue des pièces justificatives",
)
async def catalogue_pieces(
    principal: Principal = Depends(require("piece.lire")),
) -> list[s.TypePieceOut]:
    return [
        s.TypePieceOut(
            code=t.code,
            libelle=t.libelle,
            phase=t.phase,
            par_personne=t.par_personne,
            identite=t.identite,
        )
        for t in referentiel.types_pieces()
    ]


@router.post(
    "/{demande_id}/pieces",
    status_code=201,
    response_model=s.PieceOut,
    responses=REPONSES,
    summary="Déposer une pièce justificative (PDF, JPEG, PNG)",
)
async def deposer_piece(
    demande_id: UUID,
    request: Request,
    uow: Uow,
    type: Annotated[
        str, Form(min_length=1, max_length=64, description="Code du catalogue des pièces")
    ],
    fichier: Annotated[UploadFile, File(description="PDF, JPEG ou PNG")],
    personne: Annotated[
        str | None,
        Form(
            max_length=20,
            description=(
                "« demandeur », « codemandeurs[i] », « colocataires[i] », « occupants[i] » ; "
                "absent : tout le ménage"
            ),
        ),
    ] = None,
    principal: Principal = Depends(require("piece.deposer")),
) -> s.PieceOut:
    contenu = await fichier.read(TAILLE_MAX_PIECE + 1)
    ligne = await uc.pieces.deposer_piece(
        uow,
        stockage(runtime_of(request)),
        demande_id,
        type,
        personne or None,
        # The name a client gives is a display label only (NFC, no control or bidi
        # character, bounded); the file is stored under a key of ours.
        uc.pieces.Fichier(display_filename(fichier.filename), contenu),
        TAILLE_MAX_PIECE,
        contexte(principal),
        acces(principal, "piece.deposer"),
    )
    return s.PieceOut(**ligne, motif_refus=None)


@router.get(
    "/{demande_id}/pieces",
    response_model=list[s.PieceOut],
    responses=REPONSES,
    summary="Pièces de la demande",
)
async def pieces(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("piece.lire")),
) -> list[s.PieceOut]:
    lignes = await uc.pieces.lister_pieces(
        uow, demande_id, acces(principal, "piece.lire"), lambda d: voit_handicap(principal, d)
    )
    return [
        s.PieceOut(**{k: v for k, v in ligne.items() if k in s.PieceOut.model_fields})
        for ligne in lignes
    ]


@router.get(
    "/{demande_id}/pieces/{piece_id}/fichier",
    responses=REPONSES,
    response_class=Response,
    summary="Télécharger une pièce (téléchargement tracé)",
)
async def telecharger_piece(
    demande_id: UUID,
    piece_id: UUID,
    request: Request,
    uow: Uow,
    principal: Principal = Depends(require("piece.lire")),
) -> Response:
    ligne = await uc.pieces.piece(
        uow,
        demande_id,
        piece_id,
        acces(principal, "piece.lire"),
        lambda d: voit_handicap(principal, d),
    )
    contenu = await stockage(runtime_of(request)).lire(ligne["cle_stockage"], ligne["sha256"])
    await record_consultation(
        uow.session, principal, "piece", str(piece_id), f"téléchargement ({ligne['type']})"
    )
    await uow.commit()
    return Response(
        content=contenu,
        media_type=ligne["media_type"],
        headers={
            "Content-Disposition": f'attachment; filename="{piece_id}"',
            "X-Content-Type-Options": "nosniff",
            "Digest": f"sha-256={ligne['sha256']}",
        },
    )


@router.post(
    "/{demande_id}/pieces/{piece_id}/decision",
    response_model=s.PieceOut,
    responses=REPONSES,
    summary="Valider ou refuser une pièce",
)
async def statuer_piece(
    demande_id: UUID,
    piece_id: UUID,
    corps: s.DecisionPiece,
    uow: Uow,
    principal: Principal = Depends(require("piece.valider")),
) -> s.PieceOut:
    ligne = await uc.pieces.statuer_piece(
        uow,
        demande_id,
        piece_id,
        corps.statut,
        corps.motif,
        contexte(principal),
        acces(principal, "piece.valider"),
    )
    return s.PieceOut(**{k: v for k, v in ligne.items() if k in s.PieceOut.model_fields})
