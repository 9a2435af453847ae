"""ReservesBatch / ReservesTop keys and real proofs (our prover) for the ReservesRegistry
tests: the smallest shape, 2 batches of 2^2 users x 2 assets (ETH, USDC)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from circuits.reserves_batch import (
    ReservesBatch,
    ReservesTop,
    asset_commitment,
    asset_name_element,
    batch_chain,
    batch_levels,
    leaf_hash,
    top_levels,
    user_commitment,
)
from prover.service import Prover
from zk import compile_circuit, groth16
from zk.std.poseidon import poseidon_hash

BATCH_BITS, N_ASSETS, N_BATCHES = 2, 2, 2
ASSETS, DECIMALS = ["ETH", "USDC"], [8, 6]    # ETH booked at 8 decimals (balances < 2^64)
ETH_UNIT, USDC_UNIT = 10**5, 10**6            # 0.001 ETH, 1 USDC
WEI_PER_UNIT = 10**10                         # ETH held in wei: 18 - 8 decimals


@lru_cache(maxsize=None)
def provers() -> tuple[Prover, Prover]:
    """(batch prover, top prover), DEVELOPMENT setups made once per session."""
    out = []
    for circuit in (ReservesBatch(BATCH_BITS, N_ASSETS),
                    ReservesTop(N_BATCHES, N_ASSETS, BATCH_BITS)):
        cs = compile_circuit(circuit)
        out.append(Prover(groth16.setup(cs), cs))
    return out[0], out[1]


@dataclass
class Ledger:
    balances: list[list[list[int]]]       # [batch][user][asset]
    id_hashes: list[list[int]]
    salts: list[list[int]]

    @property
    def roots(self) -> list[int]:
        return [batch_levels([leaf_hash(c, b) for c, b in zip(cs, bals)],
                             BATCH_BITS, N_ASSETS)[-1][0]
                for cs, bals in zip(self.commitments, self.balances)]

    @property
    def commitments(self) -> list[list[int]]:
        return [[user_commitment(i, s) for i, s in zip(ids, salts)]
                for ids, salts in zip(self.id_hashes, self.salts)]

    @property
    def sums(self) -> list[list[int]]:
        return [[sum(u[a] for u in batch) for a in range(N_ASSETS)] for batch in self.balances]

    @property
    def liabilities(self) -> list[int]:
        return [sum(s[a] for s in self.sums) for a in range(N_ASSETS)]

    @property
    def root(self) -> int:
        return top_levels(self.roots, BATCH_BITS, N_ASSETS)[-1][0]


def make_ledger(seed: int) -> Ledger:
    """2 batches x 4 users; every balance a multiple of the asset unit, some zero."""
    bals, ids, salts = [], [], []
    for b in range(N_BATCHES):
        bals.append([[((seed + 3 * b + u) % 5) * ETH_UNIT, ((seed + b + 2 * u) % 7) * USDC_UNIT]
                     for u in range(1 << BATCH_BITS)])
        ids.append([poseidon_hash([seed, b, u]) for u in range(1 << BATCH_BITS)])
        salts.append([secrets.randbelow(1 << 128) for _ in range(1 << BATCH_BITS)])
    return Ledger(bals, ids, salts)


def names() -> list[int]:
    return [asset_name_element(a) for a in ASSETS]


def commitment() -> int:
    return asset_commitment(ASSETS, DECIMALS)


@lru_cache(maxsize=None)
def batch_proofs(seed: int) -> list[tuple]:
    """[(proof, public)] of every batch of ledger `seed`, index order."""
    led = LEDGERS[seed]
    batch, _ = provers()
    links = batch_chain(led.roots, led.sums)
    out = []
    for k in range(N_BATCHES):
        res = batch.prove({"index": k, "prev_link": links[k],
                           "user_commitments": led.commitments[k],
                           "balances": led.balances[k]})
        # the circuit computes root, sums and link; they must be the reference values
        assert res.values["batch_root"] == led.roots[k] and res.values["sums"] == led.sums[k]
        assert res.values["next_link"] == links[k + 1]
        out.append((res.proof, res.public))
    return out


def top_proof(seed: int, *, chain_id: int, registry: str, exchange: str, epoch: int,
              asset_commitment_: int | None = None) -> tuple:
    led = LEDGERS[seed]
    _, top = provers()
    res = top.prove({"batch_chain": batch_chain(led.roots, led.sums)[-1],
                     "n_batches": N_BATCHES, "root": led.root,
                     "liabilities": led.liabilities,
                     "asset_commitment": asset_commitment_ or commitment(), "epoch": epoch,
                     "chain_id": chain_id, "registry": int(registry, 16),
                     "exchange": int(exchange, 16), "batch_roots": led.roots,
                     "batch_sums": led.sums})
    return res.proof, res.public


LEDGERS = {1: make_ledger(1), 2: make_ledger(2)}
