"""The benchmark table: each figure, its baseline, its target and whether it was met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    label: str
    result: str
    baseline: str
    target: str
    ok: bool | None  # None: nothing to judge yet (the feature does not exist)
    note: str = ""

    @property
    def status(self) -> str:
        return "pending" if self.ok is None else "ok" if self.ok else "MISSED"


def print_table(rows: list[Row]) -> int:
    """Print the rows as a table, notes indented under their figure; returns how many missed."""
    headings = ("Measure", "Result", "Baseline", "Target", "Status")
    cells = [(r.label, r.result, r.baseline, r.target, r.status) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headings)]

    def line(values: tuple[str, ...]) -> str:
        label, *rest = values
        parts = [label.ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(rest[:-1], widths[1:-1], strict=True)
        ]
        return "  ".join(parts + [rest[-1]]).rstrip()

    print(line(headings))
    print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for row, values in zip(rows, cells, strict=True):
        print(line(values))
        if row.note:
            print(f"    {row.note}")
    return sum(1 for r in rows if r.ok is False)
