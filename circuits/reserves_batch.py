"""Sharded proof of reserves: one proof per batch of 2^b users, one top proof over them.

Hashes (Poseidon = circomlib's, :mod:`zk.std.poseidon`; docs/reserves-format.md):

* leaf = Poseidon(id_hash, salt, balance_1..balance_n); the padding leaf is
  Poseidon(0, 0, 0..0) with the same arity;
* node = Poseidon(left, right): PLAIN binary Merkle trees, no sums in the nodes, so an
  inclusion path reveals only hashes;
* batch tree over the 2^b leaves of a batch -> batch_root; top tree over the batch roots,
  padded to a power of two (at least 2) with the root of an all-padding batch -> root;
* batch chain: link_0 = 0, link_{k+1} = Poseidon(link_k, k, batch_root_k, sums_k...);
* asset_commitment = Poseidon(n_assets, name_1, decimals_1, ..., name_n, decimals_n),
  a name being its UTF-8 bytes (1..31) as a big-endian integer.

:class:`ReservesBatch` proves, for one batch, every balance in [0, 2^balance_bits), the
batch root, the per-asset sums and the link; public inputs, in order:
``index, prev_link, next_link, batch_root, sums[n_assets]``.

:class:`ReservesTop` takes the batch roots and sums as private inputs behind the public
chain value, recomputes the global root and the per-asset liabilities; public inputs, in
order: ``batch_chain, n_batches, root, liabilities[n_assets], asset_commitment, epoch,
chain_id, registry, exchange``. A batch proof whose (index, root, sums) is not in the
top's chain cannot end in its ``batch_chain`` (Poseidon collision resistance).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from zk import Circuit, CompiledCircuit, Output, Param, Private, Public
from zk.errors import CircuitDefinitionError, MalformedInput
from zk.field import R
from zk.std.merkle import merkle_path as _merkle_path
from zk.std.merkle import tree_levels
from zk.std.poseidon import poseidon, poseidon_cost, poseidon_hash

MAX_ASSETS = 7            # asset commitment: 1 + 2 * 7 = 15 Poseidon inputs
MAX_BATCH_BITS = 20
MAX_BATCHES = 1 << 16
MAX_NAME_BYTES = 31
MAX_DECIMALS = 255        # ERC-20 decimals() is a uint8
INDEX_BITS = 32

N_USERS = Param("n_users")
N_ASSETS = Param("n_assets")
N_BATCHES = Param("batch_count")


# --- off-circuit hashes ---------------------------------------------------------------
def asset_name_element(name: str) -> int:
    """An asset name as a field element: its UTF-8 bytes (1..31) big-endian."""
    if not isinstance(name, str):
        raise MalformedInput("asset name must be a string")
    data = name.encode("utf-8", "strict") if name.isprintable() else b""
    if not 1 <= len(data) <= MAX_NAME_BYTES or name != name.strip():
        raise MalformedInput(f"asset name {name!r}: expected 1..{MAX_NAME_BYTES} bytes of "
                             "printable UTF-8 without surrounding spaces")
    return int.from_bytes(data, "big")


def asset_commitment(assets: Sequence[str], decimals: Sequence[int]) -> int:
    """Poseidon(n, name_1, decimals_1, ..., name_n, decimals_n) of the asset list."""
    if not 1 <= len(assets) <= MAX_ASSETS or len(decimals) != len(assets):
        raise MalformedInput(f"asset list: 1..{MAX_ASSETS} assets, one decimals each")
    if len(set(assets)) != len(assets):
        raise MalformedInput("asset list: an asset is listed twice")
    flat = [len(assets)]
    for name, d in zip(assets, decimals, strict=True):
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= MAX_DECIMALS:
            raise MalformedInput(f"asset {name!r}: decimals must be an integer "
                                 f"0..{MAX_DECIMALS}")
        flat += [asset_name_element(name), d]
    return poseidon_hash(flat)


def leaf_hash(id_hash: int, salt: int, balances: Sequence[int],
              balance_bits: int = 64) -> int:
    """Poseidon(id_hash, salt, balances...); balances must be in [0, 2^balance_bits)."""
    for b in balances:
        if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b < 1 << balance_bits:
            raise MalformedInput(f"balance {b!r} is outside [0, 2^{balance_bits})")
    return poseidon_hash([id_hash, salt, *balances])


@lru_cache(maxsize=64)
def padding_leaf(n_assets: int) -> int:
    """The all-zero leaf Poseidon(0, 0, 0..0) of this arity."""
    return poseidon_hash([0] * (n_assets + 2))


@lru_cache(maxsize=256)
def padding_batch_root(batch_bits: int, n_assets: int) -> int:
    """Root of a batch made only of padding leaves."""
    h = padding_leaf(n_assets)
    for _ in range(batch_bits):
        h = poseidon_hash([h, h])
    return h


def batch_levels(leaves: Sequence[int], batch_bits: int, n_assets: int) -> list[list[int]]:
    """Levels (leaves first) of a batch tree; leaves are padded to 2^batch_bits."""
    size = 1 << batch_bits
    if len(leaves) > size:
        raise MalformedInput(f"{len(leaves)} leaves do not fit a batch of {size}")
    return tree_levels(list(leaves) + [padding_leaf(n_assets)] * (size - len(leaves)))


def top_width(n_batches: int) -> int:
    """Leaves of the top tree: the next power of two >= n_batches, at least 2."""
    return max(2, 1 << (n_batches - 1).bit_length())


def top_levels(batch_roots: Sequence[int], batch_bits: int, n_assets: int) -> list[list[int]]:
    """Levels of the top tree over the batch roots, padded with the padding-batch root."""
    pad = padding_batch_root(batch_bits, n_assets)
    roots = list(batch_roots)
    return tree_levels(roots + [pad] * (top_width(len(roots)) - len(roots)))


def next_link(prev_link: int, index: int, batch_root: int, sums: Sequence[int]) -> int:
    """link_{k+1} = Poseidon(link_k, k, batch_root_k, sums_k...)."""
    return poseidon_hash([prev_link, index, batch_root, *sums])


def batch_chain(batch_roots: Sequence[int], batch_sums: Sequence[Sequence[int]]) -> list[int]:
    """Every link: [link_0 = 0, link_1, ..., link_n]; the last is the top's batch_chain."""
    links = [0]
    for k, (root, sums) in enumerate(zip(batch_roots, batch_sums, strict=True)):
        links.append(next_link(links[-1], k, root, sums))
    return links


