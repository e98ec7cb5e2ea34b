"""`toit-identite`: administration commands of a real installation.

    toit-identite create-gestionnaire --departement 44 --identifiant jdupont \\
        --email j.dupont@example.fr --nom Dupont --prenom Jeanne

creates (if needed) the organisation "gestionnaire du fichier" of the
département and the first gestionnaire account, with the password typed at
the prompt (or one line on standard input). Same settings as the service
(TOIT_DATABASE_URL_IDENTITE or TOIT_DATABASE_URL, TOIT_MODE, TOIT_IDENTITE_*).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import uuid

from servicekit.exceptions import Invalide
from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings
from toit_contracts.enums import Role, TypeOrganisation
from toit_identite import service_layer as uc
from toit_identite.adapters import repository as repo
from toit_identite.bootstrap import dependances
from toit_identite.domain.model import Habilitation, Organisation
from toit_identite.domain.passwords import password_problems
from toit_identite.service import service


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="toit-identite",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser(
        "create-gestionnaire", help="create the first gestionnaire du fichier of a département"
    )
    create.add_argument("--departement", required=True)
    create.add_argument("--identifiant", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--nom", required=True)
    create.add_argument("--prenom", required=True)
    create.add_argument(
        "--organisation",
        default=None,
        help="name of the gestionnaire organisation, when it must be created",
    )
    args = parser.parse_args(argv)
    password = _read_password(args.identifiant, args.email)
    try:
        asyncio.run(_create_gestionnaire(args, password))
    except Invalide as exc:
        sys.exit(f"refusé : {exc}")
    print(f"Compte {args.identifiant} créé : il acceptera la charte à sa première connexion.")


def _read_password(identifiant: str, email: str) -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Mot de passe (12 caractères au moins) : ")
        if getpass.getpass("Confirmation : ") != password:
            sys.exit("les deux saisies diffèrent")
    else:
        password = sys.stdin.readline().rstrip("\n")
    problems = password_problems(password, identifiant=identifiant, email=email)
    if problems:
        sys.exit("mot de passe refusé : " + "; ".join(problems))
    return password


async def _create_gestionnaire(args: argparse.Namespace, password: str) -> None:
    runtime = ServiceRuntime(service, Settings())
    await runtime.start(consume=False, seed=False, relay=False)
    try:
        ctx = dependances(runtime).contexte
        async with runtime.unit_of_work() as uow:
            existing = [
                o
                for o in await repo.list_organisations(uow.session)
                if o.type == TypeOrganisation.GESTIONNAIRE_FICHIER
                and args.departement in o.departements
            ]
            if existing:
                organisation = existing[0]
            else:
                organisation = Organisation(
                    id=str(uuid.uuid4()),
                    nom=args.organisation or f"Gestionnaire du fichier ({args.departement})",
                    type=TypeOrganisation.GESTIONNAIRE_FICHIER,
                    departements=[args.departement],
                )
                await repo.add_organisation(uow.session, organisation, uc.contexte.maintenant_utc())
                await uow.commit()
        async with runtime.unit_of_work() as uow:
            await uc.comptes.creer_agent(
                uow,
                ctx,
                None,
                uc.comptes.NouveauCompte(
                    identifiant=args.identifiant,
                    email=args.email,
                    nom=args.nom,
                    prenom=args.prenom,
                    organisation_id=organisation.id,
                    habilitation=Habilitation(
                        frozenset({Role.GESTIONNAIRE_FICHIER.value}), frozenset({args.departement})
                    ),
                ),
                password=password,
            )
        # The account creation is journaled; its events wait in the outbox
        # for the running service's relay.
    finally:
        await runtime.stop()
