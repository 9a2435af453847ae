"""Is the contract at an address the one a command expects? Checked before every use, so
a wrong address fails with one line (WrongContract, exit 2) instead of a silent success
(an EOA accepts any transaction) or an ABI decoding traceback."""
from __future__ import annotations

from verifier_contracts.chain import Chain
from verifier_contracts.revert import ContractRevert
from zk.errors import WrongContract

VKHASH_SELECTOR = bytes.fromhex("4fe840f5")    # vkHash()
NPUBLIC_SELECTOR = bytes.fromhex("3a37922a")   # nPublic()


def require_code(chain: Chain, address: str, what: str) -> bytes:
    """The runtime code at `address`; WrongContract if there is none."""
    code = chain.code_at(address)
    if not code:
        raise WrongContract(f"{address}: no contract code at this address on chain "
                            f"{chain.chain_id} (expected a {what}; wrong address or "
                            "wrong chain?)")
    return code


def _word(chain: Chain, address: str, selector: bytes, name: str, what: str) -> int:
    try:
        out = chain.call(address, selector, action=f"read {name}")
    except ContractRevert:
        out = None
    if out is None or len(out) != 32:
        raise WrongContract(f"{address}: not a {what} ({name} is missing or answers "
                            f"{'a revert' if out is None else f'{len(out)} bytes'})")
    return int.from_bytes(out, "big")


def expect_verifier(chain: Chain, address: str, *, vk=None,
                    n_public: int | None = None) -> int:
    """Check `address` holds a Groth16 verifier (vkHash() and nPublic() answer; with `vk`
    its vkHash is this key's; with `n_public` it takes that many inputs); returns its
    nPublic."""
    require_code(chain, address, "Groth16 verifier")
    what = "Groth16 verifier"
    got_hash = _word(chain, address, VKHASH_SELECTOR, "vkHash()", what)
    n = _word(chain, address, NPUBLIC_SELECTOR, "nPublic()", what)
    if vk is not None:
        from verifier_contracts.vk import parse_vk, vk_hash

        key = parse_vk(vk)
        want = vk_hash(key)
        if f"0x{got_hash:064x}" != want:
            raise WrongContract(f"{address}: verifier for another key (vkHash "
                                f"0x{got_hash:064x}, this key's is {want})")
        if n != key.n_public:
            raise WrongContract(f"{address}: verifier takes {n} public inputs, this key "
                                f"{key.n_public}")
    if n_public is not None and n != n_public:
        raise WrongContract(f"{address}: verifier takes {n} public inputs, the public "
                            f"file has {n_public}")
    return n


def _read(chain: Chain, contract: str, address: str, name: str, what: str, *args):
    from verifier_contracts.abi import read_fn

    try:
        return read_fn(chain, contract, address, name, *args)
    except (ContractRevert, WrongContract):
        raise WrongContract(f"{address}: not a {what} ({name}() is missing or reverts)") \
            from None


def expect_registry(chain: Chain, address: str, kind: int = 0) -> dict:
    """Check `address` holds a SolvencyRegistry on an epoch oracle (its oracle and the
    proof module of circuit `kind` answer; 0 solvency, 1 credit); returns {"key_id",
    "num_public", "verifier", "module", "oracle"} of that kind's module."""
    from eth_utils import to_checksum_address

    from verifier_contracts import registry as reg

    what = "SolvencyRegistry"
    require_code(chain, address, what)
    oracle = _read(chain, reg.CONTRACT, address, "oracle", what)
    module = to_checksum_address(_read(chain, reg.CONTRACT, address, "moduleOf", what,
                                       kind)[0])
    if int(module, 16) == 0:
        name = {v: k for k, v in reg.KINDS.items()}.get(kind, str(kind))
        raise WrongContract(f"{address}: this SolvencyRegistry has no {name} proof module "
                            f"(deployed without one; `registry deploy --credit-verifier "
                            f"--credit-vk` adds the credit kind)")
    what = "ProofVerifierModule"
    kid = _read(chain, reg.MODULE, module, "keyId", what)
    n = _read(chain, reg.MODULE, module, "numPublic", what)
    verifier = _read(chain, reg.MODULE, module, "verifier", what)
    return {"key_id": "0x" + bytes(kid).hex(), "num_public": int(n), "verifier": verifier,
            "module": module, "oracle": oracle}


def expect_attesters(chain: Chain, address: str) -> None:
    """Check `address` holds an AttesterRegistry (isAllowed answers a bool)."""
    what = "AttesterRegistry"
    require_code(chain, address, what)
    _read(chain, "AttesterRegistry", address, "isAllowed", what, 0, 0)


def expect_oracle(chain: Chain, address: str) -> dict:
    """Check `address` holds an EpochOracle (its asset counts and mode answer); returns
    {"n_collateral", "n_debt", "pushed"}."""
    what = "EpochOracle"
    require_code(chain, address, what)
    return {"n_collateral": int(_read(chain, what, address, "nCollateral", what)),
            "n_debt": int(_read(chain, what, address, "nDebt", what)),
            "pushed": bool(_read(chain, what, address, "pushedMode", what))}


def expect_reserves_registry(chain: Chain, address: str) -> None:
    """Check `address` holds a ReservesRegistry (its asset count and ratio answer)."""
    what = "ReservesRegistry"
    require_code(chain, address, what)
    _read(chain, what, address, "nAssets", what)
    _read(chain, what, address, "minRatioBps", what)


def expect(chain: Chain, address: str, kind: str):
    """Dispatch to the check of contract `kind` (a shipped contract name)."""
    checks = {"SolvencyRegistry": expect_registry, "AttesterRegistry": expect_attesters,
              "EpochOracle": expect_oracle, "Groth16Verifier": expect_verifier,
              "ReservesRegistry": expect_reserves_registry}
    if kind not in checks:
        require_code(chain, address, kind)
        return None
    return checks[kind](chain, address)
