"""Backend.poseidon_rows (the C kernel and the reference) against circomlibjs and
zk.std.poseidon.poseidon_hash, for every width."""
from __future__ import annotations

import random

import pytest

from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.errors import MalformedInput
from zk.field import R
from zk.std.poseidon import poseidon_hash

NATIVE, REFERENCE = NativeBackend(), ReferenceBackend()


def _cases() -> dict[int, list[list[int]]]:
    rng = random.Random(12)
    return {n: [[rng.randrange(R) for _ in range(n)], [0] * n, [R - 1] * n,
                [rng.randrange(1 << 64) for _ in range(n)]] for n in range(1, 17)}


def test_native_rows_equal_circomlibjs_and_python(circomlibjs_poseidon):
    cases = _cases()
    expected = circomlibjs_poseidon([row for rows in cases.values() for row in rows])
    got = []
    for n, rows in cases.items():
        words = NATIVE.fr_pack([v for row in rows for v in row])
        out = NATIVE.fr_unpack(NATIVE.poseidon_rows(n, words))
        assert out == [poseidon_hash(row) for row in rows], n
        if n in (2, 5):     # the reference backend is the slow oracle: two widths
            assert REFERENCE.poseidon_rows(n, words) == NATIVE.poseidon_rows(n, words)
        got += out
    assert got == expected


@pytest.mark.parametrize("backend", [NATIVE, REFERENCE], ids=["native", "reference"])
def test_rows_refuse_unreduced_words_and_partial_rows(backend):
    words = NATIVE.fr_pack([1, 2, 3]) + R.to_bytes(32, "little")
    with pytest.raises(MalformedInput, match="input #3 is not a field element"):
        backend.poseidon_rows(2, words)
    with pytest.raises(MalformedInput, match="rows"):
        backend.poseidon_rows(2, words[:96])
    assert backend.poseidon_rows(3, b"") == b""


def test_native_refuses_widths_outside_circomlib():
    with pytest.raises(MalformedInput, match="1..16 inputs"):
        NATIVE.poseidon_rows(17, bytes(32 * 17))
