"""Credit-capacity circuits: the position can carry ``credit`` more debt under the policy.

Statement (integers, exact, in the units of :mod:`circuits.collateral`):

    sum_i amount_i * price_i * (10000 - haircut_i) * scale_i
        >= min_ratio_bps * (sum_j debt_j * debt_price_j * scale_j + credit)

``credit`` is a value in the circuit's value unit: token base units x price with 8
decimals x scale, i.e. 10^-(8 + D_max) USD where D_max is the largest decimals of any
asset of the circuit (for a debt token with D_max decimals: base units x 8-decimal price).
The prover chooses it (any value up to its capacity); it is range-checked to
``credit_bits`` bits in-circuit, so a negative (r - x) or oversized credit is unprovable,
and the build-time headroom check counts it on the debt side.

Public (the Statement, in this order), AttestedCreditCapacity:
collateral_prices[n_c], haircuts_bps[n_c], debt_prices[n_d], min_ratio_bps, epoch, prover,
chain_id, registry, commitment, credit, attester_ax, attester_ay, as_of.
CreditCapacity (REGISTERED binding) is the same without the last three.

Hidden: the amounts, the debts, the salt, the signature, and therefore the position's own
ratio and its spare capacity beyond ``credit``. The policy's min_ratio_bps and haircuts
stay public: the registry checks them against its policy.

Costs (n_c = 2, n_d = 1, decimals (18, 8) / (6,), credit_bits 160; a test asserts them):
CreditCapacity 1253 constraints, AttestedCreditCapacity 6650: the collateral circuits plus
161 for the credit range check.
"""
from __future__ import annotations

from typing import Sequence

from circuits.collateral import AttestedPosition, CollateralRatio
from zk import Public

#: Default bound on credit: a value as wide as one base-unit x price product (96 + 64).
CREDIT_BITS = 160


class CreditCapacity(CollateralRatio):
    """Prove haircut collateral value >= min_ratio_bps/1e4 * (debt value + credit)."""

    credit: Public

    def __init__(self, n_collateral: int = 2, n_debt: int = 1,
                 collateral_decimals: Sequence[int] | None = None,
                 debt_decimals: Sequence[int] | None = None, amount_bits: int = 96,
                 price_bits: int = 64, ratio_bits: int = 20, credit_bits: int = CREDIT_BITS):
        super().__init__(n_collateral, n_debt, collateral_decimals, debt_decimals,
                         amount_bits, price_bits, ratio_bits, credit_bits=credit_bits)

    def extra_debt_bound(self) -> int:
        return (1 << self.credit_bits) - 1

    def debt_side(self, api, debt):
        with api.scope("credit"):
            api.range_check(self.credit, bits=self.credit_bits)
        return debt + self.credit

    def max_credit(self, lhs: int, debt_value: int, min_ratio_bps: int) -> int:
        """Largest provable credit for a collateral side ``lhs`` (already x 1e4 with
        haircuts) and a debt value: floor(lhs / ratio) - debt, capped to credit_bits;
        -1 when the position cannot carry even its own debt."""
        cap = (1 << self.credit_bits) - 1
        if min_ratio_bps == 0:
            return cap
        room = lhs // min_ratio_bps - debt_value
        return min(room, cap) if room >= 0 else -1


class AttestedCreditCapacity(AttestedPosition, CreditCapacity):
    """CreditCapacity whose commitment an attester vouches for (TAG_POSITION).

    Public inputs: those of CreditCapacity, then attester_ax, attester_ay, as_of;
    the signature stays private (see AttestedPosition).
    """


__all__ = ["CREDIT_BITS", "CreditCapacity", "AttestedCreditCapacity"]
