"""Tables for command output: a rich table (colour, box lines) on a terminal, aligned
plain text otherwise (logs, pipes, scripts: no control characters).

    table(["field", "value"], [["circuit", "ReserveCheck"], ["constraints", 1092]],
          title="circuit")

rich is imported only when stdout is a terminal.
"""
from __future__ import annotations

import sys
from typing import Iterable, Sequence

import click


def plain(columns: Sequence[str], rows: Sequence[Sequence[object]],
          title: str | None = None) -> str:
    """The plain-text form: optional title line, header, rows; columns aligned, two
    spaces apart, each row indented by two spaces."""
    cells = [[str(c) for c in columns]] + [[str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = [title] if title else []
    for r in cells:
        lines.append("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def table(columns: Sequence[str], rows: Iterable[Sequence[object]],
          title: str | None = None) -> None:
    """Print a table on stdout (rich on a terminal, :func:`plain` otherwise)."""
    body = [list(r) for r in rows]
    if not sys.stdout.isatty():
        click.echo(plain(columns, body, title))
        return
    from rich.console import Console
    from rich.table import Table
    t = Table(title=title, title_justify="left", header_style="bold")
    for i, c in enumerate(columns):
        t.add_column(c, justify="right" if body and all(isinstance(r[i], int)
                                                         for r in body) else "left")
    for r in body:
        t.add_row(*(str(v) for v in r))
    Console().print(t)
