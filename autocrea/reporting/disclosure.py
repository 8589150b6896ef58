"""Small-cell suppression for published tables (equity breakdowns): cells under 5 people are hidden.

Primary suppression hides every sensitive cell (1–4 people by default). Complementary (secondary)
suppression then protects them from subtraction: a "line" is a row or a column whose sum is known
(a published total, or a total that is itself a cell of the line); a line with exactly one hidden
cell would give that cell away, so the smallest other visible cell of the line is hidden too.
This repeats until no line has exactly one hidden cell. The rules are written in docs/kpis.md.
"""

from __future__ import annotations

from collections.abc import Sequence

THRESHOLD = 5


def is_sensitive(value: int | None, *, threshold: int = THRESHOLD, zeros_sensitive: bool = False) -> bool:
    """Return whether a count is too small to publish on its own."""
    if value is None:
        return False
    if value == 0:
        return zeros_sensitive
    return value < threshold


def suppress(
    table: Sequence[Sequence[int | None]],
    *,
    threshold: int = THRESHOLD,
    rows_are_lines: bool = True,
    columns_are_lines: bool = True,
    zeros_sensitive: bool = False,
) -> list[list[bool]]:
    """Return a mask of the cells to hide (True = hidden) with primary and complementary suppression.

    `None` marks a cell that is not published at all (never chosen, never counted as hidden).
    Set `rows_are_lines` / `columns_are_lines` to False when no total is published along that
    direction: a lone hidden cell there cannot be recomputed, so it needs no partner.
    """
    hidden = [[is_sensitive(v, threshold=threshold, zeros_sensitive=zeros_sensitive) for v in row] for row in table]
    lines: list[list[tuple[int, int]]] = []
    if rows_are_lines:
        lines += [[(r, c) for c in range(len(row))] for r, row in enumerate(table)]
    if columns_are_lines and table:
        width = max(len(row) for row in table)
        lines += [[(r, c) for r in range(len(table)) if c < len(table[r])] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [(r, c) for r, c in line if table[r][c] is not None]
            if sum(hidden[r][c] for r, c in cells) != 1:
                continue
            candidates = [(r, c) for r, c in cells if not hidden[r][c]]
            if not candidates:
                continue
            # Hide the smallest visible cell, preferring non-zero cells: a hidden zero next to a hidden
            # small cell may be guessed by someone who knows that zeros are never primary-suppressed.
            r, c = min(candidates, key=lambda rc: (table[rc[0]][rc[1]] == 0, table[rc[0]][rc[1]], rc))
            hidden[r][c] = True
            changed = True
    return hidden


def apply(table: Sequence[Sequence[int | None]], mask: Sequence[Sequence[bool]]) -> list[list[int | None]]:
    """Return the table with the hidden cells replaced by None."""
    return [
        [None if hide else value for value, hide in zip(row, mask_row, strict=True)]
        for row, mask_row in zip(table, mask, strict=True)
    ]
