"""Sharded proof of reserves: one proof per batch of 2^b users, one top proof over them.

Hashes (Poseidon = circomlib's, :mod:`zk.std.poseidon`; docs/reserves-format.md, tree v3):

* user_commitment = Poseidon(id_hash, salt), computed off-circuit by the exchange and by
  the user's verifier (the batch circuit takes the commitments as private inputs);
* balances packed K = 253 // balance_bits per field element:
  packed_j = sum_{i<K} balance_{K*j+i} * 2^(balance_bits*i). Every balance is
  range-checked to balance_bits first and K * balance_bits <= 253 < log2(r), so the
  packed integer never wraps mod r and packing is injective;
* leaf = Poseidon(user_commitment, packed_1..packed_m), m = ceil(n_assets / K); the
  padding leaf is Poseidon(0, ..., 0) with 1 + m inputs;
* trees (batch and top: one model, :func:`zk.std.merkle.tree_arities`) are mixed-arity:
  levels of arity 8, then one of arity 2^(bits % 3); node = Poseidon(children), no sums in
  the nodes, so an inclusion path reveals only hashes;
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
from zk.std.merkle import mixed_levels, mixed_path, mixed_root_gadget, tree_arities
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


PACK_BITS = 253          # K * balance_bits <= 253 < log2(r): packing never wraps


def pack_width(balance_bits: int = 64) -> int:
    """K: balances per packed field element."""
    return PACK_BITS // balance_bits


def packed_count(n_assets: int, balance_bits: int = 64) -> int:
    """m = ceil(n_assets / K): packed field elements per leaf."""
    return -(-n_assets // pack_width(balance_bits))


def check_balances(balances: Sequence[int], balance_bits: int = 64) -> None:
    """MalformedInput unless every balance is an integer in [0, 2^balance_bits)."""
    for b in balances:
        if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b < 1 << balance_bits:
            raise MalformedInput(f"balance {b!r} is outside [0, 2^{balance_bits})")


def pack_balances(balances: Sequence[int], balance_bits: int = 64) -> list[int]:
    """packed_j = sum_{i<K} balance_{K*j+i} * 2^(balance_bits*i) (balances range-checked,
    so the packing is injective)."""
    check_balances(balances, balance_bits)
    k = pack_width(balance_bits)
    return [sum(b << (balance_bits * i) for i, b in enumerate(balances[j:j + k]))
            for j in range(0, len(balances), k)]


def user_commitment(id_hash: int, salt: int) -> int:
    """Poseidon(id_hash, salt): the user's part of the leaf, computed off-circuit."""
    return poseidon_hash([id_hash, salt])


def leaf_hash(commitment: int, balances: Sequence[int], balance_bits: int = 64) -> int:
    """Poseidon(user_commitment, packed balances...); balances in [0, 2^balance_bits)."""
    return poseidon_hash([commitment, *pack_balances(balances, balance_bits)])


@lru_cache(maxsize=64)
def padding_leaf(n_assets: int, balance_bits: int = 64) -> int:
    """The all-zero leaf Poseidon(0, ..., 0) with 1 + m inputs."""
    return poseidon_hash([0] * (1 + packed_count(n_assets, balance_bits)))


@lru_cache(maxsize=256)
def padding_batch_root(batch_bits: int, n_assets: int) -> int:
    """Root of a batch made only of padding leaves."""
    h = padding_leaf(n_assets)
    for a in tree_arities(batch_bits):
        h = poseidon_hash([h] * a)
    return h


def batch_levels(leaves: Sequence[int], batch_bits: int, n_assets: int) -> list[list[int]]:
    """Levels (leaves first) of a batch tree; leaves are padded to 2^batch_bits."""
    size = 1 << batch_bits
    if len(leaves) > size:
        raise MalformedInput(f"{len(leaves)} leaves do not fit a batch of {size}")
    return mixed_levels(list(leaves) + [padding_leaf(n_assets)] * (size - len(leaves)),
                        tree_arities(batch_bits))


def top_width(n_batches: int) -> int:
    """Leaves of the top tree: the next power of two >= n_batches, at least 2."""
    return max(2, 1 << (n_batches - 1).bit_length())


