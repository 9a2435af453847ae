"""zk.progress: nested steps and bars; rich live display on a terminal (checked through a
real pseudo-terminal), plain lines without control characters off one, silent by default
in logs; rich is imported only when a live display starts."""
from __future__ import annotations

import re

from tests.terminal import run_on_terminal
from zk import progress

_NESTED = """
import sys, time
from zk import progress
with progress.step("outer step"):
    with progress.step("inner step"):
        b = progress.bar("items", 3)
        for _ in range(3):
            time.sleep(0.02)
            b.advance()
print(sorted(m for m in ("rich",) if m in sys.modules))
"""


def _nested(monkeypatch, capsys, value: str) -> str:
    monkeypatch.setenv("ZK_PROGRESS", value)
    with progress.step("outer step"):
        with progress.step("inner step"):
            b = progress.bar("items", 3)
            for _ in range(3):
                b.advance()
    return capsys.readouterr().err


def test_plain_lines_nest_without_control_characters(monkeypatch, capsys):
    err = _nested(monkeypatch, capsys, "1")
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", err)      # no \r, no ESC
    lines = err.splitlines()
    assert lines[0] == "  outer step ..." and lines[1] == "    inner step ..."
    assert lines[2].startswith("      items: 0/3") and lines[5].startswith("      items: 3/3")
    assert lines[6].startswith("    inner step: done in ")
    assert lines[7].startswith("  outer step: done in ") and len(lines) == 8


def test_silent_when_not_a_terminal_or_turned_off(monkeypatch, capsys):
    monkeypatch.delenv("ZK_PROGRESS", raising=False)
    assert _nested(monkeypatch, capsys, "0") == ""
    monkeypatch.delenv("ZK_PROGRESS")
    with progress.step("x"):
        progress.bar("y", 2).advance(2)
    assert capsys.readouterr().err == ""


def test_live_rich_display_on_a_terminal():
    text, stdout = run_on_terminal(_NESTED, capture_stdout=True)
    assert stdout.strip() == "['rich']"                         # loaded for the display
    assert "\x1b[" in text                                      # colour, cursor control
    final = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text.split("\x1b[2K")[-1])
    rows = [r for r in final.replace("\r", "").split("\n") if r.strip()]
    assert [r.split()[0] for r in rows[-3:]] == ["outer", "inner", "items"]
    assert rows[-2].startswith("    inner step") and rows[-1].startswith("      items")
    assert "3/3" in rows[-1]                                    # one line each, nested
