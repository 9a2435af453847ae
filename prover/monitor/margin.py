"""Margin of a position at an epoch's prices and haircuts, and per-asset failure prices.

margin % = (haircut collateral value / (debt value x min ratio) - 1) x 100, computed with
the circuit's own integer arithmetic (`prover.collateral.position_values`). A failure
price (8 decimals), the other prices held fixed: a collateral price below it, or a debt
price at or above it, makes the position unprovable.
"""
from __future__ import annotations

from prover.collateral import BPS, Policy, Portfolio, Prices, position_values


def margin_report(policy: Policy, prices: Prices, portfolio: Portfolio) -> dict:
    """{"margin_pct", "provable", "failure_prices": {asset: int | None}} (PRIVATE: keep
    local). A failure price is None when no price of that asset alone can fail it."""
    lhs, debt = position_values(policy, prices, portfolio)
    need = debt * policy.min_ratio_bps
    margin = None if need == 0 else (lhs / need - 1) * 100
    circuit = policy.circuit()
    fail: dict[str, int | None] = {}
    for i, name in enumerate(policy.collateral):
        per_unit = portfolio.amounts[i] * (BPS - policy.haircuts_bps[i]) \
            * circuit.collateral_scales[i]
        other = lhs - per_unit * prices.collateral[i]
        fail[name] = None if per_unit == 0 or need <= other else -(-(need - other) // per_unit)
    for j, name in enumerate(policy.debt):
        per_unit = portfolio.debts[j] * circuit.debt_scales[j] * policy.min_ratio_bps
        other = need - per_unit * prices.debt[j]
        fail[name] = None if per_unit == 0 else max(0, (lhs - other) // per_unit + 1)
    return {"margin_pct": margin, "provable": lhs >= need, "failure_prices": fail}