def top_bits(n_batches: int) -> int:
    """log2 of the top tree's width."""
    return top_width(n_batches).bit_length() - 1


def top_levels(batch_roots: Sequence[int], batch_bits: int, n_assets: int) -> list[list[int]]:
    """Levels of the top tree over the batch roots, padded with the padding-batch root."""
    pad = padding_batch_root(batch_bits, n_assets)
    roots = list(batch_roots)
    return mixed_levels(roots + [pad] * (top_width(len(roots)) - len(roots)),
                        tree_arities(top_bits(len(roots))))


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
class ReservesBatch(Circuit):
    """One batch of 2^batch_bits users: ranges, batch root, per-asset sums, chain link."""

    index: Public
    prev_link: Public
    next_link: Output
    batch_root: Output
    sums: Output[N_ASSETS]
    user_commitments: Private[N_USERS]
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
        k, bits = pack_width(self.balance_bits), self.balance_bits
        with api.scope("leaves"):
            for i in range(self.n_users):
                row = self.balances[i]
                for b in row:
                    api.range_check(b, bits=bits)
                # range-checked balances, K * bits <= 253: an injective linear packing
                packed = [api.sum(row[j + t] * (1 << (bits * t))
                                  for t in range(min(k, len(row) - j)))
                          for j in range(0, len(row), k)]
                leaves.append(api.as_wire(poseidon(api, self.user_commitments[i], *packed),
                                          "node"))
        with api.scope("tree"):
            root = mixed_root_gadget(api, leaves, tree_arities(self.batch_bits), keep="node")
            api.output(self.batch_root, root)
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
        m = packed_count(n_assets, balance_bits)
        leaves = n * (n_assets * (balance_bits + 1) + poseidon_cost(1 + m) + 1)
        tree, width = 1, n
        for a in tree_arities(batch_bits):
            width //= a
            tree += width * (poseidon_cost(a) + 1)
        sums = n_assets * (1 + balance_bits + batch_bits + 1)
        link = INDEX_BITS + 1 + poseidon_cost(n_assets + 3) + 1
        return leaves + tree + sums + link


def tree_wires(cs: CompiledCircuit) -> list[list[int]]:
    """Witness indices of every batch-tree node, levels leaf first (the mixed arities of
    :func:`zk.std.merkle.tree_arities`): the witness of a batch proof IS its tree, so
    inclusion paths need no second hashing pass."""
    leaves, nodes = [], []
    for (_, _, c), label in zip(cs.constraints, cs.labels, strict=True):
        if label == "leaves/node":
            leaves.append(next(iter(c)))
        elif label == "tree/node":
            nodes.append(next(iter(c)))
    root = cs.inputs[[i.name for i in cs.inputs].index("batch_root")].first_wire
    levels, pos, width = [leaves], 0, len(leaves)
    for a in tree_arities(width.bit_length() - 1)[:-1]:
        width //= a
        levels.append(nodes[pos:pos + width])
        pos += width
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
            api.assert_equal(mixed_root_gadget(api, leaves, tree_arities(top_bits(n))),
                             self.root)
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
        for a in tree_arities(top_bits(n_batches)):
            groups = [level[i:i + a] for i in range(0, len(level), a)]
            tree += sum(0 if all(g) else poseidon_cost(a) - 3 * sum(g) for g in groups)
            level = [all(g) for g in groups]
        return 1 + chain + tree + n_assets * (1 + liability_bits + 1)


def check_field(values: Sequence[int], what: str) -> None:
    """MalformedInput unless every value is a field element."""
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise MalformedInput(f"{what}: {v!r} is not a field element")


def merkle_root_of(leaves: Sequence[int]) -> int:
    """Root of the mixed-arity tree over a power-of-two list of leaves."""
    return mixed_levels(leaves, tree_arities(len(leaves).bit_length() - 1))[-1][0]


def merkle_path(levels: list[list[int]], index: int) -> list[list[int]]:
    """Per-level sibling hashes of leaf ``index``, leaf level first."""
    return mixed_path(levels, index, tree_arities(len(levels[0]).bit_length() - 1))
