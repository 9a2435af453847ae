"""EdDSA-Poseidon: Python and gadget, interop with circomlibjs in both directions, the
checks circom's template leaves out (curve membership, S < l, small-order A), and one
Groth16 proof of a circomlibjs signature on the native backend."""
from __future__ import annotations

import random

import pytest

from tests.std.circomlibjs_oracle import point
from zk import Circuit, Private, Public, compile_circuit, groth16
from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.field import R
from zk.std import babyjub as bj
from zk.std import eddsa
from zk.std.eddsa import Signature
from zk.testing import assert_unprovable

RNG = random.Random(7)
T8 = bj.mul(bj.GENERATOR, bj.SUBORDER)          # a point of order 8


class Verify(Circuit):
    ax: Public
    ay: Public
    msg: Public
    s: Private
    r8x: Private
    r8y: Private

    def define(self, api):
        eddsa.eddsa_poseidon_verify(api, self.ax, self.ay, self.s, self.r8x, self.r8y,
                                    self.msg)


@pytest.fixture(scope="module")
def cs():
    return compile_circuit(Verify())


def inputs(a, msg, sig: Signature) -> dict:
    return {"ax": a[0], "ay": a[1], "msg": msg, "s": sig.s, "r8x": sig.r8x, "r8y": sig.r8y}


@pytest.fixture(scope="module")
def theirs(circomlibjs):
    """circomlibjs signPoseidon over a few seeds and messages (with their scalar s >> 3)."""
    seeds = ["00" * 32, "01" * 32, bytes(range(32)).hex(), "ff" * 32]
    msgs = [0, 1, R - 1, RNG.randrange(R)]
    out = circomlibjs([{"op": "sign", "prv": p, "msg": m} for p in seeds for m in msgs])
    # their scalar s >> 3 exceeds l; the signing scalar is its residue mod l
    return [(point(o["a"]), int(o["k"]) % bj.SUBORDER, m,
             Signature(*point(o["r8"]), int(o["s"])))
            for o, m in zip(out, [m for _ in seeds for m in msgs], strict=True)]


# --- Python --------------------------------------------------------------------------------

def test_sign_verify_roundtrip_and_determinism():
    k = eddsa.new_secret()
    a = eddsa.public_key(k)
    sig = eddsa.sign(k, 42)
    assert eddsa.verify(a, 42, sig) and eddsa.sign(k, 42) == sig
    assert eddsa.sign(k, 43) != sig
    assert not eddsa.verify(a, 43, sig)
    assert not eddsa.verify(eddsa.public_key(eddsa.new_secret()), 42, sig)
    assert not eddsa.verify(a, 42, Signature(sig.r8x, sig.r8y, (sig.s + 1) % bj.SUBORDER))
    assert not eddsa.verify(a, 42, Signature(sig.r8x, sig.r8y, sig.s + bj.SUBORDER))
    assert not eddsa.verify(a, R, sig) and not eddsa.verify((1, 2), 42, sig)


def test_bad_scalars_refused():
    for k in (0, bj.SUBORDER, -1, True, "5"):
        with pytest.raises(MalformedInput):
            eddsa.sign(k, 1)
    with pytest.raises(MalformedInput):
        eddsa.sign(5, R)


def test_small_order_key_forgery_refused():
    """With 8A = O, S*B8 == R8 verifies any message: our verifier refuses such an A."""
    s = 12345
    forged = Signature(*bj.mul(bj.BASE8, s), s)
    for a in (T8, bj.mul(T8, 2), bj.IDENTITY):
        left = bj.mul(bj.BASE8, s)
        right = bj.add((forged.r8x, forged.r8y),
                       bj.mul(a, 8 * eddsa.challenge((forged.r8x, forged.r8y), a, 9)))
        assert left == right                            # the bare equation holds
        assert not eddsa.verify(a, 9, forged)


# --- interop with circomlibjs ----------------------------------------------------------------

def test_circomlibjs_signatures_verify_in_python(theirs):
    for a, k, msg, sig in theirs:
        assert eddsa.public_key(k) == a                  # same key from their scalar
        assert eddsa.verify(a, msg, sig)
        assert not eddsa.verify(a, (msg + 1) % R, sig)


def test_our_signatures_verify_in_circomlibjs(circomlibjs, theirs):
    keys = [eddsa.new_secret() for _ in range(3)] + [theirs[0][1]]
    msgs = [0, 5, R - 1, RNG.randrange(R)]
    ops, want = [], []
    for k in keys:
        a = eddsa.public_key(k)
        for m in msgs:
            sig = eddsa.sign(k, m)
            base = {"op": "verify", "r8": [sig.r8x, sig.r8y], "s": sig.s, "a": a}
            ops += [dict(base, msg=m), dict(base, msg=(m + 1) % R),
                    dict(base, msg=m, s=(sig.s + 1) % bj.SUBORDER)]
            want += [True, False, False]
    assert circomlibjs(ops) == want


