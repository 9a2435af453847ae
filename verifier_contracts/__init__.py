"""Solidity Groth16 verifier and SolvencyRegistry: export, calldata, deploy and submit.

Everything here works without a Solidity compiler: contracts ship as compiled artifacts.
"""
from verifier_contracts.attesters import (
                                         add_attester,
                                         deploy_attester_registry,
                                         is_allowed,
                                         revoke_attester,
)
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
                                         ATTESTED,
                                         REGISTERED,
                                         deploy_registry,
                                         is_solvent,
                                         layout_of,
                                         post_prices,
                                         record_position,
                                         registry_layout,
                                         set_policy,
                                         solvency_of,
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
    "ATTESTED", "REGISTERED", "add_attester", "deploy_attester_registry", "is_allowed",
    "layout_of", "record_position", "registry_layout", "revoke_attester", "solvency_of",
    "KEY_ENV", "Chain", "ContractRevert", "DeployState", "Proof", "VerifyingKey",
    "check_precompiles", "check_verifier", "connect", "decode_revert", "deploy_registry",
    "deploy_verifier", "encode_verify_call", "is_solvent", "key_id", "parse_proof",
    "parse_public", "parse_vk", "post_prices", "proof_args", "set_policy",
    "solidity_calldata", "status", "submit", "verifier_creation_code",
    "verifier_source", "verify_on_chain", "verify_selector", "vk_hash",
]
