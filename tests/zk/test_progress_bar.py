"""zk.progress.bar: done/total, rate and ETA on a terminal; silent otherwise."""
from __future__ import annotations

from zk import progress


def test_bar_reports_done_rate_and_eta(monkeypatch, capsys):
    monkeypatch.setenv("ZK_PROGRESS", "1")
    bar = progress.bar("batch proofs", 4, done=1)
    bar.advance()
    err = capsys.readouterr().err
    assert "batch proofs: 1/4" in err and "batch proofs: 2/4" in err and "ETA" in err
    assert bar.rate() > 0
    bar.advance(2)
    assert capsys.readouterr().err.endswith("\n")             # a finished bar ends its line


def test_bar_silent_off_terminal(monkeypatch, capsys):
    monkeypatch.setenv("ZK_PROGRESS", "0")
    progress.bar("x", 2).advance()
    assert capsys.readouterr().err == ""
