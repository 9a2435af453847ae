"""SolvencyRegistry from Python: deploy, policy, prices, submit, status.

Public inputs of the collateral-ratio circuit (N = 2 n_c + n_d + 6), in order:
collateral_prices[n_c], haircuts_bps[n_c], debt_prices[n_d], min_ratio_bps, epoch,
prover, chain_id, registry, commitment.
"""
from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from verifier_contracts.artifacts import creation_code, load_artifact
from verifier_contracts.calldata import Proof, proof_args
from verifier_contracts.chain import Chain
from verifier_contracts.deploy_state import DeployState
from verifier_contracts.verifier import check_verifier
from verifier_contracts.vk import VerifyingKey, parse_vk, vk_hash
from zk.errors import MalformedInput

SUBMIT_GAS_BASE = 400_000
SUBMIT_GAS_PER_INPUT = 12_000


def n_public(n_collateral: int, n_debt: int) -> int:
    return 2 * n_collateral + n_debt + 6


def public_input_names(n_collateral: int, n_debt: int) -> list[str]:
    """Names of the circuit's public inputs in order."""
    return ([f"collateral_prices[{i}]" for i in range(n_collateral)]
            + [f"haircuts_bps[{i}]" for i in range(n_collateral)]
            + [f"debt_prices[{j}]" for j in range(n_debt)]
            + ["min_ratio_bps", "epoch", "prover", "chain_id", "registry", "commitment"])


def statement_nullifier(prover: str, epoch: int, chain_id: int, registry: str) -> bytes:
    """keccak256(abi.encode(prover, epoch, chainid, registry)), as the registry computes it."""
    return keccak(abi_encode(["address", "uint256", "uint256", "address"],
                             [to_checksum_address(prover), epoch, chain_id,
                              to_checksum_address(registry)]))


def _function(name: str) -> dict:
    for item in load_artifact("SolvencyRegistry")["abi"]:
        if item.get("type") == "function" and item["name"] == name:
            return item
    raise MalformedInput(f"SolvencyRegistry has no function {name}")


def _types(params: list[dict]) -> list[str]:
    return [p["type"] for p in params]


def encode_call(name: str, args: list) -> bytes:
    """ABI calldata for SolvencyRegistry.<name>(args)."""
    fn = _function(name)
    types = _types(fn["inputs"])
    return keccak(text=f"{name}({','.join(types)})")[:4] + abi_encode(types, args)


def read(chain: Chain, registry: str, name: str, *args):
    """Call a view function; a single output is returned unwrapped."""
    fn = _function(name)
    out = abi_decode(_types(fn["outputs"]), chain.call(registry, encode_call(name, list(args)),
                                                       action=f"read {name}"))
    return out[0] if len(out) == 1 else out


def deploy_registry(chain: Chain, verifier: str, vk: dict | VerifyingKey, n_collateral: int,
                    n_debt: int, haircuts_bps: list[int], min_ratio_bps: int, *,
                    admin: str | None = None, oracle: str | None = None,
                    state: DeployState | None = None) -> str:
    """Deploy a SolvencyRegistry bound to `verifier` (checked against `vk`); return address."""
    key = parse_vk(vk)
    if key.n_public != n_public(n_collateral, n_debt):
        raise MalformedInput(f"verification key has {key.n_public} public inputs; the "
                             f"registry layout needs {n_public(n_collateral, n_debt)}")
    check_verifier(chain, verifier, key)
    ctor = [i for i in load_artifact("SolvencyRegistry")["abi"] if i["type"] == "constructor"]
    args = [to_checksum_address(verifier), n_collateral, n_debt,
            bytes.fromhex(vk_hash(key)[2:]), to_checksum_address(admin or chain.address),
            to_checksum_address(oracle or chain.address), list(haircuts_bps), min_ratio_bps]
    code = creation_code("SolvencyRegistry") + abi_encode(_types(ctor[0]["inputs"]), args)
    if state is not None:
        return state.deploy(chain, "registry", code)
    address, _ = chain.deploy(code, action="deploy registry")
    return address


def post_prices(chain: Chain, registry: str, epoch: int, collateral_prices: list[int],
                debt_prices: list[int], valid_until: int) -> dict:
    """Oracle: open `epoch` with its price snapshot (returns the receipt)."""
    data = encode_call("postPrices", [epoch, list(collateral_prices), list(debt_prices),
                                      valid_until])
    return chain.send(registry, data, action="postPrices")


def set_policy(chain: Chain, registry: str, haircuts_bps: list[int], min_ratio_bps: int) -> dict:
    """Admin: set the per-asset minimum haircuts and the minimum collateral ratio."""
    data = encode_call("setPolicy", [list(haircuts_bps), min_ratio_bps])
    return chain.send(registry, data, action="setPolicy")


def encode_submit(proof: dict | Proof, public: list) -> bytes:
    a, b, c, pub = proof_args(proof, public)
    return encode_call("submit", [a, b, c, pub])


def submit(chain: Chain, registry: str, proof: dict | Proof, public: list, *,
           gas: int | None = None) -> dict:
    """Submit a proof from this account; preflighted with eth_call, explicit gas limit.

    A revert raises ContractRevert naming the registry's error (WrongChain, StaleEpoch,
    PriceMismatch(index), InvalidProof, AlreadySubmitted, ...); returns the receipt.
    """
    data = encode_submit(proof, public)
    gas = gas or SUBMIT_GAS_BASE + SUBMIT_GAS_PER_INPUT * len(public)
    return chain.send(registry, data, gas=gas, action="submit")


def status(chain: Chain, registry: str, account: str) -> dict:
    """Solvency status of `account` and the registry's epoch, policy and layout."""
    account = to_checksum_address(account)
    epoch = read(chain, registry, "currentEpoch")
    _, _, valid_until = read(chain, registry, "snapshot", epoch)
    return {
        "account": account,
        "solvent": bool(read(chain, registry, "isSolvent", account)),
        "solvent_until": int(read(chain, registry, "solventUntil", account)),
        "current_epoch": int(epoch),
        "prices_valid_until": int(valid_until),
        "min_ratio_bps": int(read(chain, registry, "minRatioBps")),
        "haircuts_bps": [int(h) for h in read(chain, registry, "haircutsBps")],
        "verifier": read(chain, registry, "verifier"),
        "vk_hash": "0x" + bytes(read(chain, registry, "vkHash")).hex(),
        "block_timestamp": chain.timestamp(),
    }


def is_solvent(chain: Chain, registry: str, account: str) -> bool:
    return bool(read(chain, registry, "isSolvent", to_checksum_address(account)))
