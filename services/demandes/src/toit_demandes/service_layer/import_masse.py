"""Bulk import (benchmarks, migration of an existing file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic_core import PydanticCustomError
from toit_referentiel.calendrier import add_months as ajouter_mois

from servicekit.uow import UnitOfWork
from toit_contracts.events.demandes import (
    DemandeEnregistree,
)
from toit_contracts.types import NumeroUnique
from toit_demandes.adapters.repository import (
    DemandeRepository,
)
from toit_demandes.domain.demande import Demande, TypeEvenement
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.verifications import DonneesInvalides
from toit_demandes.service_layer.commun import Contexte, avec_snapshot, valider_saisie

# --- bulk import (benchmarks, migration of an existing file) ----------------------------------


async def importer_lot(uow: UnitOfWork, lot: list[dict[str, Any]], ctx: Contexte) -> int:
    """Creates and registers already-checked demandes in one transaction: each as registered
    on its dépôt date by the guichet "IMP" + département, renewed when that is more than a
    validity ago, with its historique and its `demande.enregistree` event (no per-demande
    `demande.creee`: the import is one registration). Invalid payloads raise
    DonneesInvalides and nothing of the batch is written."""
    regles = ctx.referentiel.regles_cycle_de_vie()
    aujourd_hui = ctx.maintenant.date()
    demandes_lot: list[Demande] = []
    for document in lot:
        saisie = valider_saisie(document, ctx)
        depot = saisie.date_depot or aujourd_hui
        quand = datetime.combine(depot, time(10), tzinfo=UTC)
        demandes_lot.append(Demande.creer(saisie, quand, ctx.intervenant))
    repo = uow.repository(DemandeRepository)
    par_serie: dict[tuple[str, int], list[Demande]] = {}
    for demande in demandes_lot:
        cle_serie = (demande.departement, demande.date_depot_initial.year)
        par_serie.setdefault(cle_serie, []).append(demande)
    for (departement, annee), serie in sorted(par_serie.items(), key=lambda kv: kv[0]):
        premiere = await repo.reserver_sequences(departement, annee, len(serie))
        for rang, demande in enumerate(serie):
            depot = demande.date_depot_initial
            guichet = f"IMP{departement}".ljust(5, "0")[:5]
            numero = NumeroUnique(departement, depot.month, depot.year, premiere + rang, guichet)
            demande.enregistrer(
                numero,
                datetime.combine(depot, time(10), tzinfo=UTC),
                ctx.intervenant,
                regles,
                identite_justifiee=True,
            )
            if demande.date_expiration is not None and demande.date_expiration <= aujourd_hui:
                renouvellement = ajouter_mois(aujourd_hui, -1)
                demande.renouveler(
                    datetime.combine(renouvellement, time(10), tzinfo=UTC), ctx.intervenant, regles
                )
            uow.publish(DemandeEnregistree(**avec_snapshot(demande, ctx)))
    await repo.ajouter_en_masse(demandes_lot)
    await uow.commit()
    return len(demandes_lot)


# --- migration from another fichier ------------------------------------------------------------


@dataclass(frozen=True)
class LigneRefusee:
    """A line of the migration file that was not imported, and why (the line report)."""

    ligne: int
    numero_unique: str | None
    motif: str


@dataclass
class BilanMigration:
    importees: int = 0
    refusees: list[LigneRefusee] = field(default_factory=list)


def _numero_migre(ligne: dict[str, Any], saisie: DemandeSaisie) -> NumeroUnique:
    """The numéro unique the other fichier gave: its format, its département and the month
    and year of the dépôt it encodes (R441-2-3 CCH) must agree with the demande."""
    valeur = ligne.get("numero_unique")
    if not isinstance(valeur, str) or not valeur:
        raise ValueError("numéro unique absent")
    try:
        numero = NumeroUnique.parse(valeur)
    except PydanticCustomError as exc:
        raise ValueError(exc.message()) from None
    if numero.departement != saisie.departement:
        raise ValueError(
            f"le numéro unique est du département {numero.departement}, la demande du "
            f"{saisie.departement}"
        )
    if saisie.date_depot is None:
        raise ValueError("date de dépôt absente : elle fonde l'ancienneté")
    if (numero.mois, numero.annee) != (saisie.date_depot.month, saisie.date_depot.year):
        raise ValueError(
            f"le numéro unique porte le mois {numero.mois:02d}/{numero.annee}, la date de dépôt "
            f"est le {saisie.date_depot:%d/%m/%Y}"
        )
    return numero


async def migrer_lot(
    uow: UnitOfWork, lignes: list[tuple[int, dict[str, Any]]], ctx: Contexte
) -> BilanMigration:
    """Imports demandes of another fichier (`numero_unique`, optional
    `date_dernier_renouvellement`, and the POST /api/demandes body with its `date_depot`):
    numéro, dépôt date and ancienneté are kept; each `demande.enregistree` says `migree`, so
    that notifications sends no attestation (the household has one). A line with an invalid
    demande or numéro, or a numéro already used (in the file or in Toit), is refused with
    its reason; the others of the batch are imported."""
    regles = ctx.referentiel.regles_cycle_de_vie()
    bilan = BilanMigration()
    valides: list[tuple[int, DemandeSaisie, NumeroUnique, date | None]] = []
    for numero_ligne, ligne in lignes:
        document = dict(ligne)
        numero_brut = document.pop("numero_unique", None)
        renouvellement = document.pop("date_dernier_renouvellement", None)
        try:
            saisie = valider_saisie(document, ctx)
            numero = _numero_migre({"numero_unique": numero_brut}, saisie)
            renouvelee = None if renouvellement is None else date.fromisoformat(renouvellement)
        except DonneesInvalides as exc:
            motif = str(exc)  # "champ : message; …"
            bilan.refusees.append(LigneRefusee(numero_ligne, _texte(numero_brut), motif))
            continue
        except (ValueError, TypeError) as exc:
            bilan.refusees.append(LigneRefusee(numero_ligne, _texte(numero_brut), str(exc)))
            continue
        valides.append((numero_ligne, saisie, numero, renouvelee))
    repo = DemandeRepository(uow.session)
    deja = await repo.numeros_existants([n.format() for _, _, n, _ in valides])
    vus: set[str] = set()
    lot: list[Demande] = []
    for numero_ligne, saisie, numero, renouvelee in valides:
        texte = numero.format()
        if texte in deja or texte in vus:
            ou = "dans Toit" if texte in deja else "plus haut dans le fichier"
            bilan.refusees.append(
                LigneRefusee(numero_ligne, texte, f"numéro unique déjà attribué {ou}")
            )
            continue
        vus.add(texte)
        assert saisie.date_depot is not None
        quand = datetime.combine(saisie.date_depot, time(10), tzinfo=UTC)
        demande = Demande.creer(saisie, quand, ctx.intervenant)
        demande.enregistrer(numero, quand, ctx.intervenant, regles, identite_justifiee=True)
        if renouvelee is not None and renouvelee > saisie.date_depot:
            demande.renouveler(
                datetime.combine(renouvelee, time(10), tzinfo=UTC), ctx.intervenant, regles
            )
        demande.noter(
            ctx.maintenant,
            ctx.intervenant,
            TypeEvenement.ENREGISTREMENT,
            f"Reprise d'un autre fichier : numéro unique {texte}, dépôt du "
            f"{saisie.date_depot:%d/%m/%Y} et ancienneté conservés",
        )
        uow.publish(DemandeEnregistree(**avec_snapshot(demande, ctx), migree=True))
        lot.append(demande)
    if lot:
        await repo.ajouter_en_masse(lot)
        # Numbers Toit allocates from now on come after the migrated ones.
        plus_hauts: dict[tuple[str, int], int] = {}
        for demande in lot:
            n = NumeroUnique.parse(demande.numero_unique or "")
            cle = (n.departement, n.annee)
            plus_hauts[cle] = max(plus_hauts.get(cle, 0), n.sequence)
        for (departement, annee), sequence in sorted(plus_hauts.items()):
            await repo.relever_sequence(departement, annee, sequence)
    await uow.commit()
    bilan.importees = len(lot)
    return bilan


def _texte(valeur: Any) -> str | None:
    return valeur[:40] if isinstance(valeur, str) else None
