from __future__ import annotations

import pytest
import toit_referentiel as ref

COMMUNES_PAR_DEPARTEMENT = {
    "22": 344,
    "29": 277,
    "35": 332,
    "44": 207,
    "49": 176,
    "53": 240,
    "56": 249,
    "72": 352,
    "85": 253,
}


def test_the_territory_has_2430_communes_in_nine_departements() -> None:
    assert [d.code for d in ref.departements()] == sorted(COMMUNES_PAR_DEPARTEMENT)
    for code, count in COMMUNES_PAR_DEPARTEMENT.items():
        communes = ref.communes_of_departement(code)
        assert len(communes) == count
        assert all(c.departement == code and c.insee.startswith(code) for c in communes)
    assert sum(COMMUNES_PAR_DEPARTEMENT.values()) == 2430


@pytest.mark.parametrize(
    ("insee", "nom", "siren", "epci_nom"),
    [
        ("44109", "Nantes", "244400404", "Nantes Métropole"),
        ("35238", "Rennes", "243500139", "Rennes Métropole"),
        ("29019", "Brest", "242900314", "Brest Métropole"),
    ],
)
def test_known_communes_belong_to_their_metropole(
    insee: str, nom: str, siren: str, epci_nom: str
) -> None:
    commune = ref.commune(insee)
    assert commune is not None
    assert commune.nom == nom
    assert commune.population > 100_000
    epci = ref.epci_of_commune(insee)
    assert epci is not None
    assert (epci.siren, epci.nom, epci.nature) == (siren, epci_nom, "METRO")
    assert ref.epci(siren) == epci
    assert commune in ref.communes_of_epci(siren)


def test_nantes_has_its_postal_codes() -> None:
    nantes = ref.commune("44109")
    assert nantes is not None
    assert nantes.codes_postaux == ("44000", "44100", "44200", "44300")


def test_unknown_codes_give_none_or_empty() -> None:
    assert ref.commune("75056") is None  # Paris: outside the territory
    assert ref.commune("nope") is None
    assert ref.epci_of_commune("75056") is None
    assert ref.epci("000000000") is None
    assert ref.communes_of_epci("000000000") == ()
    with pytest.raises(ref.DonneeIndisponible):
        ref.communes_of_departement("75")


def test_islands_outside_any_epci() -> None:
    ouessant = ref.commune("29155")
    assert ouessant is not None and ouessant.epci_siren is None
    assert ref.epci_of_commune("29155") is None


def test_every_commune_epci_exists_and_lists_it() -> None:
    for departement in ref.departements():
        for commune in ref.communes_of_departement(departement.code):
            if commune.epci_siren is not None:
                epci = ref.epci(commune.epci_siren)
                assert epci is not None
                assert commune.departement in epci.departements
                assert commune in ref.communes_of_epci(epci.siren)


def test_an_epci_across_departements_lists_them() -> None:
    redon = ref.epci_of_commune("35236")  # Redon
    assert redon is not None
    assert redon.departements == ("35", "44", "56")


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("nantes", "44109"),
        ("NANT", "44109"),
        ("st malo", "35288"),
        ("saint-malo", "35288"),
        ("brest", "29019"),
        ("Quimper", "29232"),
        ("35000", "35238"),
        ("angers", "49007"),
        ("le mans", "72181"),
        ("Chateaubriant", "44036"),  # accent-insensitive: Châteaubriant
    ],
)
def test_search_puts_the_likeliest_commune_first(text: str, first: str) -> None:
    results = ref.search_communes(text)
    assert results, text
    assert results[0].insee == first


def test_search_matches_word_prefixes_and_filters_by_departement() -> None:
    malo = ref.search_communes("malo", departement="35")
    assert malo[0].insee == "35288"
    assert all(c.departement == "35" for c in malo)
    assert ref.search_communes("Nantes", departement="35") == []
    assert ref.search_communes("") == []
    assert len(ref.search_communes("saint", limit=5)) == 5


def test_commune_positions_cover_communes_of_500_inhabitants_within_the_region() -> None:
    from toit_referentiel.rapprochement import position_commune

    positions = {
        c.insee: position_commune(c.insee)
        for d in ref.departements()
        for c in ref.communes_of_departement(d.code)
    }
    connues = {insee: p for insee, p in positions.items() if p is not None}
    # GeoNames cities500 matched by INSEE code: 1,787 of 2,430 (the smallest have none).
    assert len(connues) >= 1780
    # Every position lies in Brittany / Pays de la Loire (a wrong name match would not).
    assert all(46.2 <= lat <= 49.0 and -5.2 <= lon <= 0.95 for lat, lon in connues.values())
    nantes = connues["44109"]
    assert abs(nantes[0] - 47.22) < 0.05 and abs(nantes[1] + 1.55) < 0.05
