"""API timestamps carry their UTC offset, SQLite included (issue 11 item 9)."""

from toit_demandes.adapters.tables import metadata

from servicekit.horodatage import colonnes_sans_fuseau


def test_every_timestamp_column_reads_back_aware_in_utc() -> None:
    assert colonnes_sans_fuseau(metadata) == []
