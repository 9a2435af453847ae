"""Groth16 verifying keys on the EVM: validation, key blob, vk hash and key id.

The key type is ``zk.groth16.VerifyingKey`` (one type everywhere); this module holds
only its EVM encodings. The key blob appended to the verifier template is the 32-byte
big-endian words
    IC[0].x, IC[0].y, ..., IC[N].x, IC[N].y,
    delta, gamma (each x.c1, x.c0, y.c1, y.c0), alpha.x, alpha.y, beta,
    selector(N) << 32 | N
and `vk_hash` is its keccak256, exactly what a deployed verifier returns from `vkHash()`.

The **key id** binds that verifier key to what its inputs mean:
    key_id = keccak256(vk_hash32 || statement.hash())
(`zk.statement.Statement.hash`), so relabelled, reordered or re-bounded public inputs give
another key id. Registries check it at construction; it is not the key file's SHA-256
(`VerifyingKey.hash()`, "vk_hash" in verification_key.json).
"""
from __future__ import annotations

from verifier_contracts.encoding import g2_evm, word
from zk import curve
from zk.errors import MalformedInput
from zk.formats import snarkjs_json
from zk.groth16.keys import VerifyingKey
from zk.statement import Statement, keccak256

MAX_PUBLIC = 1024


def parse_vk(vk: dict | VerifyingKey) -> VerifyingKey:
    """A verifying key fit for an EVM verifier; raise MalformedInput naming the problem.

    A dict is parsed strictly as snarkjs verification_key.json (zk.formats.snarkjs_json:
    unknown keys, points off curve/subgroup or at infinity, duplicated IC points, nPublic
    not matching IC). Also refuses nPublic outside 1..1024 and keys without a phase-2
    contribution (delta == gamma or delta == the G2 generator).
    """
    if isinstance(vk, VerifyingKey):
        key = vk
    elif isinstance(vk, dict):
        key = snarkjs_json.vk_from_json(vk, "verification key")
    else:
        raise MalformedInput("verification key: expected a JSON object")
    if not 1 <= key.num_public <= MAX_PUBLIC:
        raise MalformedInput(f"verification key: need 1 <= nPublic <= {MAX_PUBLIC}, "
                             f"got {key.num_public}")
    if key.delta_g2 in (key.gamma_g2, curve.G2_GEN):
        raise MalformedInput("verification key: delta equals gamma or the G2 generator "
                             "(no phase-2 contribution)")
    return key


def production_key(vk, dev_keys: bool = False) -> VerifyingKey:
    """The parsed verifying key; refuses one labelled as coming from a development setup
    (`development_setup` in the key file) unless `dev_keys`: whoever ran that setup can
    forge proofs, so only test deployments may use it."""
    dev = False
    if isinstance(vk, dict):
        dev = bool(vk.get("development_setup", False))
        vk = {k: v for k, v in vk.items() if k != "statement"}
    elif hasattr(vk, "development"):          # zk.groth16 VerifyingKey
        dev = bool(vk.development)
        vk = snarkjs_json.vk_to_json(vk)
    if dev and not dev_keys:
        raise MalformedInput("verification key comes from a development setup (whoever ran "
                             "it can forge proofs); use a ceremony key, or pass --dev-keys "
                             "for a test deployment")
    return parse_vk(vk)


def key_words(vk: dict | VerifyingKey) -> list[int]:
    """The key blob words (see module docstring)."""
    k = parse_vk(vk)
    words = [c for p in k.gamma_abc_g1 for c in curve.g1_coords(p)]
    for p in (k.delta_g2, k.gamma_g2):
        words += g2_evm(curve.g2_coords(p))
    words += list(curve.g1_coords(k.alpha_g1)) + g2_evm(curve.g2_coords(k.beta_g2))
    selector = int.from_bytes(verify_selector(k.num_public), "big")
    return words + [selector << 32 | k.num_public]


def verify_signature(n_public: int) -> str:
    """Solidity signature of the snarkjs-compatible entry point for n_public inputs."""
    return f"verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{n_public}])"


def verify_selector(n_public: int) -> bytes:
    """4-byte selector of `verify_signature(n_public)`."""
    return keccak256(verify_signature(n_public).encode())[:4]


def vk_hash(vk: dict | VerifyingKey) -> str:
    """keccak256 of the key blob, as 0x-prefixed hex (the verifier's vkHash())."""
    return "0x" + keccak256(key_blob(vk)).hex()


def key_blob(vk: dict | VerifyingKey) -> bytes:
    """The data appended to the verifier template (see module docstring)."""
    return b"".join(word(w) for w in key_words(vk))


def key_id(vk: dict | VerifyingKey, statement: Statement) -> bytes:
    """32-byte key id: keccak256(vkHash() of the verifier || statement.hash())."""
    if not isinstance(statement, Statement):
        raise MalformedInput("key id: expected a zk.statement.Statement")
    k = parse_vk(vk)
    if statement.num_public != k.num_public:
        raise MalformedInput(f"key id: the statement of {statement.circuit} has "
                             f"{statement.num_public} public inputs, the key {k.num_public}")
    return keccak256(bytes.fromhex(vk_hash(k)[2:]) + statement.hash())