def _positive(what: str, **values: int) -> None:
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise CircuitDefinitionError(f"{what}: {name} must be a positive int")


# --- circuits -------------------------------------------------------------------------
def _tree_root(api, leaves: list, keep: bool = False) -> object:
    """Root of the plain tree; keep=True puts every node on a wire labelled ``node``."""
    level = leaves
    while len(level) > 1:
        level = [poseidon(api, level[i], level[i + 1]) for i in range(0, len(level), 2)]
        if keep:
            level = [api.as_wire(h, "node") for h in level]
    return level[0]


class ReservesBatch(Circuit):
    """One batch of 2^batch_bits users: ranges, batch root, per-asset sums, chain link."""

    index: Public
    prev_link: Public
    next_link: Output
    batch_root: Output
    sums: Output[N_ASSETS]
    id_hashes: Private[N_USERS]
    salts: Private[N_USERS]
    balances: Private[N_USERS, N_ASSETS]

    def __init__(self, batch_bits: int = 2, n_assets: int = 2, balance_bits: int = 64):
        _positive("ReservesBatch", batch_bits=batch_bits, n_assets=n_assets,
                  balance_bits=balance_bits)
        if batch_bits > MAX_BATCH_BITS or n_assets > MAX_ASSETS or balance_bits > 128:
            raise CircuitDefinitionError(f"ReservesBatch: batch_bits <= {MAX_BATCH_BITS}, "
                                         f"n_assets <= {MAX_ASSETS}, balance_bits <= 128")
        super().__init__(batch_bits=batch_bits, n_assets=n_assets, balance_bits=balance_bits)
        self.n_users = 1 << batch_bits
        self.sum_bits = balance_bits + batch_bits

    def define(self, api) -> None:
        leaves = []
        with api.scope("leaves"):
            for i in range(self.n_users):
                for b in self.balances[i]:
                    api.range_check(b, bits=self.balance_bits)
                leaves.append(api.as_wire(poseidon(api, self.id_hashes[i], self.salts[i],
                                                   *self.balances[i]), "node"))
        with api.scope("tree"):
            api.output(self.batch_root, _tree_root(api, leaves, keep=True))
        with api.scope("sums"):
            for k, s in enumerate(self.sums):
                api.output(s, api.sum(row[k] for row in self.balances))
                api.range_check(s, bits=self.sum_bits)   # implied; records the bound
        with api.scope("link"):
            api.range_check(self.index, bits=INDEX_BITS)
            link = poseidon(api, self.prev_link, self.index, self.batch_root, *self.sums)
            api.output(self.next_link, link)

    @staticmethod
    def estimate_constraints(batch_bits: int, n_assets: int, balance_bits: int = 64) -> int:
        """Constraint count without compiling (equal to the compiled count; tested)."""
        n = 1 << batch_bits
        leaves = n * (n_assets * (balance_bits + 1) + poseidon_cost(n_assets + 2) + 1)
        tree = (n - 1) * (poseidon_cost(2) + 1) + 1
        sums = n_assets * (1 + balance_bits + batch_bits + 1)
        link = INDEX_BITS + 1 + poseidon_cost(n_assets + 3) + 1
        return leaves + tree + sums + link