def test_circomlibjs_signatures_verify_in_circuit(cs, theirs):
    for a, _, msg, sig in theirs[:4]:
        w = cs.solve(inputs(a, msg, sig))
        cs.check(w)
    a, _, msg, sig = theirs[5]
    assert_unprovable(cs, inputs(a, (msg + 1) % R, sig), "eddsa/equation")


def test_gadget_cost(cs):
    assert cs.num_constraints == eddsa.eddsa_poseidon_verify_cost() == 4981


def test_groth16_proof_of_circomlibjs_signature(cs, theirs):
    be = get_backend("native")
    a, _, msg, sig = theirs[2]
    w = cs.solve(inputs(a, msg, sig))
    pk = groth16.setup(cs, be)
    proof = groth16.prove(pk, w, be)
    public = cs.public_values(w)
    assert public == [a[0], a[1], msg]
    assert groth16.verify(pk.vk, proof, public, be)
    assert not groth16.verify(pk.vk, proof, [a[0], a[1], (msg + 1) % R], be)


# --- the checks the circom template leaves out -------------------------------------------------

@pytest.fixture(scope="module")
def good():
    k = eddsa.new_secret()
    a = eddsa.public_key(k)
    # a message whose S leaves room for S + l below 2^251 (the comparison, not the
    # decomposition, must refuse the alias)
    for m in range(1000):
        sig = eddsa.sign(k, m)
        if sig.s + bj.SUBORDER < 1 << bj.SCALAR_BITS:
            return a, m, sig
    raise AssertionError("no suitable message")


def test_good_signature_solves(cs, good):
    cs.solve(inputs(*good))


def test_s_plus_l_alias_refused(cs, good):
    a, m, sig = good
    alias = Signature(sig.r8x, sig.r8y, sig.s + bj.SUBORDER)
    assert bj.mul(bj.BASE8, alias.s) == bj.mul(bj.BASE8, sig.s)   # equation still holds
    assert_unprovable(cs, inputs(a, m, alias), "eddsa/s_range/bits_le")


def test_s_above_251_bits_refused(cs, good):
    a, m, sig = good
    wide = Signature(sig.r8x, sig.r8y, sig.s + 2 * bj.SUBORDER)
    assert wide.s >= 1 << bj.SCALAR_BITS
    assert_unprovable(cs, inputs(a, m, wide), "eddsa/s_range/to_bits")


def test_r8_off_curve_refused(cs, good):
    a, m, sig = good
    assert_unprovable(cs, inputs(a, m, Signature(sig.r8x, (sig.r8y + 1) % R, sig.s)),
                      "eddsa/on_curve_r8")


def test_a_off_curve_refused(cs, good):
    a, m, sig = good
    assert_unprovable(cs, inputs((a[0], (a[1] + 1) % R), m, sig), "eddsa/on_curve_a")


def test_small_order_key_refused(cs):
    """The universal forgery with A of order 8 (S*B8 == R8) is unprovable."""
    s = 4242
    r8 = bj.mul(bj.BASE8, s)
    for a in (T8, bj.mul(T8, 2), bj.mul(T8, 4), bj.IDENTITY):
        assert_unprovable(cs, inputs(a, 77, Signature(*r8, s)), "eddsa/a_not_small_order")


def test_hash_alias_is_refused(cs, forge, failure):
    """Bits of hm + r instead of hm (possible below 2^254) fail the alias check."""
    k = eddsa.new_secret()
    a = eddsa.public_key(k)
    for m in range(1000):
        sig = eddsa.sign(k, m)
        if eddsa.challenge((sig.r8x, sig.r8y), a, m) + R < 1 << 254:
            break
    cs.solve(inputs(a, m, sig))
    w = forge(cs, inputs(a, m, sig),
              hints={"hm_bits/to_bits_strict/hint:bits":
                     lambda v: [((v + R) >> i) & 1 for i in range(254)]})
    assert failure(cs, w).startswith("eddsa/hm_bits/to_bits_strict/bits_le")


def test_wrong_key_and_message_refused(cs, good):
    a, m, sig = good
    other = eddsa.public_key(eddsa.new_secret())
    assert_unprovable(cs, inputs(other, m, sig), "eddsa/equation")
    assert_unprovable(cs, inputs(a, m + 1, sig), "eddsa/equation")
