"""`zksolvency monitor`: keep the configured positions proven, watch the registry and the
epoch oracle, raise alerts (JSON lines on stdout, webhook, Prometheus). Runs until
SIGTERM (exit 143) or SIGINT (exit 130), which finish the current step first."""
from __future__ import annotations

import signal
import sys

import click

from zk.errors import EXIT_SIGINT, EXIT_SIGTERM


@click.command("monitor")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="zksolvency.toml with a [monitor] section (default: the nearest one).")
@click.option("--chain", "profile", help="Chain profile (default: [monitor] profile).")
@click.option("--once", is_flag=True, help="Run one cycle, then exit.")
def monitor(config_path: str | None, profile: str | None, once: bool) -> None:
    """Keep positions proven each epoch; alert on margins, breaker, deadlines.

    Alerts on thin margins, breaker trips and resets, stale feeds, reverted submissions,
    isSolvent == false and deadlines at risk; see docs/monitor.md."""
    from prover.monitor import Monitor, load_monitor_config

    mon = Monitor(load_monitor_config(config_path, profile))
    got: list[int] = []

    def on_signal(signum, _frame) -> None:
        got.append(signum)
        mon.stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        mon.run(max_steps=1 if once else None)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        mon.close()
    if got:
        sys.exit(EXIT_SIGTERM if got[0] == signal.SIGTERM else EXIT_SIGINT)
