"""Kill and restart: the monitor (the CLI, in a subprocess) is SIGKILLed right after it
broadcasts a submission that anvil has not mined yet. The restarted monitor reconciles
first: it finds the pending transaction, replaces it at the same nonce with a higher fee,
and sends nothing else. Exactly one SolvencyProven, one nonce used, solvent before the
deadline. Then SIGTERM / SIGINT stop a running monitor with exit 143 / 130."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from eth_utils import keccak
from web3.exceptions import TransactionNotFound

from tests.monitor.conftest import make_market
from verifier_contracts import registry as reg

ROOT = Path(__file__).resolve().parents[2]
PROVEN = keccak(text="ProofAccepted(uint8,address,uint64,uint64,uint64,uint256,uint256,uint256)")


def _start(m, *args) -> subprocess.Popen:
    env = {**os.environ, **m.env(), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "prover.cli", "monitor", "--config",
                             str(m.folder / "zksolvency.toml"), *args], cwd=m.folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _until(proc, kind: str) -> list[dict]:
    """Read JSON lines until a record of type `kind` (returned with those before it)."""
    seen = []
    for line in proc.stdout:
        rec = json.loads(line)
        seen.append(rec)
        if rec["type"] == kind:
            return seen
    raise AssertionError(f"no {kind} record; stderr: {proc.stderr.read()}")


def _mine(m, auto: bool) -> None:
    m.chain.w3.provider.make_request("evm_setAutomine", [auto])
    if auto:
        m.chain.w3.provider.make_request("evm_mine", [])


def test_sigkill_after_broadcast_then_restart(anvil, monitor_keys, tmp_path):
    m = make_market(anvil, monitor_keys, tmp_path, ["carol"])
    carol = m.address("carol")
    assert m.open(3000)["epoch"] == 1
    nonce0 = m.chain.w3.eth.get_transaction_count(carol)
    block0 = m.chain.w3.eth.block_number
    _mine(m, False)
    try:
        first = _start(m)
        seen = _until(first, "submitted")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        first.stdout.close()
        first.stderr.close()
        sent = seen[-1]["data"]["tx_hash"]
        assert m.chain.w3.eth.get_transaction(sent)["blockNumber"] is None   # pending
        assert m.proven_epoch("carol") == 0
        second = _start(m, "--once")
        seen = _until(second, "replaced")          # reconciled, stuck, replaced
        assert [r["type"] for r in seen[:2]] == ["started", "reconcile"]
        _mine(m, True)
        rest = [json.loads(line) for line in second.stdout]
        assert second.wait(timeout=60) == 0, second.stderr.read()
        second.stderr.close()
    finally:
        _mine(m, True)
    records = seen + rest
    types = [r["type"] for r in records]
    assert "proven" not in types                    # the proof was not made again
    assert types.count("accepted") == 1
    logs = m.chain.w3.eth.get_logs({"address": m.registry, "fromBlock": block0,
                                    "topics": ["0x" + PROVEN.hex()]})
    assert len(logs) == 1
    assert m.chain.w3.eth.get_transaction_count(carol) == nonce0 + 1
    assert m.proven_epoch("carol") == 1 and reg.is_solvent(m.chain, m.registry, carol)
    status = reg.status(m.chain, m.registry, carol)
    opened = m.opened_at()
    assert status["block_timestamp"] < opened + status["grace"]      # deadline not missed
    # a third start has nothing to do: no transaction at all
    third = _start(m, "--once")
    out, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert [json.loads(x)["type"] for x in out.splitlines()] == ["started", "stopped"]
    assert m.chain.w3.eth.get_transaction_count(carol) == nonce0 + 1


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_finishes_the_step_and_exits_with_the_cli_code(anvil, monitor_keys, tmp_path,
                                                              sig, code):
    m = make_market(anvil, monitor_keys, tmp_path, ["carol"])
    assert m.open(3000)["epoch"] == 1
    proc = _start(m)
    _until(proc, "accepted")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert json.loads(out.splitlines()[-1])["type"] == "stopped"


def test_restart_after_the_nonce_went_to_another_transaction(anvil, monitor_keys, tmp_path):
    """The killed monitor's submission never gets mined: the account's key sent another
    transaction at that nonce with a higher fee. The restart sees the nonce used by none of
    its hashes, alerts, and submits the statement again: accepted once."""
    from tests.verifier_contracts.conftest import ANVIL_KEYS
    m = make_market(anvil, monitor_keys, tmp_path, ["carol"])
    carol_chain = m.chain.with_key(ANVIL_KEYS[3])
    assert m.open(3000)["epoch"] == 1
    block0 = m.chain.w3.eth.block_number
    _mine(m, False)
    try:
        first = _start(m)
        sent = _until(first, "submitted")[-1]["data"]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        first.stdout.close()
        first.stderr.close()
        other = carol_chain.account.sign_transaction({
            "to": carol_chain.address, "value": 1, "gas": 21000, "nonce": sent["nonce"],
            "gasPrice": sent["gas_price"] * 2, "chainId": 31337})
        m.chain.w3.eth.send_raw_transaction(other.raw_transaction)
        _mine(m, True)
        with pytest.raises(TransactionNotFound):      # ours was replaced, never mined
            m.chain.w3.eth.get_transaction_receipt(sent["tx_hash"])
    finally:
        _mine(m, True)
    second = _start(m, "--once")
    out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err
    types = [json.loads(x)["type"] for x in out.splitlines()]
    assert "submission_lost" in types and types.count("accepted") == 1, types
    logs = m.chain.w3.eth.get_logs({"address": m.registry, "fromBlock": block0,
                                    "topics": ["0x" + PROVEN.hex()]})
    assert len(logs) == 1 and m.proven_epoch("carol") == 1
