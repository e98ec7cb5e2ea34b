"""Small-cell suppression (secret statistique) of aggregate tables (pure).

Primary: a cell counting fewer than `seuil` households (but at least one) is
masked. Secondary: a masked cell must not be recoverable by subtraction from a
published total. The grand total is always published, and with two groupings the
margins of each row and column could be: so every line (the whole table; with two
groupings each row and each column) holding exactly one masked cell gets a second
one, its smallest unmasked cell, until no line has a single masked cell. The
secondary cells are chosen smallest first, which loses the least information.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

Cle = tuple[Hashable, ...]


def _second(cells: Mapping[Cle, int], line: list[Cle], masked: set[Cle]) -> Cle | None:
    hidden = [k for k in line if k in masked]
    if len(hidden) != 1:
        return None
    open_cells = [k for k in line if k not in masked and cells[k] > 0]
    if not open_cells:
        return None
    return min(open_cells, key=lambda k: (cells[k], repr(k)))


def masquer(cells: Mapping[Any, int], seuil: int = 5) -> set[Any]:
    """The keys of the cells to mask. Keys are tuples of one or two group values."""
    masked = {k for k, n in cells.items() if 0 < n < seuil}
    if not masked:
        return masked
    dims = max((len(k) for k in cells), default=1)
    lines: list[list[Cle]] = []
    if dims == 2:
        rows: dict[Hashable, list[Cle]] = {}
        cols: dict[Hashable, list[Cle]] = {}
        for k in cells:
            rows.setdefault(k[0], []).append(k)
            cols.setdefault(k[1], []).append(k)
        lines += list(rows.values()) + list(cols.values())
    # Rows and columns first: once each is safe, so is the grand total.
    lines.append(list(cells))
    changed = True
    while changed:
        changed = False
        for line in lines:
            extra = _second(cells, line, masked)
            if extra is not None:
                masked.add(extra)
                changed = True
    return masked
