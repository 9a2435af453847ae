"""Proof of reserves: ledger -> Merkle sum tree -> proof, plus per-user inclusion proofs.

Files: a public reserves file {"min_ratio_bps", "assets": [{"asset", "decimals",
"reserves"}]} and a PRIVATE ledger (CSV ``user_id,<asset>...`` streamed row by row, or
JSON {"users": [{"id", "balances": {asset: amount}}]}). The ledger is padded with zero
leaves to ``capacity`` users (a power of two; default the next one that fits), which
fixes the circuit shape; keys live in ``<keys_dir>/reserves-<shape id>/`` and are reused.
"""
from __future__ import annotations

import hashlib
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from circuits.inclusion import check_inclusion, inclusion_proof, user_id_hash
from circuits.reserves import BPS, ProofOfReserves
from prover import flow, workflow
from prover.inputs import (
    DuplicateUser,
    InputFileError,
    check_asset_name,
    iter_ledger,
    parse_decimal,
    parse_int,
    read_object,
)
from zk import atomic, progress
from zk.errors import MalformedInput, WitnessError
from zk.field import R
from zk.std import merkle_sum

BALANCE_BITS = 64
RESERVE_BITS = 128
RATIO_BITS = 20
KIND = "reserves"


@dataclass(frozen=True)
class ReservesSpec:
    """Public side: assets (order = circuit order), decimals, reserves, minimum ratio."""

    assets: tuple[str, ...]
    decimals: tuple[int, ...]
    reserves: tuple[int, ...]
    min_ratio_bps: int


@dataclass
class Ledger:
    """PRIVATE: users in ledger order, with balances in base units and fresh salts."""

    ids: list[str]
    balances: list[tuple[int, ...]]
    salts: list[int]

    def __repr__(self) -> str:
        return f"Ledger({len(self.ids)} users, hidden)"


def load_spec(path: str | Path) -> ReservesSpec:
    """Parse the public reserves file."""
    src = str(path)
    obj = read_object(path, {"min_ratio_bps", "assets"}, {"min_ratio_bps", "assets"})
    items = obj["assets"]
    if not isinstance(items, list) or not 1 <= len(items) <= merkle_sum.MAX_ASSETS:
        raise InputFileError(src, "field 'assets'", f"expected 1..{merkle_sum.MAX_ASSETS} "
                                                    "assets")
    names, decs, res = [], [], []
    for i, it in enumerate(items):
        where = f"assets[{i}]"
        if not isinstance(it, dict) or set(it) != {"asset", "decimals", "reserves"}:
            raise InputFileError(src, where, "expected fields asset, decimals, reserves")
        names.append(check_asset_name(it["asset"], src, f"{where}.asset"))
        decs.append(parse_int(it["decimals"], src, f"{where}.decimals", bits=6))
        res.append(parse_decimal(it["reserves"], decs[-1], src, f"{where}.reserves",
                                 RESERVE_BITS))
    if len(set(names)) != len(names):
        raise InputFileError(src, "field 'assets'", "an asset is listed twice")
    return ReservesSpec(tuple(names), tuple(decs), tuple(res),
                        parse_int(obj["min_ratio_bps"], src, "field 'min_ratio_bps'",
                                  RATIO_BITS))


def _tick(count: int, label: str) -> None:
    if count % 1000 == 0 and progress.enabled():
        sys.stderr.write(f"\r  {label}: {count}")
        sys.stderr.flush()


def load_ledger(path: str | Path, spec: ReservesSpec) -> Ledger:
    """Parse a PRIVATE ledger (streams CSV); salts are fresh random field elements."""
    src = str(path)
    ids: list[str] = []
    seen: set[str] = set()
    balances: list[tuple[int, ...]] = []
    for where, uid, row in iter_ledger(path, list(spec.assets)):
        if not isinstance(uid, str) or not uid or uid != uid.strip():
            raise InputFileError(src, f"{where} user_id", "must be a non-empty string "
                                                          "without surrounding spaces")
        if uid in seen:
            raise DuplicateUser(src, f"{where} user_id", "duplicate user")
        try:
            user_id_hash(uid)
        except MalformedInput as exc:
            raise InputFileError(src, f"{where} user_id", str(exc)) from None
        seen.add(uid)
        ids.append(uid)
        balances.append(tuple(
            parse_decimal(row.get(a, "0") or "0", d, src, f"{where} column '{a}'",
                          BALANCE_BITS) for a, d in zip(spec.assets, spec.decimals, strict=False)))
        _tick(len(ids), "ledger rows")
    if progress.enabled() and len(ids) >= 1000:
        sys.stderr.write("\n")
    if not ids:
        raise InputFileError(src, "rows", "the ledger has no users")
    return Ledger(ids, balances, [secrets.randbelow(R) for _ in ids])


def capacity_for(n_users: int, capacity: int | None = None) -> int:
    """The padded tree size: capacity if given (a power of two that fits), else the next."""
    cap = capacity or max(2, 1 << (n_users - 1).bit_length())
    if cap < 2 or cap & (cap - 1) or cap < n_users:
        raise MalformedInput(f"capacity {cap} must be a power of two >= {max(n_users, 2)}")
    return cap


def circuit_for(spec: ReservesSpec, capacity: int) -> ProofOfReserves:
    return ProofOfReserves(capacity, len(spec.assets), BALANCE_BITS, RESERVE_BITS, RATIO_BITS)


