"""Stock import and pushed units (patrimoine).

An import validates every line, then writes all of them or none: a file with one bad
line changes nothing and its report names every rejected line. Re-importing the same
file changes nothing (each unit's content hash is compared). Each attempt is recorded
with its report so the bailleur can read it again."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_matching.adapters import repository as repo
from toit_matching.bootstrap import Dependances
from toit_matching.domain.erreurs import Conflit, DonneesInvalides, ErreurChamp, Introuvable
from toit_matching.domain.import_stock import Format, valider_fichier
from toit_matching.domain.patrimoine import ErreurLigne, Logement, valider_logement
from toit_matching.service_layer.acces import Acteur, bailleur_cible, verifier_logement

ERREURS_GARDEES = 1000  # lines of errors kept in a report (the total is always counted)


@dataclass
class RapportImport:
    id: UUID
    statut: str  # ACCEPTE, REFUSE
    lignes: int
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0
    erreurs: list[dict[str, Any]] = field(default_factory=list)
    erreurs_total: int = 0
    nom_fichier: str | None = None
    recu_le: datetime | None = None


def _ligne_logement(
    logement: Logement, deps: Dependances, bailleur_id: str, maintenant: datetime
) -> dict[str, Any]:
    ref = deps.referentiel
    valeurs = logement.valeurs()
    for nom in ("typologie", "financement", "accessibilite", "chauffage", "eau", "contingent"):
        if valeurs[nom] is not None:
            valeurs[nom] = str(valeurs[nom])
    return {
        **valeurs,
        "bailleur_id": bailleur_id,
        "epci": ref.epci_de(logement.commune),
        "departement": ref.departement_de(logement.commune),
        "empreinte": logement.empreinte(),
        "modifie_le": maintenant,
    }


async def _ecrire(
    uow: UnitOfWork,
    deps: Dependances,
    bailleur_id: str,
    logements: list[Logement],
    maintenant: datetime,
) -> tuple[int, int, int, list[ErreurLigne]]:
    """Created, modified, unchanged; or the lines naming another bailleur's units."""
    existants = await repo.logements_existants(uow.session, [lg.rpls for lg in logements])
    nouveaux, modifies, inchanges = [], [], 0
    autres: list[ErreurLigne] = []
    for index, lg in enumerate(logements):
        ligne = _ligne_logement(lg, deps, bailleur_id, maintenant)
        existant = existants.get(lg.rpls)
        if existant is None:
            nouveaux.append({**ligne, "id": uuid.uuid4(), "version": 1, "cree_le": maintenant})
        elif existant["bailleur_id"] != bailleur_id:
            autres.append(
                ErreurLigne(index, "rpls", f"le logement {lg.rpls} appartient à un autre bailleur")
            )
        elif existant["empreinte"] == ligne["empreinte"]:
            inchanges += 1
        else:
            modifies.append({**ligne, "id": existant["id"], "version": existant["version"] + 1})
    if autres:
        return 0, 0, 0, autres
    await repo.inserer_logements(uow.session, nouveaux)
    await repo.mettre_a_jour_logements(uow.session, modifies)
    return len(nouveaux), len(modifies), inchanges, []


async def importer_stock(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    contenu: bytes,
    format: Format,
    *,
    nom_fichier: str | None,
    bailleur_id: str | None = None,
) -> RapportImport:
    """Validate then write a whole file; the report is recorded either way."""
    bailleur = bailleur_cible(acteur, bailleur_id)
    maintenant = datetime.now(UTC)
    validation = valider_fichier(
        contenu,
        format,
        deps.referentiel.commune_connue,
        lignes_max=deps.settings.matching_import_lignes_max,
    )
    rapport = RapportImport(
        uuid.uuid4(), "REFUSE", validation.lignes, nom_fichier=nom_fichier, recu_le=maintenant
    )
    erreurs = validation.erreurs
    if validation.valide:
        crees, modifies, inchanges, autres = await _ecrire(
            uow, deps, bailleur, validation.logements, maintenant
        )
        if autres:
            # Report with the file's line numbers: find each unit's line again.
            numeros = _numeros(contenu, format, deps)
            erreurs = [ErreurLigne(numeros[e.ligne], e.champ, e.message) for e in autres]
        else:
            rapport.statut = "ACCEPTE"
            rapport.crees, rapport.modifies, rapport.inchanges = crees, modifies, inchanges
    rapport.erreurs = [e.as_dict() for e in erreurs[:ERREURS_GARDEES]]
    rapport.erreurs_total = len(erreurs)
    await repo.enregistrer_import(
        uow.session,
        {
            "id": rapport.id,
            "bailleur_id": bailleur,
            "compte_id": acteur.principal.sub,
            "nom_fichier": (nom_fichier or None) and nom_fichier[:200],
            "format": format.value,
            "empreinte_fichier": hashlib.sha256(contenu).hexdigest(),
            "recu_le": maintenant,
            "statut": rapport.statut,
            "lignes": rapport.lignes,
            "crees": rapport.crees,
            "modifies": rapport.modifies,
            "inchanges": rapport.inchanges,
            "erreurs": rapport.erreurs,
            "erreurs_total": rapport.erreurs_total,
        },
    )
    await uow.commit()
    return rapport


