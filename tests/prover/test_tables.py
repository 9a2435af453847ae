"""prover.tables: rich on a terminal (checked through a real pseudo-terminal), aligned
plain text otherwise."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from prover.tables import plain

REPO = Path(__file__).resolve().parents[2]


def test_plain_is_aligned_text():
    out = plain(["index", "name"], [[0, "total"], [10, "ratio_bps"]], title="inputs")
    assert out.splitlines() == ["inputs", "  index  name", "  0      total",
                                "  10     ratio_bps"]


def test_a_terminal_gets_a_rich_table_with_colour():
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLUMNS="100")
    code = "from prover.tables import table; table(['n', 'name'], [[1, 'a']], title='t')"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=slave, stderr=slave,
                            env=env, cwd=REPO)
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    text = screen.decode()
    assert "\x1b[" in text and "┃" in text and "name" in text    # box lines, bold header
