"""Collateral-ratio proofs: load policy/prices/portfolio, set up once per shape, prove, verify.

Files (JSON, numbers as decimal strings):

* policy    {"chain_id", "registry", "min_ratio_bps", "collateral": [{"asset", "decimals",
            "haircut_bps"}], "debt": [{"asset", "decimals"}]}  -- fixes the circuit shape
* prices    {"epoch", "decimals": 8, "prices": {asset: "3012.5"}}  -- per whole token
* portfolio {"salt", "collateral": {asset: "1.5"}, "debt": {asset: "1000"}}  -- PRIVATE

Keys for a circuit shape live in ``<keys_dir>/collateral-<shape id>/`` and are reused
(prover.flow); this adapter only loads and checks the files and names the inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, Union

from circuits.attestation import TAG_POSITION, Attestation
from circuits.collateral import BPS, AttestedCollateralRatio, CollateralRatio
from prover import flow
from prover.inputs import (
    InputFileError,
    MissingPrice,
    UnknownAsset,
    check_asset_name,
    field_map,
    parse_address,
    parse_decimal,
    parse_int,
    read_object,
)
from prover.service import Prover
from zk import CompiledCircuit
from zk.errors import MalformedInput, Unprovable
from zk.field import R
from zk.parse import address
from zk.std.poseidon import poseidon_hash_many

PRICE_DECIMALS = 8
PRICE_BITS = 64
AMOUNT_BITS = 96
RATIO_BITS = 20
KIND = "collateral"
KIND_ATTESTED = "collateral-attested"
C = TypeVar("C", bound=CollateralRatio)


@dataclass(frozen=True)
class Policy:
    """The protocol's public parameters; they fix the circuit shape."""

    collateral: tuple[str, ...]
    collateral_decimals: tuple[int, ...]
    haircuts_bps: tuple[int, ...]
    debt: tuple[str, ...]
    debt_decimals: tuple[int, ...]
    min_ratio_bps: int
    chain_id: int
    registry: int

    def circuit(self, attested: bool = False) -> CollateralRatio:
        """The circuit shape; attested: the commitment must carry an attester's signature."""
        return self.shape(AttestedCollateralRatio if attested else CollateralRatio)

    def shape(self, cls: type[C]) -> C:
        """A CollateralRatio (sub)class for this policy's assets, decimals and bit widths."""
        return cls(len(self.collateral), len(self.debt), self.collateral_decimals,
                   self.debt_decimals, AMOUNT_BITS, PRICE_BITS, RATIO_BITS)


@dataclass(frozen=True)
class Prices:
    """One epoch's oracle snapshot, fixed-point with 8 decimals, in policy slot order."""

    epoch: int
    collateral: tuple[int, ...]
    debt: tuple[int, ...]


@dataclass(frozen=True)
class Portfolio:
    """PRIVATE: amounts and debts in token base units, and the commitment salt."""

    amounts: tuple[int, ...]
    debts: tuple[int, ...]
    salt: int

    def commitment(self) -> int:
        return poseidon_hash_many([*self.amounts, *self.debts, self.salt])

    def __repr__(self) -> str:  # never show private values
        return f"Portfolio({len(self.amounts)} collateral, {len(self.debts)} debt, hidden)"


def _slots(items, src: str, what: str, with_haircut: bool):
    if not isinstance(items, list) or not items:
        raise InputFileError(src, f"field '{what}'", "expected a non-empty list")
    names, decs, cuts = [], [], []
    keys = {"asset", "decimals"} | ({"haircut_bps"} if with_haircut else set())
    for i, it in enumerate(items):
        where = f"{what}[{i}]"
        if not isinstance(it, dict) or set(it) != keys:
            raise InputFileError(src, where, f"expected fields {sorted(keys)}")
        names.append(check_asset_name(it["asset"], src, f"{where}.asset"))
        decs.append(parse_int(it["decimals"], src, f"{where}.decimals", bits=6))
        if with_haircut:
            cut = parse_int(it["haircut_bps"], src, f"{where}.haircut_bps", bits=14)
            if cut >= BPS:
                raise InputFileError(src, f"{where}.haircut_bps", "must be below 10000")
            cuts.append(cut)
    if len(set(names)) != len(names):
        raise InputFileError(src, f"field '{what}'", "an asset is listed twice")
    return tuple(names), tuple(decs), tuple(cuts)


def load_policy(path: str | Path) -> Policy:
    """Parse and validate a policy file."""
    src = str(path)
    obj = read_object(path, {"chain_id", "registry", "min_ratio_bps", "collateral", "debt"},
                      {"chain_id", "registry", "min_ratio_bps", "collateral", "debt"})
    coll, c_dec, cuts = _slots(obj["collateral"], src, "collateral", True)
    debt, d_dec, _ = _slots(obj["debt"], src, "debt", False)
    return Policy(coll, c_dec, cuts, debt, d_dec,
                  parse_int(obj["min_ratio_bps"], src, "field 'min_ratio_bps'", RATIO_BITS),
                  parse_int(obj["chain_id"], src, "field 'chain_id'", 253),
                  parse_address(obj["registry"], src, "field 'registry'"))


