"""Deploy the Groth16 verifier (template + appended key) and call it."""
from __future__ import annotations

from eth_abi import encode as abi_encode
from py_ecc import optimized_bn128 as ob

from verifier_contracts.artifacts import creation_code
from verifier_contracts.calldata import Proof, encode_verify_call
from verifier_contracts.chain import Chain
from verifier_contracts.deploy_state import DeployState, deploy_step
from verifier_contracts.vk import VerifyingKey, key_blob, parse_vk
from zk.errors import ChainError, WrongContract
from zk.field import Q

VKHASH_SELECTOR = bytes.fromhex("4fe840f5")
NPUBLIC_SELECTOR = bytes.fromhex("3a37922a")


def verifier_creation_code(vk: dict | VerifyingKey) -> bytes:
    """Creation code deploying a verifier for `vk`: deployer bytecode ++ abi.encode(key blob)."""
    return creation_code("Groth16VerifierDeployer") + abi_encode(["bytes"], [key_blob(vk)])


def deploy_verifier(chain: Chain, vk: dict | VerifyingKey, *, gas: int | None = None,
                    state: DeployState | None = None, self_test: bool = True) -> str:
    """Deploy a verifier for `vk`; return its address.

    First checks that the chain's BN254 precompiles work (`check_precompiles`), afterwards
    that the contract's vkHash() and nPublic() match the key. With `state` the deployment
    is resumable (see DeployState).
    """
    key = parse_vk(vk)
    if self_test:
        check_precompiles(chain)
    code = verifier_creation_code(key)
    address = deploy_step(chain, "verifier", code, state, gas=gas)
    check_verifier(chain, address, key)
    return address


def check_precompiles(chain: Chain) -> None:
    """Raise ChainError unless ecAdd, ecMul and ecPairing (0x06-0x08) give known answers."""
    g = [1, 2]
    two_g = [int(c.n) for c in ob.normalize(ob.double(ob.G1))]
    neg_g = [1, Q - 2]
    g2 = [c for coord in ob.G2[:2] for c in reversed(coord.coeffs)]  # EVM limb order
    cases = [
        (6, g + g, two_g, "ecAdd"),
        (7, g + [2], two_g, "ecMul"),
        (8, g + g2 + neg_g + g2, [1], "ecPairing"),
        (8, g + g2 + g + g2, [0], "ecPairing"),
    ]
    for address, words, want, name in cases:
        data = b"".join(int(w).to_bytes(32, "big") for w in words)
        to = "0x" + address.to_bytes(20, "big").hex()
        got = chain.call(to, data, action=f"self-test {name} precompile")
        if got != b"".join(int(w).to_bytes(32, "big") for w in want):
            raise ChainError(f"self-test: the {name} precompile at {to} is missing or wrong "
                             f"on this chain (returned {len(got)} bytes)")


def check_verifier(chain: Chain, address: str, vk: dict | VerifyingKey) -> None:
    """Raise WrongContract unless `address` is a verifier for exactly this key."""
    from verifier_contracts.probe import expect_verifier

    expect_verifier(chain, address, vk=vk)


def verify_on_chain(chain: Chain, address: str, proof: dict | Proof, public: list,
                    *, gas: int | None = None) -> bool:
    """eth_call verifyProof; True/False as returned; a malformed return raises ChainError."""
    out = chain.call(address, encode_verify_call(proof, public), action="verifyProof", gas=gas)
    if len(out) != 32 or int.from_bytes(out, "big") > 1:
        raise WrongContract(f"{address}: verifyProof answered 0x{out.hex()[:64]}, not a "
                            "bool (is it a Groth16 verifier?)")
    return out[-1] == 1


def verify_gas(chain: Chain, address: str, calldata: bytes) -> int:
    """Gas used by a verifyProof transaction with this calldata (eth_estimateGas)."""
    return chain.estimate(address, calldata, action="estimate verifyProof")
