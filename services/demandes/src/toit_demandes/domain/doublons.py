"""Duplicate detection (primer §4.3): same NIR, or same normalised name, first name and
birth date in the same département. Nom d'usage and nom de naissance are interchangeable."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from toit_demandes.domain.saisie import DemandeSaisie

_SEPARATEURS = re.compile(r"[^A-Z0-9]+")


def normaliser(texte: str) -> str:
    """Upper case, accents, hyphens, apostrophes and double spaces removed:
    « Le Hénaff-d'Arvor » -> "LE HENAFF D ARVOR"."""
    decompose = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    sans_accents = sans_accents.replace("ß", "SS").replace("æ", "AE").replace("œ", "OE")
    sans_accents = sans_accents.replace("Æ", "AE").replace("Œ", "OE")
    return _SEPARATEURS.sub(" ", sans_accents.upper()).strip()


def premier_prenom(prenoms: str) -> str:
    """First given name, a compound one kept whole: « Anne-Marie, Claire » -> "ANNE MARIE"."""
    return normaliser(re.split(r"[\s,]+", prenoms.strip())[0])


def empreinte_nir(nir: str) -> str:
    """Stored instead of the NIR itself for duplicate search (the document keeps the NIR)."""
    return hashlib.sha256(f"toit-nir:{nir}".encode()).hexdigest()


@dataclass(frozen=True)
class CleIdentite:
    """What duplicate detection compares."""

    departement: str
    noms: frozenset[str]
    prenom: str
    date_naissance: date
    nir: str | None


def cle_identite(saisie: DemandeSaisie) -> CleIdentite:
    d = saisie.demandeur
    noms = {normaliser(d.nom_naissance)}
    if d.nom_usage:
        noms.add(normaliser(d.nom_usage))
    return CleIdentite(
        departement=saisie.departement,
        noms=frozenset(noms),
        prenom=premier_prenom(d.prenoms),
        date_naissance=d.date_naissance,
        nir=empreinte_nir(d.nir) if d.nir else None,
    )


def meme_personne(a: CleIdentite, b: CleIdentite) -> str | None:
    """The reason two demandes look like the same applicant, or None."""
    if a.departement != b.departement:
        return None
    if a.nir and a.nir == b.nir:
        return "même numéro de sécurité sociale"
    if a.date_naissance == b.date_naissance and a.prenom == b.prenom and a.noms & b.noms:
        return "mêmes nom, prénom et date de naissance"
    return None
