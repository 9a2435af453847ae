"""Small example circuits: one to try every command, and the benchmark shapes."""
from __future__ import annotations

from zk import Circuit, Output, Param, Private, Public
from zk.std.poseidon import poseidon

N = Param("n")


class ReserveCheck(Circuit):
    """Prove sum(balances) == total and reserves * 10000 >= total * ratio_bps.

    Balances are private (each < 2^64); total, reserves and the ratio are public.
    """

    total: Public
    reserves: Public
    ratio_bps: Public
    balances: Private[N]

    def __init__(self, n: int = 4):
        super().__init__(n=n)

    def define(self, api) -> None:
        with api.scope("balances"):
            for b in self.balances:
                api.range_check(b, bits=64)
            api.assert_equal(api.sum(self.balances), self.total)
        with api.scope("coverage"):
            api.range_check(self.ratio_bps, bits=16)
            api.range_check(self.reserves, bits=80)
            api.range_check(self.total, bits=80)
            api.assert_ge(self.reserves * 10000, self.total * self.ratio_bps, bits=100)


class MulChain(Circuit):
    """Dense multiplication chain: out = x_n where x_{i+1} = x_i * x_i + i (n constraints)."""

    x: Private
    out: Output

    def __init__(self, n: int = 1024):
        super().__init__(n=n)

    def define(self, api) -> None:
        v = self.x
        for i in range(self.n - 1):
            v = v * v + i
        api.output(self.out, v * v)


class RangeHeavy(Circuit):
    """Range-check-heavy shape: n private 64-bit values summed into a public total."""

    total: Public
    values: Private[N]

    def __init__(self, n: int = 16):
        super().__init__(n=n)

    def define(self, api) -> None:
        for v in self.values:
            api.range_check(v, bits=64)
        api.assert_equal(api.sum(self.values), self.total)


class SolvencyShape(Circuit):
    """Solvency-shaped benchmark: per asset a 64-bit range check on the private amount, its
    product with a public price, and one Poseidon step of a running commitment; the
    priced sum is public, the commitment an output (n + 2 public inputs)."""

    prices: Public[N]
    value: Public
    amounts: Private[N]
    salt: Private
    commitment: Output

    def __init__(self, n: int = 8):
        super().__init__(n=n)

    def define(self, api) -> None:
        h = self.salt
        for a in self.amounts:
            api.range_check(a, bits=64)
            h = poseidon(api, h, a)
        api.assert_equal(api.sum(a * p for a, p in zip(self.amounts, self.prices)),
                         self.value)
        api.output(self.commitment, h)
