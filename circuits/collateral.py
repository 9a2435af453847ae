"""Collateral-ratio circuit: haircut collateral value covers debt times a minimum ratio.

Statement (all integers, no rounding anywhere):

    sum_i amount_i * price_i * (10000 - haircut_i) * scale_i
        >= min_ratio_bps * sum_j debt_j * debt_price_j * scale_j

Units. amount_i is in token base units (10^-d_i tokens); price_i is the oracle price of a
whole token with 8 decimals. amount_i * price_i is therefore a value in units of
10^-(8 + d_i) USD. Multiplying by scale_i = 10^(D_max - d_i), D_max the largest decimals
of any asset of the circuit, brings every term to 10^-(8 + D_max) USD, so collateral and
debt terms are comparable. The haircut side carries a factor 10000 (bps) exactly as the
ratio side does, so the inequality reads "haircut value / debt value >= min_ratio / 1e4".
scale_i are constants of the circuit: their multiplications cost no constraints. Since
the comparison is exact, no rounding can favour the prover.

Headroom. Amounts < 2^amount_bits, prices < 2^price_bits, haircuts <= 9999 and
min_ratio_bps < 2^ratio_bits are range-checked in-circuit; at build time the largest
possible value of each side is computed from these bounds and the scales, and the
circuit is refused (CircuitDefinitionError) unless both fit in ``compare_bits <= 252``
bits, the comparator's limit. Hence no intermediate wraps mod r.

Public inputs, in this exact order (the Solidity registry depends on it):
collateral_prices[n_c], haircuts_bps[n_c], debt_prices[n_d], min_ratio_bps, epoch,
prover, chain_id, registry, commitment. commitment = Poseidon(amounts..., debts...,
salt) (zk.std.poseidon.poseidon_hash_many for more than 16 values).
"""
from __future__ import annotations

from typing import Sequence

from circuits.attestation import TAG_POSITION, assert_attestation
from zk import Circuit, Param, Private, Public
from zk.errors import CircuitDefinitionError
from zk.std.poseidon import poseidon_many

N_COLLATERAL = Param("n_collateral")
N_DEBT = Param("n_debt")

MAX_COMPARE_BITS = 252
BPS = 10000
HAIRCUT_BITS = 14       # 9999 < 2^14


def _decimals(values: Sequence[int] | None, n: int, what: str) -> tuple[int, ...]:
    vals = tuple(values) if values is not None else (18,) * n
    if len(vals) != n:
        raise CircuitDefinitionError(f"{what}: {len(vals)} decimals given for {n} assets")
    for d in vals:
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 36:
            raise CircuitDefinitionError(f"{what}: token decimals must be integers 0..36")
    return vals


def headroom_bits(amount_bits: int, price_bits: int, ratio_bits: int,
                  collateral_scales: Sequence[int], debt_scales: Sequence[int],
                  extra_debt: int = 0) -> int:
    """Bits needed for the largest value either side of the comparison can take;
    extra_debt: the largest value a subclass adds to the debt side (CreditCapacity)."""
    unit = ((1 << amount_bits) - 1) * ((1 << price_bits) - 1)
    lhs = sum(unit * BPS * s for s in collateral_scales)
    rhs = ((1 << ratio_bits) - 1) * (sum(unit * s for s in debt_scales) + extra_debt)
    return max(lhs, rhs).bit_length()


