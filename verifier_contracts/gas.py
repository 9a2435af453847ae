"""Gas measurements: our verifier vs the snarkjs-exported one on the same key and proof.

Gas is measured from transaction receipts (gasUsed, including the 21000 base and calldata,
identical for both since the ABI is the same); never from eth_estimateGas, which
under-reports calls whose out-of-gas inner failure is not a revert.
"""
from __future__ import annotations

from verifier_contracts.calldata import Proof, encode_verify_call
from verifier_contracts.chain import Chain
from verifier_contracts.solc import compile_sources
from verifier_contracts.verifier import deploy_verifier
from verifier_contracts.vk import VerifyingKey
from zk.errors import ChainError

MEASURE_GAS_LIMIT = 3_000_000


def tx_gas(chain: Chain, to: str, data: bytes, *, expect_true: bool = True) -> int:
    """gasUsed of a transaction sending `data` to `to` (checked to return true first)."""
    if expect_true:
        out = chain.call(to, data, action="measure gas")
        if out != (1).to_bytes(32, "big"):
            raise ChainError(f"measure gas: call to {to} did not return true")
    receipt = chain.send(to, data, gas=MEASURE_GAS_LIMIT, preflight=False, action="measure gas")
    return int(receipt["gasUsed"])


def deploy_snarkjs_verifier(chain: Chain, source: str) -> str:
    """Compile (solc-js, our pinned settings) and deploy a snarkjs-exported verifier."""
    out = compile_sources({"SnarkjsVerifier.sol": source})["Groth16Verifier"]
    address, _ = chain.deploy(bytes.fromhex(out["bytecode"]), action="deploy snarkjs verifier")
    return address


def compare_verify_gas(chain: Chain, vk: dict | VerifyingKey, snarkjs_source: str,
                       proof: dict | Proof, public: list) -> dict:
    """{'n_public', 'ours', 'snarkjs'}: verifyProof transaction gas for both verifiers."""
    data = encode_verify_call(proof, public)
    ours = deploy_verifier(chain, vk, self_test=False)
    theirs = deploy_snarkjs_verifier(chain, snarkjs_source)
    return {"n_public": len(public), "ours": tx_gas(chain, ours, data),
            "snarkjs": tx_gas(chain, theirs, data)}


def format_table(rows: list[dict]) -> str:
    """A text table of compare_verify_gas rows."""
    lines = [f"{'inputs':>6}  {'ours':>9}  {'snarkjs':>9}  {'diff':>7}",
             f"{'-' * 6}  {'-' * 9}  {'-' * 9}  {'-' * 7}"]
    for r in rows:
        lines.append(f"{r['n_public']:>6}  {r['ours']:>9}  {r['snarkjs']:>9}  "
                     f"{r['ours'] - r['snarkjs']:>+7}")
    return "\n".join(lines)
