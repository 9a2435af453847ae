"""The solvency monitor: keeps managed positions proven each epoch, follows the registry
and the epoch oracle, and raises alerts (JSON lines, webhook, Prometheus).

    from prover.monitor import Monitor, load_monitor_config
    mon = Monitor(load_monitor_config("zksolvency.toml"))
    mon.run()            # until stop() or SIGTERM/SIGINT; or mon.step() per cycle
"""
from prover.monitor.config import AccountConfig, MonitorConfig, load_monitor_config
from prover.monitor.core import Monitor
from prover.monitor.margin import margin_report

__all__ = ["AccountConfig", "Monitor", "MonitorConfig", "load_monitor_config",
           "margin_report"]
