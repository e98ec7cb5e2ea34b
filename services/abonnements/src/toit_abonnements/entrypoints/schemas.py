"""Request and answer models of the abonnements API, and their conversions."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from toit_abonnements.domain.abonnements import Abonnement, Mode, Partenaire, Perimetre, Statut
from toit_contracts.profils import PROFILS
from toit_contracts.types import CodeInsee, Departement, Email, SirenEpci

# --- Models -----------------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PerimetreIn(_In):
    departements: list[Departement] = Field(min_length=1, max_length=20)
    epcis: list[SirenEpci] = Field(default_factory=list, max_length=200)
    communes: list[CodeInsee] = Field(default_factory=list, max_length=2000)

    def domaine(self) -> Perimetre:
        return Perimetre(
            frozenset(self.departements), frozenset(self.epcis), frozenset(self.communes)
        )


class PerimetreOut(BaseModel):
    departements: list[str]
    epcis: list[str]
    communes: list[str]


class PartenaireIn(_In):
    organisation_id: UUID = Field(description="Organisation dans identite")
    nom: str = Field(min_length=1, max_length=200)
    contact_email: Email = Field(description="Contact prévenu des suspensions")
    roles: list[Annotated[str, Field(max_length=40)]] = Field(min_length=1, max_length=8)
    habilitation: PerimetreIn


class PartenaireOut(BaseModel):
    organisation_id: str
    nom: str
    contact_email: str
    roles: list[str]
    habilitation: PerimetreOut
    version: int
    departements_identite: list[str] | None = Field(
        default=None,
        description="Départements de l'organisation dans identite : l'habilitation effective "
        "est l'habilitation déclarée restreinte à ceux-ci (absent : pas encore connus)",
    )


class AbonnementIn(_In):
    organisation_id: UUID | None = Field(
        default=None, description="Organisation partenaire (le gestionnaire la précise)"
    )
    nom: str = Field(min_length=1, max_length=200)
    types: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=20)
    perimetre: PerimetreIn
    profil: str = Field(max_length=32)
    complements: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, max_length=5
    )
    mode: Mode = Mode.FLUX
    url: str | None = Field(default=None, max_length=2048)


class AbonnementOut(BaseModel):
    id: str
    organisation_id: str
    nom: str
    types: list[str]
    perimetre: PerimetreOut
    profil: str
    complements: list[str]
    dataschema: str
    mode: Mode
    url: str | None
    statut: Statut
    version: int


class AccesAmqpOut(BaseModel):
    url: str
    vhost: str
    utilisateur: str
    mot_de_passe: str | None = Field(description="Affiché une seule fois")
    file: str


class CreationOut(BaseModel):
    abonnement: AbonnementOut
    secret: str | None = Field(
        default=None, description="Secret de signature Standard Webhooks, affiché une seule fois"
    )
    amqp: AccesAmqpOut | None = None


class SecretOut(BaseModel):
    secret: str = Field(description="Nouveau secret, affiché une seule fois")


class RejeuIn(_In):
    ids: list[UUID] | None = Field(default=None, max_length=1000)


def _perimetre(p: Perimetre) -> PerimetreOut:
    return PerimetreOut(**p.as_dict())


def _partenaire_out(p: Partenaire) -> PartenaireOut:
    return PartenaireOut(
        organisation_id=p.organisation_id,
        nom=p.nom,
        contact_email=p.contact_email,
        roles=sorted(p.roles),
        habilitation=_perimetre(p.habilitation),
        version=p.version,
    )


def _abonnement_out(a: Abonnement) -> AbonnementOut:
    p = PROFILS[a.profil]
    return AbonnementOut(
        id=a.id,
        organisation_id=a.organisation_id,
        nom=a.nom,
        types=list(a.types),
        perimetre=_perimetre(a.perimetre),
        profil=a.profil,
        complements=list(a.complements),
        dataschema=p.dataschema_avec(set(a.complements) & set(p.complements)),
        mode=a.mode,
        url=a.url,
        statut=a.statut,
        version=a.version,
    )
