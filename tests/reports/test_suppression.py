"""Small-cell suppression: no hidden cell can be read back from what a report shows."""

import itertools
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.suppression import (
    COMPLEMENTARY,
    COMPLEMENTARY_LABEL,
    PRIMARY,
    Grid,
    small_cell_label,
    suppress_scalar,
    suppress_table,
)


def table(rows, *, columns=None, counts_people=True, key="gender"):
    width = len(rows[0][1]) if rows else 1
    return SimpleNamespace(
        key=key,
        title="Participants by gender",
        definition="Participants served, by the gender they gave.",
        counts_people=counts_people,
        row_header="Gender",
        columns=columns or [f"Column {n}" for n in range(width)],
        rows=rows,
    )


def texts(suppressed):
    return {label: [cell.text for cell in cells] for label, cells in suppressed.rows}


# --- The case --------------------------------------------------------------------------


def test_a_cell_of_3_is_hidden_and_cannot_be_recomputed_from_its_row_or_column_total():
    shown = suppress_table(
        table(
            [("Woman", [3, 40]), ("Man", [25, 60]), ("Declined to answer", [30, 45])],
            columns=["Under 30", "30 and over"],
        ),
        threshold=10,
    )

    woman = shown.rows[0][1]
    assert woman[0].text == "<11"
    # Its row total is shown, so another cell of the row is hidden with it...
    assert woman[2].text == "43"
    assert woman[1].text == COMPLEMENTARY_LABEL
    # ...and its column total is shown, so another cell of the column is hidden too.
    under_30 = [cells[0] for _, cells in shown.rows]
    assert shown.total_row[0].text == "58"
    assert sum(cell.is_hidden for cell in under_30) >= 2
    # A reader subtracting every shown cell from a total is left with two or more unknowns.
    for line in [woman[:2], under_30]:
        assert sum(cell.is_hidden for cell in line) >= 2


def test_label_follows_the_threshold(settings):
    settings.REPORT_SUPPRESSION_THRESHOLD = 5

    assert small_cell_label() == "<6"
    assert suppress_scalar(5, counts_people=True).text == "<6"
    assert suppress_scalar(6, counts_people=True).text == "6"


def test_scalar_people_count_is_hidden_but_zero_and_supplies_are_not():
    assert suppress_scalar(7, counts_people=True, threshold=10).text == "<11"
    assert suppress_scalar(1, counts_people=True, threshold=10).text == "<11"
    assert suppress_scalar(10, counts_people=True, threshold=10).text == "<11"
    assert suppress_scalar(11, counts_people=True, threshold=10).text == "11"
    assert suppress_scalar(0, counts_people=True, threshold=10).text == "0"
    assert suppress_scalar(7, counts_people=False, threshold=10).text == "7"


def test_supply_tables_are_shown_in_full():
    shown = suppress_table(
        table([("Syringes", [3]), ("Naloxone", [2])], counts_people=False, key="supplies"),
        threshold=10,
    )

    assert texts(shown) == {"Syringes": ["3"], "Naloxone": ["2"]}
    assert shown.total_row[0].text == "5"


def test_one_column_table_hides_a_second_cell_so_the_total_gives_nothing_away():
    shown = suppress_table(
        table([("18-29", [4]), ("30-39", [35]), ("40-49", [22]), ("50+", [60])]), threshold=10
    )

    assert texts(shown) == {
        "18-29": ["<11"],
        "30-39": ["35"],
        "40-49": [COMPLEMENTARY_LABEL],
        "50+": ["60"],
    }
    assert shown.total_row[0].text == "121"


def test_two_small_cells_that_must_both_be_ten_are_protected_by_a_third():
    # 70 - 50 = 20 = 10 + 10: two "<11" cells adding up to 20 would both be 10.
    shown = suppress_table(table([("Row", [10, 10, 50])]), threshold=10)

    assert [cell.hidden for cell in shown.rows[0][1]] == [PRIMARY, PRIMARY, COMPLEMENTARY, ""]


def test_overlapping_breakdowns_get_no_total():
    shown = suppress_table(
        table([("Stimulants", [30]), ("Opioids", [4])], key="substances"), threshold=10
    )

    assert shown.total_row is None
    assert texts(shown) == {"Stimulants": ["30"], "Opioids": ["<11"]}


# --- Property: a reader who knows the rules still cannot work out any hidden cell --------------


THRESHOLD = 2