def load_prices(path: str | Path, policy: Policy) -> Prices:
    """Parse a price snapshot; every policy asset needs a price with <= 8 decimals."""
    src = str(path)
    obj = read_object(path, {"epoch", "decimals", "prices"}, {"epoch", "prices"})
    if "decimals" in obj and parse_int(obj["decimals"], src, "field 'decimals'") \
            != PRICE_DECIMALS:
        raise InputFileError(src, "field 'decimals'", f"price feeds use {PRICE_DECIMALS}")
    table = field_map(obj["prices"], src, "field 'prices'")
    known = set(policy.collateral) | set(policy.debt)
    for name in table:
        if name not in known:
            raise UnknownAsset(src, f"prices.{name}", "asset not in the policy")

    def price(name: str) -> int:
        if name not in table:
            raise MissingPrice(src, f"prices.{name}", "missing price for a policy asset")
        return parse_decimal(table[name], PRICE_DECIMALS, src, f"prices.{name}", PRICE_BITS,
                             "decimals of the price feed")
    return Prices(parse_int(obj["epoch"], src, "field 'epoch'", 64),
                  tuple(price(a) for a in policy.collateral), tuple(price(a) for a in policy.debt))


def load_portfolio(path: str | Path, policy: Policy) -> Portfolio:
    """Parse a PRIVATE portfolio; absent assets are zero, unknown assets are refused."""
    src = str(path)
    obj = read_object(path, {"salt", "collateral", "debt"}, {"salt"})

    def amounts(key: str, names, decs) -> tuple[int, ...]:
        table = field_map(obj.get(key, {}), src, f"field '{key}'")
        for name in table:
            if name not in names:
                raise UnknownAsset(src, f"{key}.{name}", f"asset is not a {key} asset of the "
                                                         "policy")
        return tuple(parse_decimal(table.get(n, "0"), d, src, f"{key}.{n}", AMOUNT_BITS)
                     for n, d in zip(names, decs, strict=False))
    salt = parse_int(obj["salt"], src, "field 'salt'")
    if salt >= R:
        raise InputFileError(src, "field 'salt'", "must be below the field modulus r")
    return Portfolio(amounts("collateral", policy.collateral, policy.collateral_decimals),
                     amounts("debt", policy.debt, policy.debt_decimals), salt)


Address = Union[int, str, bytes]


def circuit_inputs(policy: Policy, prices: Prices, portfolio: Portfolio,
                   prover_address: Address) -> dict:
    """Named circuit inputs (public and PRIVATE) for CollateralRatio. The prover address:
    0x-hex (mixed case must be a valid EIP-55 checksum), 20 bytes or an integer."""
    prover_address = address(prover_address, "prover address")
    return {
        "collateral_prices": list(prices.collateral), "haircuts_bps": list(policy.haircuts_bps),
        "debt_prices": list(prices.debt), "min_ratio_bps": policy.min_ratio_bps,
        "epoch": prices.epoch, "prover": prover_address, "chain_id": policy.chain_id,
        "registry": policy.registry, "commitment": portfolio.commitment(),
        "amounts": list(portfolio.amounts), "debts": list(portfolio.debts),
        "salt": portfolio.salt,
    }


def expected(policy: Policy, prices: Prices | None = None,
             prover_address: int | None = None) -> dict[str, int | list[int]]:
    """Public values (by name) a verifier expects from the policy, prices and prover."""
    out: dict[str, int | list[int]] = {
        "haircuts_bps": list(policy.haircuts_bps), "min_ratio_bps": policy.min_ratio_bps,
        "chain_id": policy.chain_id, "registry": policy.registry}
    if prices is not None:
        out.update(collateral_prices=list(prices.collateral), debt_prices=list(prices.debt),
                   epoch=prices.epoch)
    if prover_address is not None:
        out["prover"] = prover_address
    return out


def position_values(policy: Policy, prices: Prices, portfolio: Portfolio) -> tuple[int, int]:
    """PRIVATE (haircut collateral value x 1e4, debt value) in the circuit's value unit,
    computed exactly as the circuit does."""
    circuit = policy.circuit()
    lhs = sum(a * p * (BPS - h) * s for a, p, h, s in zip(
        portfolio.amounts, prices.collateral, policy.haircuts_bps, circuit.collateral_scales,
        strict=True))
    debt = sum(d * p * s for d, p, s in zip(portfolio.debts, prices.debt,
                                             circuit.debt_scales, strict=False))
    return lhs, debt


def precheck(policy: Policy, prices: Prices, portfolio: Portfolio) -> None:
    """Off-circuit check of the statement; raises Unprovable if it cannot be proven."""
    lhs, debt = position_values(policy, prices, portfolio)
    if lhs < debt * policy.min_ratio_bps:
        raise Unprovable("the position is below the policy's minimum collateral ratio at "
                           "these prices; no proof can be made")


