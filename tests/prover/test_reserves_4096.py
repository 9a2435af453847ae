"""The acceptance-size run in the suite: 2^12 users x 3 assets end to end (in-process):
ingest, batch roots, 16 batch proofs, the top proof, 4,096 inclusion files; everything
verifies and every user has exactly one file.

Batches of 2^8 users (127k constraints each), the smallest batch size of the acceptance
range: setup and the 16 proofs take about two and a half minutes of CPU on the 2-core
reference machine, the bulk of this issue's CI time; smaller ledgers are covered by the
other reserves tests.
"""
from __future__ import annotations

import json

import pytest

from prover import reserves as lib
from tests.prover.reserves_data import make

pytestmark = pytest.mark.slow

USERS, BITS = 1 << 12, 8
CTX = lib.Context(31337, "0x" + "ab" * 20, "0x" + "cd" * 20, 1)


def test_4096_users_end_to_end(tmp_path):
    _, assets = make(tmp_path, USERS, BITS)
    ledger = tmp_path / "ledger.csv"
    out = tmp_path / "out"
    res = lib.run(assets, ledger, tmp_path / "keys", out, CTX, batch_bits=BITS)
    assert res.ok and sorted(res.proven) == list(range(USERS >> BITS))
    assert lib.verify_run(out, out / "batch_vk.json", out / "top" / "verification_key.json")[0]
    index = json.loads((out / "inclusion" / "index.json").read_text())
    assert len(set(index)) == USERS == len(list((out / "inclusion").glob("*.json"))) - 1