def tree_wires(cs: CompiledCircuit) -> list[list[int]]:
    """Witness indices of every batch-tree node, leaves first: the witness of a batch
    proof IS its tree, so inclusion paths need no second hashing pass."""
    nodes = [c for (_, _, c), label in zip(cs.constraints, cs.labels, strict=True)
             if label in ("leaves/node", "tree/node")]
    wires = [next(iter(c)) for c in nodes]
    root = cs.inputs[[i.name for i in cs.inputs].index("batch_root")].first_wire
    levels, n = [], (len(wires) + 2) // 2       # 2n - 2 node wires + the root
    pos = 0
    while n > 1:
        levels.append(wires[pos:pos + n])
        pos += n
        n //= 2
    return levels + [[root]]


class ReservesTop(Circuit):
    """The batch list behind one chain value: global root, liabilities, bound statement."""

    batch_chain: Public
    n_batches: Public
    root: Public
    liabilities: Public[N_ASSETS]
    asset_commitment: Public
    epoch: Public
    chain_id: Public
    registry: Public
    exchange: Public
    batch_roots: Private[N_BATCHES]
    batch_sums: Private[N_BATCHES, N_ASSETS]

    def __init__(self, n_batches: int = 2, n_assets: int = 2, batch_bits: int = 2,
                 balance_bits: int = 64):
        _positive("ReservesTop", n_batches=n_batches, n_assets=n_assets,
                  batch_bits=batch_bits, balance_bits=balance_bits)
        if n_batches > MAX_BATCHES or n_assets > MAX_ASSETS or batch_bits > MAX_BATCH_BITS \
                or balance_bits > 128:
            raise CircuitDefinitionError(f"ReservesTop: n_batches <= {MAX_BATCHES}, n_assets "
                                         f"<= {MAX_ASSETS}, batch_bits <= {MAX_BATCH_BITS}, "
                                         "balance_bits <= 128")
        # the public input is called n_batches, so the parameter is stored as batch_count
        super().__init__(batch_count=n_batches, n_assets=n_assets, batch_bits=batch_bits,
                         balance_bits=balance_bits)
        self.sum_bits = balance_bits + batch_bits
        self.liability_bits = self.sum_bits + (n_batches - 1).bit_length()

    def define(self, api) -> None:
        n, k = self.batch_count, self.n_assets
        with api.scope("count"):
            api.assert_equal(self.n_batches, n)
        with api.scope("chain"):
            link = api.constant(0)
            for i in range(n):
                for s in self.batch_sums[i]:
                    api.range_check(s, bits=self.sum_bits)
                link = poseidon(api, link, i, self.batch_roots[i], *self.batch_sums[i])
            api.assert_equal(link, self.batch_chain)
        with api.scope("tree"):
            pad = padding_batch_root(self.batch_bits, k)
            leaves = list(self.batch_roots) + [api.constant(pad)] * (top_width(n) - n)
            api.assert_equal(_tree_root(api, leaves), self.root)
        with api.scope("liabilities"):
            for a in range(k):
                api.assert_equal(api.sum(row[a] for row in self.batch_sums),
                                 self.liabilities[a])
                api.range_check(self.liabilities[a], bits=self.liability_bits)
        api.bind_public(self.asset_commitment, self.epoch, self.chain_id, self.registry,
                        self.exchange)

    @staticmethod
    def estimate_constraints(n_batches: int, n_assets: int, batch_bits: int = 2,
                             balance_bits: int = 64) -> int:
        """Constraint count without compiling (equal to the compiled count; tested)."""
        sum_bits = balance_bits + batch_bits
        liability_bits = sum_bits + (n_batches - 1).bit_length()
        # a constant Poseidon input (the index, link_0, a padding root) saves its S-box
        chain = n_batches * (n_assets * (sum_bits + 1) + poseidon_cost(n_assets + 3) - 3) \
            - 3 + 1
        tree, level = 1, [False] * n_batches + [True] * (top_width(n_batches) - n_batches)
        while len(level) > 1:
            pairs = list(zip(level[0::2], level[1::2], strict=True))
            tree += sum(0 if a and b else poseidon_cost(2) - 3 * (a or b) for a, b in pairs)
            level = [a and b for a, b in pairs]
        return 1 + chain + tree + n_assets * (1 + liability_bits + 1)


def check_field(values: Sequence[int], what: str) -> None:
    """MalformedInput unless every value is a field element."""
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise MalformedInput(f"{what}: {v!r} is not a field element")


def merkle_root_of(leaves: Sequence[int]) -> int:
    """Root of the plain tree over a power-of-two list of leaves."""
    return tree_levels(leaves)[-1][0]


def merkle_path(levels: list[list[int]], index: int) -> list[int]:
    """Sibling hashes of leaf ``index``, leaf level first."""
    return _merkle_path(levels, index)
