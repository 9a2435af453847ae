"""prover: the application layer, a typed library for protocols and the zksolvency CLI.

    from prover import Prover, full_prove, verify, to_calldata

    prover = Prover.load("keys", "circuits.examples:ReserveCheck")   # keys loaded once
    bundle = prover.prove(inputs)       # ProofBundle: proof, public, values, calldata, key_id
    verify("keys", bundle.public, bundle.proof)

Names load on first use (PEP 562), so ``import prover`` pulls in no chain library; the
registry helpers (``connect``, ``deploy_registry``, ``submit``, ``status``, ...; the
registry reads an ``EpochOracle``, see ``verifier_contracts.oracle``) import web3 only
when used. See docs/library.md.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prover.api import full_prove, to_calldata, verify
    from prover.service import ProofBundle, Prover
    from verifier_contracts import connect, deploy_verifier
    from verifier_contracts.registry import (
        credit_of,
        deploy_registry,
        is_solvent,
        record_position,
        solvency_of,
        status,
        submit,
    )
    from zk.errors import ClaimFailed, MalformedInput, WrongKey, ZkError
    from zk.parse import address, to_checksum

_EXPORTS: dict[str, list[str]] = {
    "prover.service": ["Prover", "ProofBundle"],
    "prover.api": ["full_prove", "verify", "to_calldata"],
    "zk.errors": ["ZkError", "MalformedInput", "ClaimFailed", "WrongKey"],
    "zk.parse": ["address", "to_checksum"],
    # registry helpers: these import web3 on first use
    "verifier_contracts": ["connect", "deploy_verifier"],
    "verifier_contracts.registry": ["deploy_registry", "record_position", "submit",
                                    "is_solvent", "credit_of", "solvency_of", "status"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = ["ClaimFailed", "MalformedInput", "ProofBundle", "Prover", "WrongKey", "ZkError",
           "address", "connect", "credit_of", "deploy_registry", "deploy_verifier",
           "full_prove", "is_solvent", "record_position", "solvency_of", "status", "submit",
           "to_calldata", "to_checksum", "verify"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'prover' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
