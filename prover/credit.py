"""Credit-capacity proofs: the collateral adapter's files, plus a public ``credit``.

Same policy / prices / PRIVATE portfolio (and optional attestation) files as
:mod:`prover.collateral`; the prover chooses ``credit``, the extra debt value the position
can carry (circuits.credit: collateral >= ratio x (debt + credit)). ``credit`` is in the
circuit's value unit, 10^-(8 + D_max) USD, D_max the policy's largest token decimals: for
a debt token of D_max decimals, token base units x its 8-decimal price.

:func:`max_credit` is the pre-check: the largest credit provable at these prices and
haircuts, computed exactly as the circuit does. Keys per shape live in
``<keys_dir>/credit[-attested]-<shape id>/`` (prover.flow).
"""
from __future__ import annotations

from pathlib import Path

from circuits.attestation import Attestation
from circuits.credit import CREDIT_BITS, AttestedCreditCapacity, CreditCapacity
from prover import collateral, flow
from prover.collateral import Policy, Portfolio, Prices
from prover.inputs import parse_int
from zk import CompiledCircuit
from zk.errors import Unprovable

KIND = "credit"
KIND_ATTESTED = "credit-attested"


def circuit(policy: Policy, attested: bool = False) -> CreditCapacity:
    """The credit circuit of this policy's shape (attested: AttestedCreditCapacity)."""
    return policy.shape(AttestedCreditCapacity if attested else CreditCapacity)


def _kind(attested: bool) -> str:
    return KIND_ATTESTED if attested else KIND


def max_credit(policy: Policy, prices: Prices, portfolio: Portfolio) -> int:
    """Largest provable credit at these prices and haircuts (-1: the position does not
    even carry its own debt at the policy's ratio). Derived from PRIVATE values."""
    lhs, debt = collateral.position_values(policy, prices, portfolio)
    return circuit(policy).max_credit(lhs, debt, policy.min_ratio_bps)


def parse_credit(text: str, limit: int, source: str = "--credit") -> int:
    """``max`` (the limit) or a non-negative integer in value units, < 2^credit_bits."""
    if text == "max":
        return max(limit, 0)
    return parse_int(text, source, "value", bits=CREDIT_BITS)


def check_credit(credit: int, limit: int) -> None:
    """Unprovable (exit 1; no private amount in it) unless 0 <= credit <= limit."""
    if limit < 0:
        raise Unprovable("the position does not carry its own debt at the policy's "
                           "minimum ratio at these prices; no credit can be proven")
    if credit > limit:
        raise Unprovable(f"credit {credit} is above the largest credit provable at these "
                           f"prices and haircuts, {limit} (value units)")


def value_unit_decimals(policy: Policy) -> int:
    """Decimals of the value unit in USD: 8 (prices) + the largest token decimals."""
    return collateral.PRICE_DECIMALS + max(policy.collateral_decimals + policy.debt_decimals)


def in_debt_tokens(policy: Policy, prices: Prices, value: int) -> dict[str, int]:
    """``value`` as base units of each debt asset at its price (rounded down)."""
    scales = circuit(policy).debt_scales
    return {name: value // (p * s) for name, p, s in
            zip(policy.debt, prices.debt, scales, strict=True)}


def setup(policy: Policy, keys_dir: str | Path, force: bool = False,
          attested: bool = False) -> tuple[Path, bool]:
    """DEVELOPMENT setup for the policy's credit shape, once; (key folder, reused)."""
    return flow.setup(_kind(attested), circuit(policy, attested), keys_dir, force)


def prove(policy: Policy, prices: Prices, portfolio: Portfolio, prover_address: int,
          credit: int, keys_dir: str | Path, out_dir: str | Path,
          cs: CompiledCircuit | None = None, attestation: Attestation | None = None,
          attestation_src: str = "attestation") -> dict:
    """Prove ``credit`` into out_dir (prover.flow.prove); returns the public values."""
    check_credit(credit, max_credit(policy, prices, portfolio))
    inputs = collateral.anchored_inputs(policy, prices, portfolio, prover_address,
                                        attestation, attestation_src)
    inputs["credit"] = credit
    attested = attestation is not None
    values, _ = flow.prove(_kind(attested), circuit(policy, attested), inputs, keys_dir,
                           out_dir, cs, "credit setup" + (" --attested" if attested else ""))
    return values


def verify(keys_or_vk: str | Path, proof_path: str | Path, public_path: str | Path,
           policy: Policy | None = None, prices: Prices | None = None,
           prover_address: int | None = None, attester: tuple[int, int] | None = None,
           commitment: int | None = None, credit: int | None = None) -> tuple[bool, str]:
    """(valid, reason); every given expectation must match the proof's public values."""
    want = collateral.expected_anchored(policy, prices, prover_address, attester, commitment)
    if credit is not None:
        want["credit"] = credit
    return flow.verify(keys_or_vk, proof_path, public_path, want or None,
                       "the policy, prices, prover, attester, commitment and credit")
