"""Alert sinks: JSON lines on stdout (always), a signed webhook, Prometheus metrics.

Alert / event JSON (one object per line; see docs/monitor.md):
    {"ts": unix seconds (float), "kind": "alert" | "event", "type": str,
     "severity": "info" | "warning" | "critical", "account": str | null,
     "epoch": int | null, "message": str, "data": {...}}
The webhook receives alerts only, as the POST body (the same JSON), with the header
``X-Zksolvency-Signature: sha256=<hex HMAC-SHA256 of the body under the secret>``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request
from typing import TextIO

from prover.monitor.config import MetricsConfig, WebhookConfig

SIGNATURE_HEADER = "X-Zksolvency-Signature"


def sign(secret: bytes, body: bytes) -> str:
    """The signature header's value for `body`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def make_record(kind: str, type_: str, severity: str, message: str, *,
                account: str | None = None, epoch: int | None = None, **data) -> dict:
    return {"ts": round(time.time(), 3), "kind": kind, "type": type_, "severity": severity,
            "account": account, "epoch": epoch, "message": message, "data": data}


class StdoutSink:
    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def __call__(self, record: dict) -> None:
        out = self.stream or sys.stdout
        out.write(json.dumps(record, sort_keys=True) + "\n")
        out.flush()


class WebhookSink:
    """POST each alert with an HMAC-SHA256 signature; bounded retries with backoff. A
    failure is reported back (as an event on stdout), never raised into the loop."""

    def __init__(self, cfg: WebhookConfig, secret: bytes, on_failure=None):
        self.cfg, self.secret, self.on_failure = cfg, secret, on_failure

    def __call__(self, record: dict) -> bool:
        if record["kind"] != "alert":
            return True
        body = json.dumps(record, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret,
                                                                              body)}
        last = ""
        for attempt in range(self.cfg.retries + 1):
            req = urllib.request.Request(self.cfg.url, body, headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.cfg.timeout) as resp:
                    if 200 <= resp.status < 300:
                        return True
                    last = f"HTTP {resp.status}"
            except (urllib.error.URLError, OSError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            if attempt < self.cfg.retries:
                time.sleep(min(0.2 * 2 ** attempt, 5.0))
        if self.on_failure is not None:
            self.on_failure(last)
        return False


class Metrics:
    """Prometheus gauges and counters on their own registry, served on cfg.host:cfg.port
    (127.0.0.1 by default). Per-account margins only when cfg.per_account_margin."""

    def __init__(self, cfg: MetricsConfig):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.cfg = cfg
        self.registry = CollectorRegistry()
        r = self.registry
        self.last_epoch = Gauge("zksolvency_monitor_last_proven_epoch",
                                "Newest epoch proven and accepted for every account",
                                registry=r)
        self.proof_seconds = Histogram("zksolvency_monitor_proof_seconds",
                                       "Time to prove one position", registry=r)
        self.submissions = Counter("zksolvency_monitor_submissions",
                                   "Proofs accepted by the registry", registry=r)
        self.failures = Counter("zksolvency_monitor_failures",
                                "Positions not proven or submissions failed", ["reason"],
                                registry=r)
        self.breaker = Gauge("zksolvency_monitor_breaker_tripped",
                             "1 while the epoch oracle's breaker is tripped", registry=r)
        self.margin = Gauge("zksolvency_monitor_margin_percent", "Margin of a position",
                            ["account"], registry=r) if cfg.per_account_margin else None
        self.server = None

    def start(self) -> int:
        """Serve the endpoint; returns the bound port."""
        from prometheus_client import start_http_server

        self.server, _thread = start_http_server(self.cfg.port, addr=self.cfg.host,
                                                 registry=self.registry)
        return self.server.server_address[1]

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
