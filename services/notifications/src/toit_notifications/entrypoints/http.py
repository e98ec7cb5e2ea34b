"""HTTP routes under /api/notifications: the record per demande, the guichets' courriers,
and the demo mailbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from servicekit.audit import record_consultation
from servicekit.auth import Principal, authorize, require
from servicekit.horodatage import en_utc
from servicekit.http import runtime_of, unit_of_work
from servicekit.uow import UnitOfWork
from toit_notifications.adapters import repository
from toit_notifications.bootstrap import dependances
from toit_notifications.domain.model import Canal, Statut, masquer_email, masquer_nom

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


class NotificationOut(BaseModel):
    id: UUID
    type: str = Field(description="Type de notification (attestation_enregistrement…)")
    version_gabarit: int = Field(description="Version du modèle utilisé")
    canal: Canal
    statut: Statut
    destinataire: str | None = Field(description="Destinataire, masqué")
    guichet: str | None = Field(description="Guichet qui édite le courrier")
    numero_unique: str | None
    creee_le: datetime
    envoyee_le: datetime | None
    editee_le: datetime | None
    tentatives: int
    derniere_erreur: str | None
    message_id: str = Field(description="Message-ID du courriel (stable)")
    reference_serveur: str | None = Field(description="Identifiant donné par le serveur SMTP")
    piece_jointe: str | None = Field(description="Nom du PDF (attestation ou courrier)")


class CourrierPage(BaseModel):
    elements: list[NotificationOut]
    total: int
    page: int
    par_page: int


def _out(row: repository.Row) -> NotificationOut:
    destinataire = (
        masquer_email(row["destinataire_email"])
        if row["canal"] == Canal.EMAIL
        else masquer_nom(row["destinataire_nom"])
    )
    return NotificationOut(
        id=row["id"],
        type=row["type"],
        version_gabarit=row["version_gabarit"],
        canal=row["canal"],
        statut=row["statut"],
        destinataire=destinataire,
        guichet=row["guichet"],
        numero_unique=row["numero_unique"],
        creee_le=en_utc(row["creee_le"]) or row["creee_le"],
        envoyee_le=en_utc(row["envoyee_le"]),
        editee_le=en_utc(row["editee_le"]),
        tentatives=row["tentatives"],
        derniere_erreur=row["derniere_erreur"],
        message_id=row["message_id"],
        reference_serveur=row["reference_serveur"],
        piece_jointe=row["pdf_nom"],
    )


def _introuvable() -> HTTPException:
    return HTTPException(status_code=404, detail="Ressource introuvable")


@router.get(
    "/demandes/{demande_id}",
    response_model=list[NotificationOut],
    summary="Notifications envoyées ou à éditer pour une demande",
)
async def notifications_de_la_demande(
    demande_id: UUID,
    principal: Principal = Depends(require("notification.lire")),
    uow: UnitOfWork = Depends(unit_of_work),
) -> list[NotificationOut]:
    rows = await repository.par_demande(uow.session, demande_id)
    if not rows:
        raise _introuvable()
    departement = rows[0]["departement"]
    authorize(
        principal,
        "notification.lire",
        departement=departement,
        owner=rows[0]["compte_demandeur"],
    )
    await record_consultation(
        uow.session, principal, "notifications", str(demande_id), departement=departement
    )
    await uow.commit()
    return [_out(row) for row in rows]


class AttestationEnRetard(BaseModel):
    notification_id: UUID
    demande_id: UUID | None
    numero_unique: str | None
    departement: str | None
    guichet: str | None = Field(description="Guichet qui doit l'envoyer ou l'éditer")
    canal: Canal
    statut: Statut
    echeance: date = Field(description="Dernier jour légal (dépôt + un mois, L441-2-1 CCH)")


@router.get(
    "/attestations/en-retard",
    response_model=list[AttestationEnRetard],
    summary="Attestations d'enregistrement ni envoyées ni éditées un mois après le dépôt",
)
async def attestations_en_retard(
    principal: Principal = Depends(require("notification.lire")),
    uow: UnitOfWork = Depends(unit_of_work),
) -> list[AttestationEnRetard]:
    lignes = await repository.attestations_en_retard(
        uow.session, datetime.now(UTC).date(), principal.departements
    )
    return [
        AttestationEnRetard(
            notification_id=r["id"],
            demande_id=r["demande_id"],
            numero_unique=r["numero_unique"],
            departement=r["departement"],
            guichet=r["guichet"],
            canal=r["canal"],
            statut=r["statut"],
            echeance=r["echeance"],
        )
        for r in lignes
    ]


def _courrier_visible(principal: Principal, row: repository.Row | None) -> repository.Row:
    if row is None or row["canal"] != Canal.COURRIER:
        raise _introuvable()
    authorize(principal, "courrier.editer", departement=row["departement"])
    if principal.guichet is not None and row["guichet"] != principal.guichet:
        raise _introuvable()
    return row


@router.get(
    "/courriers",
    response_model=CourrierPage,
    summary="Courriers à éditer par le guichet (ou par les guichets du périmètre)",
)
async def courriers(
    statut: Statut | None = Query(default=Statut.A_EDITER, description="a_editer ou editee"),
    guichet: str | None = Query(
        default=None,
        pattern=r"^[A-Z0-9]{5}$",
        description="Code du guichet (agents sans guichet attitré)",
    ),
    page: int = Query(default=1, ge=1, le=100_000),
    par_page: int = Query(default=50, ge=1, le=500),
    principal: Principal = Depends(require("courrier.editer")),
    uow: UnitOfWork = Depends(unit_of_work),
) -> CourrierPage:
    rows, total = await repository.courriers(
        uow.session,
        departements=principal.departements,
        guichet=principal.guichet or guichet,
        statut=statut,
        limite=par_page,
        decalage=(page - 1) * par_page,
    )
    return CourrierPage(
        elements=[_out(row) for row in rows],
        total=total,
        page=page,
        par_page=par_page,
    )


@router.get(
    "/courriers/{notification_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="Le courrier à imprimer (PDF)",
)
async def courrier_pdf(
    notification_id: UUID,
    principal: Principal = Depends(require("courrier.editer")),
    uow: UnitOfWork = Depends(unit_of_work),
) -> Response:
    row = _courrier_visible(principal, await repository.par_id(uow.session, notification_id))
    await record_consultation(
        uow.session, principal, "courrier", str(notification_id), departement=row["departement"]
    )
    await uow.commit()
    return Response(
        content=row["pdf"],
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{row["pdf_nom"]}"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/courriers/{notification_id}/edite",
    response_model=NotificationOut,
    summary="Marquer le courrier comme imprimé et remis à la poste (ou en main propre)",
)
async def courrier_edite(
    notification_id: UUID,
    principal: Principal = Depends(require("courrier.editer")),
    uow: UnitOfWork = Depends(unit_of_work),
) -> NotificationOut:
    _courrier_visible(principal, await repository.par_id(uow.session, notification_id))
    await repository.marquer_editee(uow.session, notification_id, datetime.now(UTC))
    await uow.commit()
    row = await repository.par_id(uow.session, notification_id)
    assert row is not None
    return _out(row)


@router.get(
    "/dev/boite",
    summary="Mode démonstration : les courriels reçus par le serveur SMTP local",
    description="Réservé au gestionnaire du fichier, en mode démonstration seulement : "
    "les courriels contiennent les liens d'activation et de réinitialisation.",
    dependencies=[Depends(require("boite_dev.lire"))],
)
async def boite_dev(
    request: Request, limite: int = Query(default=50, ge=1, le=1000)
) -> dict[str, Any]:
    runtime = runtime_of(request)
    boite = dependances(runtime).boite_dev
    if runtime.settings.mode != "demo" or boite is None:
        raise _introuvable()
    messages = list(boite.messages)[-limite:]
    return {"total": len(boite.messages), "messages": [m.resume() for m in reversed(messages)]}
