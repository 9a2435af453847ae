"""RPC faults: the monitor talks to anvil through a small HTTP proxy that drops 20 % of
requests (half before forwarding, half after: the answer is lost) and delays another 20 %,
from a fixed seed. Every position is still proven before its deadline, each statement
submitted once; two positions are proven at once (provers = 2) while the monitor submits."""
from __future__ import annotations

import random
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eth_utils import keccak

from prover.monitor import Monitor, load_monitor_config
from tests.monitor.conftest import make_market
from zk.errors import ChainError

PROVEN = keccak(text="ProofAccepted(uint8,address,uint64,uint64,uint64,uint256,uint256,uint256)")


class FaultyProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target: str, seed: int):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.target, self.rng, self.lock = target, random.Random(seed), threading.Lock()
        self.stats = {"forwarded": 0, "dropped": 0, "delayed": 0}

    def fate(self) -> str:
        with self.lock:
            r = self.rng.random()
        return "drop" if r < 0.2 else "delay" if r < 0.4 else "pass"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_POST(self):  # noqa: N802 - http.server API
        srv: FaultyProxy = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        fate = srv.fate()
        if fate == "drop" and srv.rng.random() < 0.5:
            srv.stats["dropped"] += 1
            self.close_connection = True            # nothing forwarded, no answer
            return
        if fate == "delay":
            srv.stats["delayed"] += 1
            time.sleep(0.3)
        req = urllib.request.Request(srv.target, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = resp.read()
        srv.stats["forwarded"] += 1
        if fate == "drop":                          # forwarded, the answer is lost
            srv.stats["dropped"] += 1
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *a):
        pass


def test_every_position_proven_before_its_deadline_through_a_faulty_rpc(
        anvil, monitor_keys, tmp_path):
    proxy = FaultyProxy(anvil, seed=20261130)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        m = make_market(anvil, monitor_keys, tmp_path, ["alice", "bob"],
                        rpc_url=f"http://127.0.0.1:{proxy.server_address[1]}",
                        extra="provers = 2\n")        # two proofs at once
        block0 = m.chain.w3.eth.block_number
        mon = Monitor(load_monitor_config(tmp_path / "zksolvency.toml"), env=m.env(),
                      sinks=[])
        try:
            for epoch, eth in enumerate((3000, 3050, 2990), start=1):
                assert m.open(eth)["epoch"] == epoch
                opened = m.opened_at()
                for _ in range(20):
                    try:
                        mon.step()
                    except ChainError:
                        continue                    # a cycle that ran out of retries
                    if m.proven_epoch("alice") == m.proven_epoch("bob") == epoch:
                        break
                assert m.proven_epoch("alice") == m.proven_epoch("bob") == epoch
                assert m.chain.timestamp() < opened + 900          # before the deadline
        finally:
            mon.close()
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert proxy.stats["dropped"] >= 10 and proxy.stats["delayed"] >= 10, proxy.stats
    logs = m.chain.w3.eth.get_logs({"address": m.registry, "fromBlock": block0,
                                    "topics": ["0x" + PROVEN.hex()]})
    assert len(logs) == 6                           # each statement submitted once
    assert len([r for r in mon.records if r["type"] == "accepted"]) == 6