def build_tree(ledger: Ledger, n_assets: int, capacity: int) -> list[list[merkle_sum.SumNode]]:
    """Levels of the padded Merkle sum tree (leaves first)."""
    done = [0]

    def tick(k: int) -> None:
        done[0] += k
        _tick(done[0], "tree nodes")
    leaves = []
    for uid, bal, salt in zip(ledger.ids, ledger.balances, ledger.salts, strict=False):
        leaves.append(merkle_sum.leaf(user_id_hash(uid), salt, bal))
        tick(1)
    leaves += [merkle_sum.zero_leaf(n_assets)] * (capacity - len(leaves))
    levels = merkle_sum.build_levels(leaves, tick)
    if progress.enabled() and done[0] >= 1000:
        sys.stderr.write("\n")
    return levels


def precheck(spec: ReservesSpec, liabilities: tuple[int, ...]) -> None:
    """Off-circuit coverage check; WitnessError naming the first uncovered asset."""
    for name, res, liab in zip(spec.assets, spec.reserves, liabilities, strict=False):
        if res * BPS < liab * spec.min_ratio_bps:
            raise WitnessError(f"reserves of {name} do not cover its liabilities at the "
                               "minimum ratio; no proof can be made")


def circuit_inputs(spec: ReservesSpec, ledger: Ledger, levels) -> dict:
    """Named circuit inputs (public and PRIVATE), padded to the tree size."""
    cap, k = len(levels[0]), len(spec.assets)
    pad = cap - len(ledger.ids)
    root = levels[-1][0]
    return {
        "root": root.hash, "liabilities": list(root.sums), "reserves": list(spec.reserves),
        "min_ratio_bps": spec.min_ratio_bps,
        "id_hashes": [user_id_hash(u) for u in ledger.ids] + [0] * pad,
        "salts": list(ledger.salts) + [0] * pad,
        "balances": [list(b) for b in ledger.balances] + [[0] * k] * pad,
    }


def shape_dir(keys_dir: str | Path, spec: ReservesSpec, capacity: int) -> Path:
    return flow.key_folder(keys_dir, KIND, circuit_for(spec, capacity))


def setup(spec: ReservesSpec, capacity: int, keys_dir: str | Path,
          force: bool = False) -> tuple[Path, bool]:
    """DEVELOPMENT setup for (capacity users, this asset count), once; (folder, reused)."""
    return flow.setup(KIND, circuit_for(spec, capacity), keys_dir, force)


def _inclusion_name(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()[:16] + ".json"


def prove(spec: ReservesSpec, ledger: Ledger, keys_dir: str | Path, out_dir: str | Path,
          capacity: int | None = None) -> dict:
    """Prove into out_dir (see prover.flow.prove) plus inclusion/<user>.json; returns the
    public values by name."""
    cap = capacity_for(len(ledger.ids), capacity)
    circuit = circuit_for(spec, cap)
    if not flow.has_keys(shape_dir(keys_dir, spec, cap)):
        raise MalformedInput(f"{shape_dir(keys_dir, spec, cap)}: no keys for {cap} users x "
                             f"{len(spec.assets)} assets; run `reserves setup` first")
    with progress.step("tree"):
        levels = build_tree(ledger, len(spec.assets), cap)
    precheck(spec, levels[-1][0].sums)
    values, _ = flow.prove(KIND, circuit, circuit_inputs(spec, ledger, levels), keys_dir,
                           out_dir)
    out = Path(out_dir)
    with progress.step("inclusion proofs"):
        for i, (uid, salt) in enumerate(zip(ledger.ids, ledger.salts, strict=False)):
            atomic.write_json(out / "inclusion" / _inclusion_name(uid), inclusion_proof(
                levels, i, uid, salt, spec.assets, spec.decimals, circuit.sum_bits))
    return values


def verify(keys_or_vk: str | Path, proof_path: str | Path, public_path: str | Path,
           spec: ReservesSpec | None = None) -> tuple[bool, str]:
    """(valid, reason); with a spec, reserves and ratio in public.json must match it."""
    want = {"reserves": list(spec.reserves), "min_ratio_bps": spec.min_ratio_bps} \
        if spec is not None else None
    return flow.verify(keys_or_vk, proof_path, public_path, want, "the reserves file")


def verify_inclusion(proof_file: str | Path, public_path: str | Path,
                     expect: dict[str, str] | None = None,
                     statement_path: str | Path | None = None) -> tuple[bool, str]:
    """A user's check: their leaf leads to the proven root and liabilities.

    ``expect`` optionally maps asset -> decimal balance the user believes they hold. The
    public values are read by name through statement.json (default: next to public.json).
    """
    obj = atomic.read_json(proof_file, 16 << 20)
    public = workflow.read_public(public_path)
    statement = flow.read_statement(statement_path or
                                    Path(public_path).parent / flow.STATEMENT_NAME)
    try:
        root = check_inclusion(obj)
    except MalformedInput as exc:
        return False, str(exc)
    if flow.mismatches(statement, public, {"root": root.hash,
                                           "liabilities": list(root.sums)}):
        return False, "the inclusion proof's root/liabilities are not the proven ones"
    for asset, amount in (expect or {}).items():
        if asset not in obj["assets"]:
            return False, f"asset {asset} is not in the tree"
        i = obj["assets"].index(asset)
        want = parse_decimal(amount, obj["decimals"][i], "--balance", asset, 256)
        if int(obj["balances"][i]) != want:
            return False, f"the tree holds a different {asset} balance than expected"
    return True, "included: your balances are in the proven liabilities"
