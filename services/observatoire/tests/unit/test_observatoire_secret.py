"""Small-cell suppression, primary and secondary (item 8)."""

from toit_observatoire.domain.secret import masquer


def test_no_small_cell_nothing_masked() -> None:
    assert masquer({("T1",): 5, ("T2",): 12}) == set()


def test_one_small_cell_gets_a_secondary_one_so_the_total_reveals_nothing() -> None:
    cells = {("T1",): 3, ("T2",): 40, ("T3",): 7, ("T4",): 9}
    # T1 alone masked: 59 - (40 + 7 + 9) = 3 would reveal it; the smallest other goes too.
    assert masquer(cells) == {("T1",), ("T3",)}


def test_two_small_cells_need_no_secondary() -> None:
    assert masquer({("a",): 1, ("b",): 2, ("c",): 50}) == {("a",), ("b",)}


def test_two_groupings_rows_and_columns_protected() -> None:
    cells = {
        ("35238", "T1"): 2,
        ("35238", "T2"): 30,
        ("35238", "T3"): 20,
        ("35051", "T1"): 10,
        ("35051", "T2"): 8,
        ("35051", "T3"): 25,
    }
    masked = masquer(cells)
    assert ("35238", "T1") in masked
    for line in (
        [k for k in cells if k[0] == "35238"],
        [k for k in cells if k[0] == "35051"],
        [k for k in cells if k[1] == "T1"],
        [k for k in cells if k[1] == "T2"],
        [k for k in cells if k[1] == "T3"],
        list(cells),
    ):
        assert sum(k in masked for k in line) != 1, line
    # Smallest first: column T1 takes (35051, T1), row 35238 takes (35238, T3).
    assert masked == {("35238", "T1"), ("35051", "T1"), ("35238", "T3"), ("35051", "T3")}


def test_zero_cells_are_not_secret() -> None:
    assert masquer({("a",): 0, ("b",): 9}) == set()
