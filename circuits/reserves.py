"""Proof of reserves: a Merkle sum tree of user balances whose per-asset totals are covered.

Statement, for n_users (a power of two; the ledger is padded with zero leaves) and
n_assets (1..7):

* every balance is an integer in [0, 2^balance_bits) (no negative balances);
* ``root`` is the hash of the Merkle sum tree (zk.std.merkle_sum) built from exactly
  these leaves, leaf = Poseidon(id_hash, salt, balances...), and its per-asset sums are
  the public ``liabilities`` (per asset, never netted across assets);
* reserves_k * 10000 >= liabilities_k * min_ratio_bps for every asset k.

Public inputs, in order: root, liabilities[n_assets], reserves[n_assets], min_ratio_bps.
Headroom: sums are < 2^(balance_bits + depth); reserves < 2^reserve_bits and the ratio
< 2^ratio_bits are range-checked; the comparison width is checked <= 252 at build time.
"""
from __future__ import annotations

from zk import Circuit, Param, Private, Public
from zk.errors import CircuitDefinitionError
from zk.std import merkle_sum
from zk.std.poseidon import poseidon_cost

N_ASSETS = Param("n_assets")
N_USERS = Param("n_users")

BPS = 10000
MAX_COMPARE_BITS = 252


class ProofOfReserves(Circuit):
    """Prove reserves cover the per-asset sums of a committed user ledger."""

    root: Public
    liabilities: Public[N_ASSETS]
    reserves: Public[N_ASSETS]
    min_ratio_bps: Public
    id_hashes: Private[N_USERS]
    salts: Private[N_USERS]
    balances: Private[N_USERS, N_ASSETS]

    def __init__(self, n_users: int = 8, n_assets: int = 2, balance_bits: int = 64,
                 reserve_bits: int = 128, ratio_bits: int = 20):
        for name, v in (("n_users", n_users), ("n_assets", n_assets),
                        ("balance_bits", balance_bits), ("reserve_bits", reserve_bits),
                        ("ratio_bits", ratio_bits)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise CircuitDefinitionError(f"ProofOfReserves: {name} must be a positive int")
        if n_users < 2 or n_users & (n_users - 1):
            raise CircuitDefinitionError(f"ProofOfReserves: n_users={n_users} must be a power "
                                         "of two >= 2 (pad the ledger with zero leaves)")
        if n_assets > merkle_sum.MAX_ASSETS:
            raise CircuitDefinitionError(f"ProofOfReserves: at most {merkle_sum.MAX_ASSETS} "
                                         "assets per tree")
        super().__init__(n_users=n_users, n_assets=n_assets, balance_bits=balance_bits,
                         reserve_bits=reserve_bits, ratio_bits=ratio_bits)
        self.depth = n_users.bit_length() - 1
        self.sum_bits = merkle_sum.check_headroom(balance_bits, self.depth)
        self.compare_bits = max(reserve_bits + BPS.bit_length(), self.sum_bits + ratio_bits)
        if self.compare_bits > MAX_COMPARE_BITS:
            raise CircuitDefinitionError(f"ProofOfReserves headroom: comparison needs "
                                         f"{self.compare_bits} bits > {MAX_COMPARE_BITS}")

    def define(self, api) -> None:
        leaves = []
        with api.scope("leaves"):
            for i in range(self.n_users):
                leaves.append(merkle_sum.leaf_gadget(api, self.id_hashes[i], self.salts[i],
                                                     self.balances[i], self.balance_bits))
        root_hash, root_sums = merkle_sum.root_gadget(api, leaves)
        with api.scope("root"):
            api.assert_equal(root_hash, self.root)
            for s, liability in zip(root_sums, self.liabilities, strict=False):
                api.assert_equal(s, liability)
        with api.scope("coverage"):
            for x in self.reserves:
                api.range_check(x, bits=self.reserve_bits)
            api.range_check(self.min_ratio_bps, bits=self.ratio_bits)
            for reserve, liability in zip(self.reserves, self.liabilities, strict=False):
                # liability == a root sum < 2^sum_bits (headroom), reserve range-checked
                api.assert_le_unchecked(api.mul(liability, self.min_ratio_bps), reserve * BPS,
                                        bits=self.compare_bits)

    @staticmethod
    def estimate_constraints(n_users: int, n_assets: int, balance_bits: int = 64,
                             reserve_bits: int = 128, ratio_bits: int = 20) -> int:
        """Constraint count without compiling (equal to the compiled count; tested)."""
        depth = n_users.bit_length() - 1
        compare = max(reserve_bits + BPS.bit_length(), balance_bits + depth + ratio_bits)
        per_leaf = n_assets * (balance_bits + 1) + poseidon_cost(n_assets + 2)
        per_node = poseidon_cost(2 * n_assets + 2) + n_assets
        tail = (1 + n_assets + n_assets * (reserve_bits + 1) + ratio_bits + 1
                + n_assets * (1 + compare + 1))
        return n_users * per_leaf + (n_users - 1) * per_node + tail
