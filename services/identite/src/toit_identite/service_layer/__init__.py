"""Use cases of identite, one module per sub-domain.

- `contexte`: what the use cases need besides the unit of work (`Identite`);
- `jetons`: logging in, refresh and logout, signing keys, JWKS;
- `organisations`: partner organisations;
- `comptes`: professional accounts, their habilitations and the daily/monthly jobs;
- `demandeurs`: applicant accounts, activation and passwords;
- `charte`: the charte déontologique;
- `clients_api`: API clients of partner organisations (OAuth2 client credentials);
- `annonces`: announcements of the fichier (home page banner);
- `favoris`: demandes and lists a professional pins on their home page;
- `habilitations`: changing an account's roles and perimeter (never one's own).

Each use case takes a unit of work and commits it itself when it changes something;
it raises the refusals of `servicekit.exceptions` (and `domain.erreurs`) only.
"""

from toit_identite.service_layer import (
    charte,
    clients_api,
    comptes,
    contexte,
    demandeurs,
    habilitations,
    jetons,
    organisations,
)

__all__ = [
    "charte",
    "clients_api",
    "comptes",
    "contexte",
    "demandeurs",
    "habilitations",
    "jetons",
    "organisations",
]
