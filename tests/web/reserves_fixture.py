"""A small sharded proof-of-reserves tree built from the spec (docs/reserves-format.md,
tree v3) with the project's Poseidon, and v3 inclusion files for its users.

Independent of the prover's pipeline on purpose: the page is checked against hashes
computed here by ``zk.std.poseidon`` and in the browser by poseidon-lite.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from circuits.inclusion import user_id_hash
from zk.statement import PublicInput, Statement
from zk.std.poseidon import poseidon_hash

FORMAT = "zk-solvency/inclusion-proof/v3"


def asset_field(name: str) -> int:
    return int.from_bytes(name.encode(), "big")


def asset_commitment(assets: list[str], decimals: list[int]) -> int:
    return poseidon_hash([len(assets), *(x for a, d in zip(assets, decimals)
                                         for x in (asset_field(a), d))])


def arities(n_leaves: int) -> list[int]:
    """Level arities of the spec's tree over 2^bits leaves: 8s, then 2^(bits % 3)."""
    bits = n_leaves.bit_length() - 1
    return [8] * (bits // 3) + ([2 ** (bits % 3)] if bits % 3 else [])


def tree(leaves: list[int]) -> list[list[int]]:
    """Levels of the mixed-arity tree, leaves first (len(leaves) a power of two)."""
    levels = [leaves]
    for a in arities(len(leaves)):
        lv = levels[-1]
        levels.append([poseidon_hash(lv[i:i + a]) for i in range(0, len(lv), a)])
    return levels


def path(levels: list[list[int]], index: int) -> list[list[int]]:
    """Per level, the siblings (child order, the node itself left out)."""
    out = []
    for lv, a in zip(levels, arities(len(levels[0]))):
        group = lv[index - index % a:index - index % a + a]
        out.append(group[:index % a] + group[index % a + 1:])
        index //= a
    return out


def leaf(user_id: str, salt: int, balances: list[int]) -> int:
    """Poseidon(Poseidon(id_hash, salt), balances packed 3 per element at 64 bits)."""
    packed = [sum(b << (64 * i) for i, b in enumerate(balances[j:j + 3]))
              for j in range(0, len(balances), 3)]
    return poseidon_hash([poseidon_hash([user_id_hash(user_id), salt]), *packed])


def top_statement(n_assets: int) -> Statement:
    """The shape of ReservesTop's public inputs, in the spec's order."""
    names = ["batch_chain", "n_batches", "root"]
    inputs = [PublicInput(n, (), 254) for n in names]
    inputs.append(PublicInput("liabilities", (n_assets,), 64))
    inputs += [PublicInput(n, (), b) for n, b in (("asset_commitment", 254), ("epoch", 64),
                                                  ("chain_id", 64), ("registry", 160),
                                                  ("exchange", 160))]
    return Statement(f"ReservesTop(4, {n_assets})", "test-fixture-digest-0001", tuple(inputs))


@dataclass
class Reserves:
    """Users' ledger split into batches of 2^batch_bits, the trees and the statement."""

    users: list[tuple[str, list[int]]]
    assets: list[str]
    decimals: list[int]
    batch_bits: int = 3
    chain_id: int = 31337
    registry: str = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    exchange: str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    epoch: int = 7
    salts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        n, size = len(self.assets), 1 << self.batch_bits
        self.salts = [secrets.randbelow(1 << 128) for _ in self.users]
        leaves = [leaf(u, s, b) for (u, b), s in zip(self.users, self.salts)]
        pad = poseidon_hash([0] * (1 + -(-n // 3)))
        n_batches = -(-len(leaves) // size)
        leaves += [pad] * (n_batches * size - len(leaves))
        self.batches = [tree(leaves[i:i + size]) for i in range(0, len(leaves), size)]
        roots = [b[-1][0] for b in self.batches]
        width = max(2, 1 << (len(roots) - 1).bit_length())
        roots += [tree([pad] * size)[-1][0]] * (width - len(roots))
        self.top = tree(roots)
        self.root = self.top[-1][0]
        self.asset_commitment = asset_commitment(self.assets, self.decimals)
        self.statement = top_statement(n)
        self.liabilities = [sum(b[k] for _, b in self.users) for k in range(n)]

    def inclusion(self, i: int) -> dict:
        """The v3 inclusion file of user i."""
        size = 1 << self.batch_bits
        batch, index = divmod(i, size)
        user_id, balances = self.users[i]
        return {
            "format": FORMAT, "user_id": user_id, "salt": str(self.salts[i]),
            "balances": [str(b) for b in balances], "assets": list(self.assets),
            "decimals": list(self.decimals), "batch_bits": self.batch_bits,
            "top_bits": len(self.top[0]).bit_length() - 1,
            "batch_index": batch, "leaf_index": index,
            "batch_path": [[str(h) for h in lv] for lv in path(self.batches[batch], index)],
            "top_path": [[str(h) for h in lv] for lv in path(self.top, batch)],
            "batch_root": str(self.batches[batch][-1][0]), "root": str(self.root),
            "asset_commitment": str(self.asset_commitment),
            "statement": {"chain_id": str(self.chain_id), "registry": self.registry,
                          "exchange": self.exchange, "epoch": str(self.epoch),
                          "key_id": "0x" + "ab" * 32,
                          "statement_hash": "0x" + self.statement.hash().hex()},
        }

    def public(self) -> list[str]:
        """public.json of the top proof (decimal strings, in statement order)."""
        values = [12345, len(self.batches), self.root, *self.liabilities,
                  self.asset_commitment, self.epoch, self.chain_id, int(self.registry, 16),
                  int(self.exchange, 16)]
        assert len(values) == self.statement.num_public
        return [str(v) for v in values]


def sample() -> Reserves:
    """Ten users, three assets with 8, 18 and 6 decimals, two batches of eight (batch
    tree [8], top tree [2]: 8- and 2-input nodes)."""
    users = [(f"user-{k:02d}@example.com", [k * 10_000_000 + 1, 10**18 * k + 5, 1_500_000 * k])
             for k in range(10)]
    users[3] = ("Zoë Ünicode 🦊", [123_456_789, 2 * 10**18, 0])
    return Reserves(users, ["BTC", "ETH", "USDC"], [8, 18, 6])
