"""Batch size: b from the constraint budget and the RAM per worker, or the user's choice.

Memory model (measured for ReservesBatch(10, 3), 776,568 constraints, on the reference
machine): setup peaked at 3.4 GiB (4.6 KB per constraint), a batch from rows to proof
and inclusion files at 1.9 GiB (2.6 KB per constraint: key, witness, FFT buffers).
The planner keeps one proving worker under its RAM share and the constraint count
under the budget, and never makes batches larger than the ledger needs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from circuits.reserves_batch import MAX_BATCH_BITS, ReservesBatch, ReservesTop
from zk.errors import MalformedInput

PROVE_BYTES_PER_CONSTRAINT = 2700
SETUP_BYTES_PER_CONSTRAINT = 4700
DEFAULT_MAX_CONSTRAINTS = 1 << 21
MIN_BATCH_BITS = 1


@dataclass(frozen=True)
class Plan:
    """How a ledger is split and what each proof costs."""

    n_users: int
    batch_bits: int
    n_batches: int
    batch_constraints: int
    top_constraints: int
    prove_bytes: int
    setup_bytes: int

    def describe(self) -> str:
        return (f"{self.n_users} users -> {self.n_batches} batch(es) of {1 << self.batch_bits} "
                f"(b={self.batch_bits}); batch circuit {self.batch_constraints:,} constraints "
                f"(~{self.prove_bytes / 2**30:.1f} GiB to prove, ~{self.setup_bytes / 2**30:.1f} "
                f"GiB for setup); top circuit {self.top_constraints:,} constraints")


def total_ram() -> int:
    """Physical memory in bytes (0 if unknown)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def plan(n_users: int, n_assets: int, batch_bits: int | None = None, workers: int = 1,
         max_constraints: int = DEFAULT_MAX_CONSTRAINTS, ram_bytes: int | None = None) -> Plan:
    """The batch plan: ``batch_bits`` if given, else the largest b that fits the budget,
    the RAM share of one worker and the ledger."""
    if n_users < 1:
        raise MalformedInput("the ledger has no users")
    if batch_bits is None:
        ram = total_ram() if ram_bytes is None else ram_bytes
        share = ram // max(workers, 1) if ram else None
        need = max(MIN_BATCH_BITS, (n_users - 1).bit_length())
        batch_bits = MIN_BATCH_BITS
        for b in range(MIN_BATCH_BITS, min(need, MAX_BATCH_BITS) + 1):
            c = ReservesBatch.estimate_constraints(b, n_assets)
            if c > max_constraints or (share and c * PROVE_BYTES_PER_CONSTRAINT > share):
                break
            batch_bits = b
    elif isinstance(batch_bits, bool) or not isinstance(batch_bits, int) or \
            not MIN_BATCH_BITS <= batch_bits <= MAX_BATCH_BITS:
        raise MalformedInput(f"batch bits must be {MIN_BATCH_BITS}..{MAX_BATCH_BITS}")
    n_batches = -(-n_users // (1 << batch_bits))
    c = ReservesBatch.estimate_constraints(batch_bits, n_assets)
    return Plan(n_users, batch_bits, n_batches, c,
                ReservesTop.estimate_constraints(n_batches, n_assets, batch_bits),
                c * PROVE_BYTES_PER_CONSTRAINT, c * SETUP_BYTES_PER_CONSTRAINT)
