"""Backend.poseidon_rows (the C kernel and the Python reference), with the parameters
of zk.std.poseidon_constants, against circomlibjs and zk.std.poseidon.poseidon_hash."""
from __future__ import annotations

import random

import pytest

from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.errors import MalformedInput
from zk.field import R
from zk.std.poseidon import poseidon_hash
from zk.std.poseidon_constants import params

NATIVE, REFERENCE = NativeBackend(), ReferenceBackend()


def tables(n_inputs: int) -> tuple[bytes, bytes, int, int]:
    constants, mds, r_f, r_p = params(n_inputs + 1)
    return (NATIVE.fr_pack(list(constants)), NATIVE.fr_pack([v for row in mds for v in row]),
            r_f, r_p)


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
        out = NATIVE.fr_unpack(NATIVE.poseidon_rows(*tables(n), words))
        assert out == [poseidon_hash(row) for row in rows], n
        if n in (2, 5):     # the reference backend is slow: two widths
            assert REFERENCE.poseidon_rows(*tables(n), words) == \
                NATIVE.poseidon_rows(*tables(n), words)
        got += out
    assert got == expected


@pytest.mark.parametrize("backend", [NATIVE, REFERENCE], ids=["native", "reference"])
def test_rows_refuse_bad_words_rows_and_tables(backend):
    words = NATIVE.fr_pack([1, 2, 3]) + R.to_bytes(32, "little")
    with pytest.raises(MalformedInput, match="#3 is not reduced mod r"):
        backend.poseidon_rows(*tables(2), words)
    with pytest.raises(MalformedInput, match="not whole rows"):
        backend.poseidon_rows(*tables(2), words[:96])
    constants, mds, r_f, r_p = tables(2)
    with pytest.raises(MalformedInput, match="fit no width"):
        backend.poseidon_rows(constants[:-32], mds, r_f, r_p, words[:64])
    with pytest.raises(MalformedInput, match="invalid argument"):
        backend.poseidon_rows(R.to_bytes(32, "little") + constants[32:], mds, r_f, r_p,
                              words[:64])
    assert backend.poseidon_rows(*tables(3), b"") == b""
