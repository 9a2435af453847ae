"""Tiny circuits used across the zk tests."""
from __future__ import annotations

from zk import Circuit, Output, Param, Private, Public


class Square(Circuit):
    """x * x == y."""

    y: Public
    x: Private

    def define(self, api):
        api.assert_equal(self.x * self.x, self.y)


class Cube(Circuit):
    """x^3 + x + 5 == y, plus a statement-only epoch."""

    y: Public
    epoch: Public
    x: Private

    def define(self, api):
        api.assert_equal(self.x * self.x * self.x + self.x + 5, self.y)
        api.bind_public(self.epoch)


class Sum(Circuit):
    """Public output = sum of range-checked private values."""

    xs: Private[Param("n")]
    total: Output

    def __init__(self, n: int = 3):
        super().__init__(n=n)

    def define(self, api):
        for x in self.xs:
            api.range_check(x, bits=8)
        api.output(self.total, api.sum(self.xs))