class CollateralRatio(Circuit):
    """Prove haircut collateral value >= min_ratio_bps/1e4 * debt value, privately."""

    collateral_prices: Public[N_COLLATERAL]
    haircuts_bps: Public[N_COLLATERAL]
    debt_prices: Public[N_DEBT]
    min_ratio_bps: Public
    epoch: Public
    prover: Public
    chain_id: Public
    registry: Public
    commitment: Public
    amounts: Private[N_COLLATERAL]
    debts: Private[N_DEBT]
    salt: Private

    def __init__(self, n_collateral: int = 2, n_debt: int = 1,
                 collateral_decimals: Sequence[int] | None = None,
                 debt_decimals: Sequence[int] | None = None, amount_bits: int = 96,
                 price_bits: int = 64, ratio_bits: int = 20, **extra: int):
        for name, v in (("n_collateral", n_collateral), ("n_debt", n_debt),
                        ("amount_bits", amount_bits), ("price_bits", price_bits),
                        ("ratio_bits", ratio_bits), *extra.items()):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise CircuitDefinitionError(f"{type(self).__name__}: {name} must be a "
                                             "positive int")
        c_dec = _decimals(collateral_decimals, n_collateral, "collateral_decimals")
        d_dec = _decimals(debt_decimals, n_debt, "debt_decimals")
        super().__init__(n_collateral=n_collateral, n_debt=n_debt, collateral_decimals=c_dec,
                         debt_decimals=d_dec, amount_bits=amount_bits, price_bits=price_bits,
                         ratio_bits=ratio_bits, **extra)
        d_max = max(c_dec + d_dec)
        self.collateral_scales = tuple(10 ** (d_max - d) for d in c_dec)
        self.debt_scales = tuple(10 ** (d_max - d) for d in d_dec)
        self.compare_bits = headroom_bits(amount_bits, price_bits, ratio_bits,
                                          self.collateral_scales, self.debt_scales,
                                          self.extra_debt_bound())
        if self.compare_bits > MAX_COMPARE_BITS:
            raise CircuitDefinitionError(
                f"{type(self).__name__} headroom: values reach {self.compare_bits} bits, more than "
                f"the comparator's {MAX_COMPARE_BITS} (lower amount/price/ratio bits, the "
                "asset count or the decimals spread)")

    def define(self, api) -> None:
        with api.scope("ranges"):
            for x in (*self.amounts, *self.debts):
                api.range_check(x, bits=self.amount_bits)
            for p in (*self.collateral_prices, *self.debt_prices):
                api.range_check(p, bits=self.price_bits)
            for h in self.haircuts_bps:
                api.range_check(h, bits=HAIRCUT_BITS)
                api.range_check(BPS - 1 - h, bits=HAIRCUT_BITS)   # h <= 9999
            api.range_check(self.min_ratio_bps, bits=self.ratio_bits)
        with api.scope("collateral_value"):
            terms = [api.mul(api.mul(a, p), BPS - h) * s for a, p, h, s in
                     zip(self.amounts, self.collateral_prices, self.haircuts_bps,
                         self.collateral_scales, strict=False)]
            collateral = api.sum(terms)
        with api.scope("debt_value"):
            debt = api.sum(api.mul(d, p) * s for d, p, s in
                           zip(self.debts, self.debt_prices, self.debt_scales, strict=False))
            required = api.mul(self.debt_side(api, debt), self.min_ratio_bps)
        with api.scope("ratio"):
            # both sides < 2^compare_bits by the build-time headroom check
            api.assert_le_unchecked(required, collateral, bits=self.compare_bits)
        with api.scope("commitment"):
            c = poseidon_many(api, *self.amounts, *self.debts, self.salt)
            api.assert_equal(c, self.commitment)
        api.bind_public(self.epoch, self.prover, self.chain_id, self.registry)

    def extra_debt_bound(self) -> int:
        """Largest value :meth:`debt_side` adds to the debt value (for the headroom)."""
        return 0

    def debt_side(self, api, debt):
        """What min_ratio_bps multiplies: here the position's debt value."""
        return debt


class AttestedPosition:
    """Mixin for a position circuit whose commitment an attester vouches for (TAG_POSITION).

    Adds public attester_ax, attester_ay, as_of (after the base circuit's) and the private
    signature (sig_r8x, sig_r8y, sig_s) over
    Poseidon(TAG_POSITION, chain_id, registry, prover, commitment, as_of), so the attested
    position is this prover's, on this chain and registry, at as_of.
    """

    attester_ax: Public
    attester_ay: Public
    as_of: Public
    sig_r8x: Private
    sig_r8y: Private
    sig_s: Private

    def define(self, api) -> None:
        super().define(api)  # type: ignore[misc]
        assert_attestation(api, TAG_POSITION, self.chain_id, self.registry, self.prover,
                           self.commitment, self.as_of,
                           (self.attester_ax, self.attester_ay),
                           (self.sig_r8x, self.sig_r8y, self.sig_s))


class AttestedCollateralRatio(AttestedPosition, CollateralRatio):
    """CollateralRatio whose commitment an attester vouches for (TAG_POSITION).

    Public inputs: those of CollateralRatio, then attester_ax, attester_ay, as_of;
    the signature stays private (see AttestedPosition).
    """
