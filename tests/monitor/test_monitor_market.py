"""Scripted market on a real anvil: drift, then a crash. The monitor re-proves every
epoch, warns on the thin margin before the position fails, alerts on the unprovable
position without sending anything, on the breaker trip, on the deadline at risk and on
isSolvent == false. Sinks: a webhook receiver checks every alert's HMAC-SHA256 signature;
the Prometheus endpoint is scraped."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from prover.monitor import Monitor, load_monitor_config
from prover.monitor.sinks import SIGNATURE_HEADER
from tests.monitor.conftest import make_market
from verifier_contracts import oracle as orc
from verifier_contracts import registry as reg

SECRET = "webhook-test-secret"


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(want, self.headers.get(SIGNATURE_HEADER, ""))
        self.received.append((ok, json.loads(body)))
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, Receiver.received
    server.shutdown()
    server.server_close()


def _types(records, **match):
    return [r for r in records if all(r.get(k) == v for k, v in match.items())]


def test_scripted_market(anvil, monitor_keys, tmp_path, receiver, capsys):
    server, received = receiver
    hook = (f'[monitor.webhook]\nurl = "http://127.0.0.1:{server.server_address[1]}/"\n'
            f'secret_env = "HOOK_SECRET"\ntimeout = 2.0\nretries = 2\n\n'
            f'[monitor.metrics]\nport = 0\nper_account_margin = true\n')
    m = make_market(anvil, monitor_keys, tmp_path, ["alice", "bob"], extra=hook)
    env = {**m.env(), "HOOK_SECRET": SECRET}
    mon = Monitor(load_monitor_config(tmp_path / "zksolvency.toml"), env=env)
    port = mon.metrics.start()
    alice = m.address("alice")
    try:
        # drift: 3000 -> 2900 -> 2800; alice's margin 14.3 %, 10.5 %, 6.7 % (buffer 10 %)
        for epoch, eth in enumerate((3000, 2900, 2800), start=1):
            assert m.open(eth)["epoch"] == epoch
            mon.step()
            assert m.proven_epoch("alice") == epoch and m.proven_epoch("bob") == epoch
            mon.step()                                    # nothing new: nothing sent twice
        margin = _types(mon.records, type="margin_low")
        assert [(r["account"], r["epoch"]) for r in margin] == [("alice", 3)]
        assert margin[0]["data"]["failure_prices"]["ETH"] == "2625"
        assert 6.6 < margin[0]["data"]["margin_pct"] < 6.7
        assert len(_types(mon.records, type="accepted")) == 6
        # 2500: alice cannot be proven -> alert, no transaction; bob still proven
        nonce = m.chain.w3.eth.get_transaction_count(alice)
        assert m.open(2500)["epoch"] == 4
        mon.step()
        unprovable = _types(mon.records, type="unprovable")
        assert [(r["account"], r["epoch"]) for r in unprovable] == [("alice", 4)]
        assert m.chain.w3.eth.get_transaction_count(alice) == nonce
        assert m.proven_epoch("alice") == 3 and m.proven_epoch("bob") == 4
        first_margin = mon.records.index(margin[0])
        assert first_margin < mon.records.index(unprovable[0])
        # the grace period runs out: first the deadline alert, then isSolvent == false
        m.chain.increase_time(400)
        mon.step()
        assert [r["account"] for r in _types(mon.records, type="deadline_at_risk")] == ["alice"]
        assert not _types(mon.records, type="not_solvent")
        m.chain.increase_time(600)
        mon.step()
        assert not reg.is_solvent(m.chain, m.registry, alice)
        assert [r["account"] for r in _types(mon.records, type="not_solvent")] == ["alice"]
        # crash: 2000 is 33 % under the reference, the oracle's breaker trips
        out = m.open(2000)
        assert out["epoch"] == 0 and out["tripped"] == "DEVIATION"
        mon.step()
        trips = _types(mon.records, type="breaker_tripped")
        assert len(trips) == 1 and trips[0]["data"]["cause"] == "DEVIATION"
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                         timeout=5).read().decode()
        # the guardian resets the breaker (reset delay 0 here): a reset alert
        orc.reset(m.chain, m.oracle)
        mon.step()
        assert len(_types(mon.records, type="breaker_reset")) == 1
    finally:
        mon.close()
    # every alert reached the webhook, signed; nothing else did
    alerts = [r for r in mon.records if r["kind"] == "alert"]
    assert received and all(ok for ok, _ in received)
    assert [b for _, b in received] == alerts
    assert {a["type"] for a in alerts} == {"margin_low", "unprovable", "deadline_at_risk",
                                            "not_solvent", "breaker_tripped",
                                            "breaker_reset"}
    for a in alerts:
        assert set(a) == {"ts", "kind", "type", "severity", "account", "epoch", "message",
                          "data"}
    # every record was a JSON line on stdout
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert lines == mon.records
    # metrics
    values = {line.split(" ")[0]: float(line.split(" ")[1]) for line in metrics.splitlines()
              if line and not line.startswith("#")}
    assert values["zksolvency_monitor_last_proven_epoch"] == 4
    assert values["zksolvency_monitor_submissions_total"] == 7
    assert values["zksolvency_monitor_breaker_tripped"] == 1
    assert values['zksolvency_monitor_failures_total{reason="unprovable"}'] == 1
    assert values["zksolvency_monitor_proof_seconds_count"] == 7
    assert 'zksolvency_monitor_margin_percent{account="alice"}' in values
