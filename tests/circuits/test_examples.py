"""The solvency benchmark shape computes what it claims (oracle: poseidon_hash, itself
checked against circomlibjs) and refuses an amount of 2^64."""
from __future__ import annotations

import pytest

from circuits.examples import SolvencyShape
from zk import compile_circuit
from zk.errors import UnsatisfiedConstraint
from zk.std.poseidon import poseidon_hash


def test_solvency_shape_outputs_the_chained_commitment_and_costs_307_rows_per_asset():
    amounts, prices, salt = [5, 7, (1 << 64) - 1], [11, 13, 17], 99
    cs = compile_circuit(SolvencyShape(3))
    w = cs.solve({"amounts": amounts, "prices": prices, "salt": salt,
                  "value": sum(a * p for a, p in zip(amounts, prices))})
    h = salt
    for a in amounts:
        h = poseidon_hash([h, a])
    assert cs.public_values(w) == [*prices, sum(a * p for a, p in zip(amounts, prices)), h]
    sizes = [compile_circuit(SolvencyShape(n)) for n in (1, 2)]
    rows = [c.num_constraints + c.num_public + 1 for c in sizes]
    assert rows[1] - rows[0] == 307


def test_solvency_shape_range_checks_amounts():
    cs = compile_circuit(SolvencyShape(1))
    with pytest.raises(UnsatisfiedConstraint):
        cs.solve({"amounts": [1 << 64], "prices": [1], "salt": 0, "value": 1 << 64})