def check_attestation(att: Attestation, src: str, policy: Policy, portfolio: Portfolio,
                      prover_address: int) -> None:
    """Off-circuit check that ``att`` vouches for this position on this chain and registry
    (the circuit enforces the same); InputFileError naming the field otherwise."""
    rules = (("tag", att.tag == TAG_POSITION, "is not a position attestation"),
             ("chain_id", att.chain_id == policy.chain_id, "differs from the policy's"),
             ("registry", att.registry == policy.registry, "differs from the policy's"),
             ("subject", att.subject == prover_address, "is not the prover address"),
             ("commitment", att.commitment == portfolio.commitment(),
              "is not the commitment of this portfolio"))
    for name, ok, rule in rules:
        if not ok:
            raise InputFileError(src, f"field '{name}'", rule)
    if not att.verify():
        raise InputFileError(src, "field 'signature'", "not a valid signature of this "
                                                       "attestation by its attester")


def anchored_inputs(policy: Policy, prices: Prices, portfolio: Portfolio,
                    prover_address: Address, attestation: Attestation | None = None,
                    attestation_src: str = "attestation") -> dict:
    """Named inputs (public and PRIVATE) of the position circuit, plus the attestation's
    when given (checked off-circuit first, see :func:`check_attestation`)."""
    prover_address = address(prover_address, "prover address")
    inputs = circuit_inputs(policy, prices, portfolio, prover_address)
    if attestation is not None:
        check_attestation(attestation, attestation_src, policy, portfolio, prover_address)
        inputs.update(attestation.circuit_inputs())
    return inputs


def expected_anchored(policy: Policy | None, prices: Prices | None,
                      prover_address: int | None, attester: tuple[int, int] | None,
                      commitment: int | None) -> dict[str, int | list[int]]:
    """:func:`expected` plus the attester key and the registered commitment when given."""
    want = expected(policy, prices, prover_address) if policy is not None else {}
    if attester is not None:
        want.update(attester_ax=attester[0], attester_ay=attester[1])
    if commitment is not None:
        want["commitment"] = commitment
    return want


def shape_dir(keys_dir: str | Path, policy: Policy, attested: bool = False) -> Path:
    """Folder of the keys for this policy's circuit shape."""
    return flow.key_folder(keys_dir, KIND_ATTESTED if attested else KIND,
                           policy.circuit(attested))


def setup(policy: Policy, keys_dir: str | Path, force: bool = False,
          attested: bool = False) -> tuple[Path, bool]:
    """DEVELOPMENT setup for the policy's shape, once; (key folder, reused)."""
    return flow.setup(KIND_ATTESTED if attested else KIND, policy.circuit(attested),
                      keys_dir, force)


def prover(policy: Policy, keys_dir: str | Path, attested: bool = False) -> Prover:
    """A :class:`~prover.service.Prover` for the policy's shape: the keys are loaded once
    and checked, then ``prover.prove(circuit_inputs(...))`` proves from memory."""
    folder = shape_dir(keys_dir, policy, attested)
    if not flow.has_keys(folder):
        raise MalformedInput(f"{folder}: no keys for this policy shape; run `collateral "
                             f"setup{' --attested' if attested else ''}` first")
    return Prover.load(folder, policy.circuit(attested))


def prove(policy: Policy, prices: Prices, portfolio: Portfolio, prover_address: Address,
          keys_dir: str | Path, out_dir: str | Path, cs: CompiledCircuit | None = None,
          attestation: Attestation | None = None,
          attestation_src: str = "attestation") -> dict:
    """Prove into out_dir (see prover.flow.prove); returns the public values by name.

    With an attestation, proves the attested shape (AttestedCollateralRatio): the
    attester's key and as_of become public, the signature stays private."""
    precheck(policy, prices, portfolio)
    inputs = anchored_inputs(policy, prices, portfolio, prover_address, attestation,
                             attestation_src)
    attested = attestation is not None
    values, _ = flow.prove(KIND_ATTESTED if attested else KIND, policy.circuit(attested),
                           inputs, keys_dir, out_dir, cs,
                           "collateral setup" + (" --attested" if attested else ""))
    return values


def verify(keys_or_vk: str | Path, proof_path: str | Path, public_path: str | Path,
           policy: Policy | None = None, prices: Prices | None = None,
           prover_address: int | None = None,
           attester: tuple[int, int] | None = None,
           commitment: int | None = None) -> tuple[bool, str]:
    """(valid, reason). With policy (and prices, prover, attester key, registered
    commitment) the public values must match them."""
    want = expected_anchored(policy, prices, prover_address, attester, commitment)
    return flow.verify(keys_or_vk, proof_path, public_path, want or None,
                       "the policy, prices, prover, attester and commitment")
