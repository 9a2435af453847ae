"""Solidity Groth16 verifier and SolvencyRegistry: export, calldata, deploy and submit.

Everything here works without a Solidity compiler: contracts ship as compiled artifacts.
Names are imported on first use, so the pure encodings (``verifier_contracts.vk``,
``.calldata``) load no chain library (web3, eth_tester).
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "attesters": ["add_attester", "deploy_attester_registry", "is_allowed", "revoke_attester"],
    "calldata": ["Proof", "encode_verify_call", "parse_proof", "parse_public", "proof_args",
                 "solidity_calldata"],
    "chain": ["KEY_ENV", "Chain", "connect"],
    "deploy_state": ["DeployState"],
    "export": ["verifier_source"],
    "registry": ["ATTESTED", "CREDIT", "REGISTERED", "SOLVENCY", "credit_of",
                 "deploy_registry", "is_solvent", "layout_of", "record_position",
                 "registry_layout", "set_policy", "solvency_of", "status", "submit",
                 "submit_credit"],
    "revert": ["ContractRevert", "decode_revert"],
    "verifier": ["check_precompiles", "check_verifier", "deploy_verifier",
                 "verifier_creation_code", "verify_on_chain"],
    "vk": ["VerifyingKey", "key_id", "parse_vk", "verify_selector", "vk_hash"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'verifier_contracts' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"verifier_contracts.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
