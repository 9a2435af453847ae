"""The exit-code table (README, "Exit codes"), one row at a time, from real processes
where the code is what a shell sees."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from prover.cli import main
from tests.prover.test_cli import EXAMPLE, INPUTS, flow  # noqa: F401 - shared fixture
from zk.errors import (
    EXIT_CHAIN,
    EXIT_CLAIM,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    exit_code,
)

REPO = Path(__file__).resolve().parents[2]
ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CLI = [sys.executable, "-m", "prover.cli"]


def run(*args, code: int):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == code, (res.output, res.exception)
    return res


def test_valid_proof_exits_0_invalid_exits_1_malformed_exits_2(flow):  # noqa: F811
    vk, proof, public = (flow / "keys/verification_key.json", flow / "proof.json",
                         flow / "public.json")
    run("verify", vk, public, proof, code=EXIT_OK)
    values = json.loads(public.read_text())
    wrong = flow / "wrong.json"
    wrong.write_text(json.dumps([str(int(values[0]) + 1)] + values[1:]))
    run("verify", vk, wrong, proof, code=EXIT_CLAIM)
    bad = flow / "bad.json"
    bad.write_text('["1", "x"]')
    run("verify", vk, bad, proof, code=EXIT_INPUT)


def test_proof_for_another_key_exits_1_whether_or_not_it_names_the_key(flow, tmp_path):  # noqa: F811
    run("setup", EXAMPLE, "-o", tmp_path / "other", code=EXIT_OK)
    other = tmp_path / "other/verification_key.json"
    proof, public = flow / "proof.json", flow / "public.json"
    res = run("verify", other, public, proof, code=EXIT_CLAIM)
    assert "another key" in res.output
    anonymous = json.loads(proof.read_text())
    anonymous.pop("key_id", None)
    anonymous.pop("vk_hash", None)
    (tmp_path / "anon.json").write_text(json.dumps(anonymous))
    run("verify", other, public, tmp_path / "anon.json", code=EXIT_CLAIM)


def test_position_not_provable_at_these_prices_exits_1(tmp_path):
    shutil.copytree(REPO / "examples/collateral", tmp_path / "c")
    pf = tmp_path / "c/portfolio.json"
    obj = json.loads(pf.read_text())
    obj["debt"]["USDC"] = "60000"
    pf.write_text(json.dumps(obj))
    res = run("collateral", "prove", "--policy", tmp_path / "c/policy.json", "--prices",
              tmp_path / "c/prices.json", "--portfolio", pf, "--prover", ADDR, "--keys",
              tmp_path / "keys", "-o", tmp_path / "out", code=EXIT_CLAIM)
    assert "minimum collateral ratio" in res.output and not (tmp_path / "out").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_rpc_failure_exits_3(flow):  # noqa: F811
    url = f"http://127.0.0.1:{_closed_port()}"
    env = dict(os.environ, ZKSOLVENCY_PRIVATE_KEY="0x" + "11" * 32)
    out = subprocess.run([*CLI, "contract", "verify", "0x" + "22" * 20,
                          str(flow / "public.json"), str(flow / "proof.json"), "--rpc-url",
                          url], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == EXIT_CHAIN, out.stderr
    assert "Traceback" not in out.stderr and "connect" in out.stderr


class _SilentNode:
    """A TCP server that accepts JSON-RPC connections and never answers: a command
    talking to it blocks until it is signalled."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.connected = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.connected.set()

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.mark.parametrize("sig,code,word", [(signal.SIGINT, EXIT_SIGINT, "interrupted"),
                                           (signal.SIGTERM, EXIT_SIGTERM, "terminated")])
def test_signals_exit_130_and_143_after_a_clean_shutdown(flow, sig, code, word):  # noqa: F811
    node = _SilentNode()
    env = dict(os.environ, ZKSOLVENCY_PRIVATE_KEY="0x" + "11" * 32)
    proc = subprocess.Popen([*CLI, "contract", "verify", "0x" + "22" * 20,
                             str(flow / "public.json"), str(flow / "proof.json"),
                             "--rpc-url", node.url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert node.connected.wait(60), "the command never reached the node"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        node.close()
    assert proc.returncode == code, err
    assert f"error: {word}" in err and "Traceback" not in err


def test_a_revert_is_1_only_when_the_claim_fails():
    from eth_utils import keccak

    from verifier_contracts.revert import ContractRevert, decode_revert

    invalid = ContractRevert("submit", *decode_revert(keccak(text="InvalidProof()")[:4]))
    assert invalid.name == "InvalidProof" and exit_code(invalid) == EXIT_CLAIM
    from eth_abi import encode
    data = keccak(text="Error(string)")[:4] + encode(["string"], ["paused"])
    other = ContractRevert("submit", *decode_revert(data))
    assert other.name == "Error" and other.args_ == ("paused",)
    assert exit_code(other) == EXIT_CHAIN
