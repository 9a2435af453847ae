"""Progress for long operations: nested steps and bars on stderr.

Three modes, chosen per call from ``ZK_PROGRESS`` and stderr:

- a terminal: ``rich`` live progress (spinner, bar, counts, elapsed, ETA), nested steps
  indented under their parent, colour unless ``NO_COLOR`` is set;
- ``ZK_PROGRESS=1`` off a terminal (CI, logs): plain lines, one per event, indented by
  depth, without control characters;
- otherwise (or ``ZK_PROGRESS=0``): silent.

``rich`` is imported only when a live display starts, so ``import zk`` stays fast.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

_lock = threading.RLock()
_live: Any = None          # the shared rich Progress while any step or bar is open
_open = 0                  # open steps and unfinished bars
_local = threading.local()  # .depth: nesting depth of this thread's open steps


def _get_depth() -> int:
    return getattr(_local, "depth", 0)


def mode() -> str:
    """"live" (rich on a terminal), "plain" (lines) or "off"."""
    forced = os.environ.get("ZK_PROGRESS")
    tty = sys.stderr.isatty()
    if forced == "0" or (forced != "1" and not tty):
        return "off"
    return "live" if tty and os.environ.get("TERM") != "dumb" else "plain"


def enabled() -> bool:
    """True when progress is shown (a terminal, or ZK_PROGRESS=1; ZK_PROGRESS=0 hides it)."""
    return mode() != "off"


def _plain(text: str) -> None:
    sys.stderr.write("  " * (_get_depth() + 1) + text + "\n")
    sys.stderr.flush()


def _acquire() -> Any:
    """The shared rich Progress, started on first use."""
    global _live, _open
    with _lock:
        if _live is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            _live = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(),
                             TimeRemainingColumn(), console=Console(stderr=True),
                             transient=False)
            _live.start()
        _open += 1
        return _live


def _release() -> None:
    global _live, _open
    with _lock:
        _open -= 1
        if _open == 0 and _live is not None:
            _live.stop()
            _live = None


@contextmanager
def step(label: str) -> Iterator[None]:
    """A block of work shown as ``label`` with its elapsed time; steps opened inside it
    are shown nested under it."""
    how = mode()
    if how == "off":
        yield
        return
    t0 = time.perf_counter()
    if how == "plain":
        _plain(f"{label} ...")
    else:
        live = _acquire()
        task = live.add_task("  " * _get_depth() + label, total=None)
    _local.depth = _get_depth() + 1
    try:
        yield
    finally:
        _local.depth = _get_depth() - 1
        if how == "plain":
            _plain(f"{label}: done in {time.perf_counter() - t0:.2f}s")
        else:
            live.update(task, total=1, completed=1)
            _release()


class Bar:
    """Counts finished items: ``label done/total, rate/s, ETA`` (a rich bar on a
    terminal, a line per 5 % step in plain mode)."""

    def __init__(self, label: str, total: int, done: int = 0) -> None:
        self.label, self.total, self.done, self.start_done = label, total, done, done
        self.t0 = time.perf_counter()
        self.mode = mode()
        self._shown = -1.0
        self._task: Any = None
        if self.mode == "live":
            self._live = _acquire()
            self._task = self._live.add_task("  " * _get_depth() + label, total=total,
                                             completed=done)
        self._draw()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def rate(self) -> float:
        """Items per second since the bar started (items done before it excluded)."""
        elapsed = time.perf_counter() - self.t0
        return (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0

    def _draw(self) -> None:
        finished = self.done >= self.total
        if self.mode == "live" and self._task is not None:
            self._live.update(self._task, completed=self.done)
            if finished:
                self._task = None
                _release()
        elif self.mode == "plain":
            frac = self.done / self.total if self.total else 1.0
            if finished or frac - self._shown >= 0.05:
                self._shown = frac
                r = self.rate()
                eta = f"{(self.total - self.done) / r:.0f}s" if r > 0 else "?"
                _plain(f"{self.label}: {self.done}/{self.total}, {r:.2f}/s, ETA {eta}")


def bar(label: str, total: int, done: int = 0) -> Bar:
    """A progress bar over ``total`` items (``done`` already finished)."""
    return Bar(label, total, done)