def line_allows_another_value(grid: Grid, equation, target, threshold: int) -> bool:
    """From this one row or column and its total alone, could `target` differ from the truth?

    The reader knows the shown numbers, that "<t+1" is 1..t and that "*" is 0 or above t; every
    cell of a line is at most its total. Exhaustive over the line's hidden entries.
    """
    entries = equation.entries
    hidden = [entry for entry in entries if grid.is_hidden(entry)]
    bound = sum(grid.value(entry) for entry in equation.members) + threshold + 1

    def domain(entry):
        if grid.hidden[entry[0]][entry[1]] == PRIMARY:
            return range(1, threshold + 1)
        return [0, *range(threshold + 1, bound + 1)]

    def value(entry, assignment):
        return assignment[entry] if entry in assignment else grid.value(entry)

    for values in itertools.product(*(domain(entry) for entry in hidden)):
        assignment = dict(zip(hidden, values, strict=True))
        members = sum(value(entry, assignment) for entry in equation.members)
        if members == value(equation.total, assignment) and value(target, assignment) != grid.value(
            target
        ):
            return True
    return False


def sums_allow_another_value(grid: Grid, target) -> bool:
    """Adding and subtracting all the rows and columns, could `target` still differ?

    Looks for a change of -1, 0 or +1 to each hidden entry that keeps every shown total (a
    change to a hidden total is the change of its cells) and changes `target`. Row and column
    sums form a network matrix, so if any change exists, one of this kind does.
    """
    interior = [
        entry
        for entry in grid.entries()
        if grid.is_hidden(entry) and not any(entry == eq.total for eq in grid.equations)
    ]
    total_of = {equation.total: equation.members for equation in grid.equations}

    def change(entry, changes):
        if entry in total_of:
            return sum(change(member, changes) for member in total_of[entry])
        return changes.get(entry, 0)

    for steps in itertools.product((-1, 0, 1), repeat=len(interior)):
        changes = dict(zip(interior, steps, strict=True))
        if change(target, changes) == 0:
            continue
        if all(
            change(equation.total, changes) == 0
            for equation in grid.equations
            if not grid.is_hidden(equation.total)
        ) and all(
            change(entry, changes) == 0 for entry in grid.entries() if not grid.is_hidden(entry)
        ):
            return True
    return False


grids = st.integers(min_value=1, max_value=3).flatmap(
    lambda rows: st.integers(min_value=1, max_value=3).flatmap(
        lambda columns: st.lists(
            st.lists(st.sampled_from([0, 1, 2, 3, 5, 8, 13]), min_size=columns, max_size=columns),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=grids)
def test_no_hidden_cell_can_be_recomputed_from_row_and_column_totals(values):
    rows, columns = len(values), len(values[0])
    grid = Grid.with_totals(values, row_totals=columns > 1, column_totals=rows > 1)
    grid.suppress(THRESHOLD)

    # Every small count is hidden as "<3"; nothing else is labelled so.
    for entry in grid.entries():
        value = grid.value(entry)
        assert (grid.hidden[entry[0]][entry[1]] == PRIMARY) == (1 <= value <= THRESHOLD)
    if all(grid.is_hidden(entry) for entry in grid.entries()):
        # Nothing is left to show or hide: a tiny table of "<3" cells under a "<3" total may
        # still give itself away (1 + 1 = "<3"); with the real threshold of 10 that takes ten
        # cells of 1 under a total of 10.
        return
    for equation in grid.equations:
        for entry in equation.entries:
            if grid.is_hidden(entry):
                assert line_allows_another_value(grid, equation, entry, THRESHOLD), (
                    f"{entry} follows from its row or column: {grid.hidden}"
                )
    for entry in grid.entries():
        if grid.is_hidden(entry):
            assert sums_allow_another_value(grid, entry), (
                f"{entry} follows from the sums: {grid.hidden}"
            )


@pytest.mark.parametrize(
    ("values", "hidden_cells"),
    [
        ([[3, 40], [20, 25]], 4),
        ([[0, 3, 0], [0, 0, 0]], 4),  # the 3, and its row, column and grand totals
    ],
)
def test_complementary_suppression_hides_no_more_than_it_needs(values, hidden_cells):
    grid = Grid.with_totals(values, row_totals=True, column_totals=True)
    grid.suppress(10)

    assert sum(1 for row in grid.hidden for mark in row if mark) == hidden_cells