def _numeros(contenu: bytes, format: Format, deps: Dependances) -> list[int]:
    from toit_matching.domain.import_stock import lignes_csv, lignes_json

    lire = lignes_csv if format is Format.CSV else lignes_json
    return [numero for numero, _ in lire(contenu, deps.settings.matching_import_lignes_max)]


def rapport_de(ligne: dict[str, Any]) -> RapportImport:
    return RapportImport(
        id=ligne["id"],
        statut=ligne["statut"],
        lignes=ligne["lignes"],
        crees=ligne["crees"],
        modifies=ligne["modifies"],
        inchanges=ligne["inchanges"],
        erreurs=list(ligne["erreurs"]),
        erreurs_total=ligne["erreurs_total"],
        nom_fichier=ligne["nom_fichier"],
        recu_le=ligne["recu_le"],
    )


async def lire_rapport(uow: UnitOfWork, acteur: Acteur, import_id: UUID) -> RapportImport:
    ligne = await repo.lire_import(uow.session, import_id)
    if ligne is None or (ligne["bailleur_id"] != acteur.organisation and not acteur.gestionnaire):
        raise Introuvable("Import introuvable")
    return rapport_de(ligne)


async def derniers_imports(uow: UnitOfWork, acteur: Acteur) -> list[RapportImport]:
    return [rapport_de(x) for x in await repo.lister_imports(uow.session, acteur.organisation)]


async def pousser_logement(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    rpls: str,
    champs: dict[str, object],
    *,
    version_attendue: int | None,
    bailleur_id: str | None = None,
) -> tuple[dict[str, Any], str]:
    """One unit pushed by a rental system: 'cree', 'modifie' or 'inchange'."""
    bailleur = bailleur_cible(acteur, bailleur_id)
    if "rpls" in champs and str(champs["rpls"]).strip() != rpls:
        raise DonneesInvalides([ErreurChamp("rpls", "différent de l'identifiant de l'adresse")])
    resultat = valider_logement(1, {**champs, "rpls": rpls}, deps.referentiel.commune_connue)
    if isinstance(resultat, list):
        raise DonneesInvalides([ErreurChamp(e.champ, e.message) for e in resultat])
    existant = await repo.lire_logement(uow.session, rpls=rpls)
    if existant is not None:
        if existant["bailleur_id"] != bailleur:
            raise Conflit(f"le logement {rpls} appartient à un autre bailleur")
        if version_attendue is not None and version_attendue != existant["version"]:
            from toit_matching.domain.erreurs import VersionPerimee

            raise VersionPerimee("Le logement a été modifié entre-temps : rechargez-le")
    maintenant = datetime.now(UTC)
    crees, modifies, _, autres = await _ecrire(uow, deps, bailleur, [resultat], maintenant)
    assert not autres
    await uow.commit()
    effet = "cree" if crees else "modifie" if modifies else "inchange"
    ligne = await repo.lire_logement(uow.session, rpls=rpls)
    assert ligne is not None
    return ligne, effet


async def lire_logement(uow: UnitOfWork, acteur: Acteur, rpls: str) -> dict[str, Any]:
    ligne = await repo.lire_logement(uow.session, rpls=rpls)
    if ligne is None:
        raise Introuvable("Logement introuvable")
    verifier_logement(acteur, ligne)
    return ligne


async def lister_logements(
    uow: UnitOfWork, acteur: Acteur, *, commune: str | None, page: int, par_page: int
) -> tuple[list[dict[str, Any]], int]:
    if acteur.gestionnaire:
        return await repo.lister_logements(
            uow.session,
            bailleur_id=None,
            departements=acteur.departements,
            commune=commune,
            page=page,
            par_page=par_page,
        )
    return await repo.lister_logements(
        uow.session,
        bailleur_id=acteur.organisation,
        departements=None,
        commune=commune,
        page=page,
        par_page=par_page,
    )
