"""Solidity Groth16 verifier and SolvencyRegistry: export, calldata, deploy and submit.

Everything here works without a Solidity compiler: contracts ship as compiled artifacts.
"""
from verifier_contracts.calldata import (
                                         Proof,
                                         encode_verify_call,
                                         parse_proof,
                                         parse_public,
                                         proof_args,
                                         solidity_calldata,
)
from verifier_contracts.chain import KEY_ENV, Chain, connect
from verifier_contracts.deploy_state import DeployState
from verifier_contracts.export import verifier_source
from verifier_contracts.registry import (
                                         deploy_registry,
                                         is_solvent,
                                         post_prices,
                                         public_input_names,
                                         set_policy,
                                         statement_nullifier,
                                         status,
                                         submit,
)
from verifier_contracts.revert import ContractRevert, decode_revert
from verifier_contracts.verifier import (
                                         check_precompiles,
                                         check_verifier,
                                         deploy_verifier,
                                         verifier_creation_code,
                                         verify_on_chain,
)
from verifier_contracts.vk import VerifyingKey, key_id, parse_vk, verify_selector, vk_hash

__all__ = [
    "KEY_ENV", "Chain", "ContractRevert", "DeployState", "Proof", "VerifyingKey",
    "check_precompiles", "check_verifier", "connect", "decode_revert", "deploy_registry",
    "deploy_verifier", "encode_verify_call", "is_solvent", "key_id", "parse_proof",
    "parse_public", "parse_vk", "post_prices", "proof_args", "public_input_names", "set_policy",
    "solidity_calldata", "statement_nullifier", "status", "submit", "verifier_creation_code",
    "verifier_source", "verify_on_chain", "verify_selector", "vk_hash",
]
