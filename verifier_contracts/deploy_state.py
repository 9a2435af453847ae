"""Resumable, idempotent deployments recorded in a JSON state file.

Each step records its chain id, nonce, transaction hash and, once mined, the address. A
re-run reuses a deployed step (code present at the address), waits for a sent one, and
re-sends an unmined one with the *recorded nonce*, so a step is never deployed twice.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from verifier_contracts.chain import Chain
from zk import atomic
from zk.errors import ChainError


class DeployState:
    """Steps of a multi-contract deployment, persisted atomically after every change."""

    def __init__(self, path: str | os.PathLike | None):
        self.path = Path(path) if path else None
        self.steps: dict[str, dict] = {}
        if self.path and self.path.exists():
            data = atomic.loads_strict(self.path.read_bytes(), str(self.path))
            if not isinstance(data, dict) or not isinstance(data.get("steps"), dict):
                raise ChainError(f"{self.path}: not a deployment state file")
            self.steps = data["steps"]

    def _save(self) -> None:
        if self.path:
            atomic.write_json(self.path, {"version": 1, "steps": self.steps})

    def deploy(self, chain: Chain, step: str, creation_code: bytes, *,
               gas: int | None = None) -> str:
        """Deploy `creation_code` as `step` unless already done; return its address."""
        chain_id = chain.chain_id
        rec = self.steps.get(step)
        if rec and rec.get("chain_id") != chain_id:
            raise ChainError(f"state file step {step!r} is for chain {rec.get('chain_id')}, "
                             f"connected to {chain_id}")
        if rec and rec.get("address") and chain.code_at(rec["address"]):
            return rec["address"]
        nonce = None
        if rec and rec.get("tx_hash"):
            receipt = chain.receipt(rec["tx_hash"])
            if receipt is not None:
                return self._finish(chain, step, receipt)
            if chain.nonce() <= rec["nonce"]:
                nonce = rec["nonce"]  # never mined: re-send in the same nonce slot

        def sent(tx_hash: str, used_nonce: int) -> None:
            self.steps[step] = {"chain_id": chain_id, "nonce": used_nonce, "tx_hash": tx_hash,
                                "sha256": _digest(creation_code)}
            self._save()

        address, receipt = chain.deploy(creation_code, gas=gas, action=f"deploy {step}",
                                        nonce=nonce, on_sent=sent)
        return self._finish(chain, step, receipt)

    def _finish(self, chain: Chain, step: str, receipt: dict) -> str:
        address = receipt.get("contractAddress")
        if receipt.get("status") != 1 or not address or not chain.code_at(address):
            raise ChainError(f"deploy {step}: transaction failed or left no code")
        self.steps[step]["address"] = address
        self._save()
        return address

    def __repr__(self) -> str:
        return f"DeployState({json.dumps(self.steps)})"



def deploy_step(chain: Chain, step: str, creation_code: bytes, state: DeployState | None,
                *, gas: int | None = None) -> str:
    """Deploy `creation_code` as `step`: resumably through `state` when given, else in one
    transaction. Returns the address."""
    if state is not None:
        return state.deploy(chain, step, creation_code, gas=gas)
    address, _ = chain.deploy(creation_code, gas=gas, action=f"deploy {step.replace('_', ' ')}")
    return address

def _digest(code: bytes) -> str:
    import hashlib

    return hashlib.sha256(code).hexdigest()
