"""Attaching a guichet demande: the code's verdicts and the limits (no database)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from toit_portail.domain.rattachement import (
    CODES_PAR_COMPTE,
    CODES_PAR_NUMERO,
    ESSAIS_MAX,
    VALIDITE,
    Tentative,
    Verdict,
    empreinte,
    limite_atteinte,
    nouveau_code,
    verifier,
)

MAINTENANT = datetime(2026, 12, 3, 10, tzinfo=UTC)


def tentative(code: str, *, connue: bool = True, **changes: object) -> Tentative:
    sel = b"0123456789abcdef"
    base = Tentative(
        id=uuid4(),
        compte_id="compte",
        sel=sel,
        code_empreinte=empreinte(sel, code),
        cree_le=MAINTENANT,
        expire_le=MAINTENANT + VALIDITE,
        demande_id=uuid4() if connue else None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_le_bon_code_d_une_demande_verifiee_rattache() -> None:
    assert verifier(tentative("12345678"), "12345678", MAINTENANT) is Verdict.CONFIRMEE


def test_un_numero_inconnu_et_un_mauvais_code_recoivent_la_meme_reponse() -> None:
    # demandes found nothing (no demande_id): even the right code is refused, as a wrong one.
    inconnu = verifier(tentative("12345678", connue=False), "12345678", MAINTENANT)
    mauvais = verifier(tentative("12345678"), "87654321", MAINTENANT)
    assert inconnu is mauvais is Verdict.REFUSEE


def test_expire_epuise_ou_deja_utilise_il_faut_un_nouveau_code() -> None:
    code = "12345678"
    assert verifier(tentative(code), code, MAINTENANT + VALIDITE) is Verdict.EPUISEE
    assert verifier(tentative(code, essais=ESSAIS_MAX), code, MAINTENANT) is Verdict.EPUISEE
    assert verifier(tentative(code, confirmee_le=MAINTENANT), code, MAINTENANT) is Verdict.EPUISEE
    # The last allowed wrong try uses the attempt up.
    derniere = tentative(code, essais=ESSAIS_MAX - 1)
    assert verifier(derniere, "00000000", MAINTENANT) is Verdict.EPUISEE
    assert verifier(derniere, code, MAINTENANT) is Verdict.CONFIRMEE


def test_limites_par_compte_et_par_numero() -> None:
    assert not limite_atteinte(CODES_PAR_COMPTE - 1, CODES_PAR_NUMERO - 1)
    assert limite_atteinte(CODES_PAR_COMPTE, 0)
    assert limite_atteinte(0, CODES_PAR_NUMERO)


def test_codes_de_huit_chiffres_et_empreintes_salees() -> None:
    codes = {nouveau_code() for _ in range(200)}
    assert all(len(c) == 8 and c.isdigit() for c in codes) and len(codes) > 190
    assert empreinte(b"a", "1") != empreinte(b"b", "1")
    assert MAINTENANT + timedelta(minutes=15) == MAINTENANT + VALIDITE
