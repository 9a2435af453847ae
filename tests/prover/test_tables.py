"""prover.tables: rich on a terminal (checked through a real pseudo-terminal), aligned
plain text otherwise."""
from __future__ import annotations

from prover.tables import plain
from tests.terminal import run_on_terminal


def test_plain_is_aligned_text():
    out = plain(["index", "name"], [[0, "total"], [10, "ratio_bps"]], title="inputs")
    assert out.splitlines() == ["inputs", "  index  name", "  0      total",
                                "  10     ratio_bps"]


def test_a_terminal_gets_a_rich_table_with_colour():
    code = "from prover.tables import table; table(['n', 'name'], [[1, 'a']], title='t')"
    text, _ = run_on_terminal(code)
    assert "\x1b[" in text and "┃" in text and "name" in text    # box lines, bold header
