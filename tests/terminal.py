"""Run a Python snippet on a real pseudo-terminal and read back what it drew."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_on_terminal(code: str, *, capture_stdout: bool = False) -> tuple[str, str]:
    """Run `python -c code` with stdin and stderr (and stdout unless `capture_stdout`) on a
    pseudo-terminal (xterm-256color, 100 columns, colour and live progress allowed); assert
    it exits 0 and return (the terminal's bytes decoded, the captured stdout)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("ZK_PROGRESS", "NO_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="100")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=slave, stderr=slave,
                            stdout=subprocess.PIPE if capture_stdout else slave,
                            env=env, cwd=REPO)
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:                       # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    stdout = proc.stdout.read().decode() if capture_stdout else ""
    return screen.decode(), stdout
