"""What every service's HTTP entrypoints share: ETag/If-Match, pagination.

Optimistic concurrency on edits: a representation carries its version in an ``ETag``
(``etag(version)``); an edit sends it back in ``If-Match``, which an endpoint reads with
``if_match_version``. The answers are the same in every service:

- no ``If-Match`` where one is required: 428 ``PRECONDITION_REQUISE``;
- an ``If-Match`` that names no version of this record, or an older one: 412, the
  message of ``servicekit.exceptions.VersionObsolete`` (``VERSION_OBSOLETE``).

Pagination: ``Annotated[Pagination, Depends(pagination())]`` reads ``page`` and
``par_page`` with their bounds, the same names in every service.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations of the dependency
# `pagination` builds, which name its bounds (closure variables) at run time.

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, HTTPException, Query

from servicekit.errors import STATUS_FR
from servicekit.exceptions import VersionObsolete

PRECONDITION_REQUISE = STATUS_FR[428]
VERSION_OBSOLETE = STATUS_FR[412]

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="ETag de la version lue (obligatoire pour modifier)"),
]

# For `responses=` of the routes that take If-Match.
REPONSES_IF_MATCH: dict[int | str, dict[str, str]] = {
    412: {"description": "Version périmée : la ressource a changé depuis sa lecture"},
    428: {"description": "If-Match manquant"},
}


def etag(version: int, prefix: str = "") -> str:
    """The ETag of a version: ``"3"``, or ``"<prefix>3"`` when versions of several kinds of
    record must not be mistaken for one another."""
    return f'"{prefix}{version}"'


def if_match_version(
    if_match: str | None, *, prefix: str = "", required: bool = True
) -> int | None:
    """The version named by an If-Match header (one of a list; weak tags accepted).

    None when the header is absent and not required; 428 when it is required; 412 when
    it names no version (of this prefix)."""
    if if_match is None:
        if required:
            raise HTTPException(status_code=428, detail=PRECONDITION_REQUISE)
        return None
    for candidat in if_match.split(","):
        valeur = candidat.strip().removeprefix("W/").strip('"')
        if valeur.startswith(prefix) and valeur[len(prefix) :].isdigit():
            return int(valeur[len(prefix) :])
    raise VersionObsolete()


def required_version(if_match: str | None, *, prefix: str = "") -> int:
    version = if_match_version(if_match, prefix=prefix, required=True)
    assert version is not None
    return version


@dataclass(frozen=True)
class Pagination:
    page: int
    par_page: int

    @property
    def debut(self) -> int:
        """Offset of the page's first element."""
        return (self.page - 1) * self.par_page


def pagination(
    *, par_page: int = 50, par_page_max: int = 200, page_max: int = 10_000
) -> Callable[[int, int], Awaitable[Pagination]]:
    """A dependency reading ``page`` (1-based) and ``par_page`` within their bounds."""

    # async: FastAPI runs a plain `def` dependency in a worker thread (a thread hop on
    # every search).
    async def dependency(
        page: Annotated[int, Query(ge=1, le=page_max, description="Numéro de page (1…)")] = 1,
        par_page: Annotated[
            int, Query(ge=1, le=par_page_max, description="Éléments par page")
        ] = par_page,
    ) -> Pagination:
        return Pagination(page, par_page)

    return dependency
