"""Small-cell suppression on hand-made tables: primary (1–4 people) and complementary suppression."""

from __future__ import annotations

from autocrea.reporting import disclosure


def _hidden(mask: list[list[bool]]) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(mask) for c, hide in enumerate(row) if hide}


def test_a_table_without_small_cells_is_published_whole() -> None:
    assert _hidden(disclosure.suppress([[10, 12], [7, 30]])) == set()


def test_a_lone_small_cell_takes_the_smallest_cells_of_its_row_and_column_with_it() -> None:
    table = [
        [20, 3, 15],
        [9, 40, 8],
        [12, 11, 50],
    ]
    # 3 is primary; its row gets 15 (smallest of 20, 15), its column gets 11 (smallest of 40, 11);
    # then row 2 (11) takes 12, column 2 (15) takes 8, row 1 (8) takes 9, and every line has two.
    assert _hidden(disclosure.suppress(table)) == {(0, 1), (0, 2), (2, 1), (2, 0), (1, 2), (1, 0)}


def test_two_small_cells_in_one_line_protect_each_other_along_it() -> None:
    table = [
        [2, 4, 30],
        [25, 26, 27],
        [28, 29, 31],
    ]
    # Row 0 has two hidden cells; columns 0 and 1 have one each: the smallest cell of each is added.
    assert _hidden(disclosure.suppress(table)) == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_no_line_is_left_with_exactly_one_hidden_cell() -> None:
    table = [[1, 9, 14, 6], [7, 2, 30, 8], [40, 41, 3, 42], [5, 6, 7, 4]]
    mask = disclosure.suppress(table)
    for row in mask:
        assert sum(row) != 1
    for column in zip(*mask, strict=True):
        assert sum(column) != 1
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            if 0 < value < 5:
                assert mask[r][c]


def test_zeros_are_not_primary_but_can_be_chosen_last() -> None:
    assert _hidden(disclosure.suppress([[0, 10], [12, 14]])) == set()
    # The complement of the 2 prefers a non-zero cell over the zero.
    assert _hidden(disclosure.suppress([[2, 0, 9]], columns_are_lines=False)) == {(0, 0), (0, 2)}
    # With only a zero left in the line, the zero is taken.
    assert _hidden(disclosure.suppress([[2, 0]], columns_are_lines=False)) == {(0, 0), (0, 1)}
    assert _hidden(disclosure.suppress([[0, 10]], zeros_sensitive=True, columns_are_lines=False)) == {(0, 0), (0, 1)}


def test_a_single_column_without_row_totals_only_protects_down_the_column() -> None:
    mask = disclosure.suppress([[3], [20], [8]], rows_are_lines=False)
    assert _hidden(mask) == {(0, 0), (2, 0)}


def test_unpublished_cells_are_ignored() -> None:
    assert _hidden(disclosure.suppress([[3, None, 7]], columns_are_lines=False)) == {(0, 0), (0, 2)}


def test_apply_replaces_hidden_cells_with_none() -> None:
    table = [[3, 8], [9, 10]]
    assert disclosure.apply(table, disclosure.suppress(table)) == [[None, None], [None, None]]
