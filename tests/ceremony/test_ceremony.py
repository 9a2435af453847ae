"""Phase 2 against snarkjs: same initial key, transcripts each side verifies, tampering."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.formats import iden3_env as env
from zk import curve
from zk.ceremony import (
    beacon,
    contribute,
    export_keys,
    new_zkey,
    verify_chain,
    verify_from_init,
    verify_zkey,
)
from zk.errors import CeremonyInvalid, SetupError, exit_code
from zk.formats.iden3 import read_r1cs, read_wtns, read_zkey, write_zkey
from zk.formats.iden3.binfile import open_binfile
from zk.formats.iden3.zkey import encode_zkey
from zk.groth16 import prove, verify

BEACON = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


def _snarkjs_ok(d, r1cs, ptau, zkey) -> bool:
    res = env.snarkjs("zkey", "verify", str(r1cs), str(ptau), str(zkey), cwd=d, check=False)
    return res.returncode == 0 and "ZKey Ok!" in res.stdout


@pytest.fixture(scope="module")
def mixed(circuits, ptau_path, tmp_path_factory, fast):
    """ours -> snarkjs -> ours -> snarkjs beacon, on the comparator circuit."""
    c = circuits("cmp")
    d = tmp_path_factory.mktemp("mixed")
    cs = read_r1cs(c["r1cs"])
    z0 = new_zkey(cs, ptau_path, fast)
    write_zkey(z0, d / "z0.zkey")
    z1, h1 = contribute(z0, name="alice", entropy_text="alice's dice", backend=fast)
    write_zkey(z1, d / "z1.zkey")
    env.snarkjs("zkey", "contribute", "z1.zkey", "z2.zkey", "--name=bob", "-e=bob", cwd=d)
    z3, _ = contribute(read_zkey(d / "z2.zkey"), name="carol", backend=fast)
    write_zkey(z3, d / "z3.zkey")
    env.snarkjs("zkey", "beacon", "z3.zkey", "final.zkey", BEACON, "10", "-n=beacon", cwd=d)
    return {"dir": d, "cs": cs, "r1cs": c["r1cs"], "wtns": c["wtns"], "h1": h1, "init": z0}


def test_new_zkey_is_byte_identical_to_snarkjs(circuits, ptau_path, fast, tmp_path):
    c = circuits("cmp")
    env.snarkjs("zkey", "new", str(c["r1cs"]), str(ptau_path), "js.zkey", cwd=tmp_path)
    ours = new_zkey(read_r1cs(c["r1cs"]), ptau_path, fast)
    with open_binfile(tmp_path / "js.zkey", "zkey", 2) as bf:
        theirs = {s: bf.read_section(s) for s in bf.sections}
    assert dict(encode_zkey(ours)) == theirs


def test_mixed_chain_verified_by_both(mixed, ptau_path, ref):
    d = mixed["dir"]
    assert _snarkjs_ok(d, mixed["r1cs"], ptau_path, d / "final.zkey")
    final = read_zkey(d / "final.zkey")
    report = verify_zkey(final, mixed["cs"], ptau_path, ref)
    assert [c.name for c in report.contributions] == ["alice", "bob", "carol", "beacon"]
    assert report.contributions[0].hash == mixed["h1"]
    assert report.contributions[-1].beacon and report.contributions[-1].num_iterations_exp == 10


def test_transcript_chain_on_each_backend(mixed, backend):
    verify_chain(read_zkey(mixed["dir"] / "final.zkey"), backend)


def test_our_beacon_reproduces_snarkjs_beacon(mixed, fast):
    z3 = read_zkey(mixed["dir"] / "z3.zkey")
    theirs = read_zkey(mixed["dir"] / "final.zkey")
    ours, h = beacon(z3, bytes.fromhex(BEACON), 10, name="beacon", backend=fast)
    assert ours.contributions[-1] == theirs.contributions[-1]
    assert ours.pk == theirs.pk


def _tamper(src, dst, fn):
    zk = read_zkey(src)
    write_zkey(fn(zk), dst)


@pytest.mark.parametrize("how", ["h_point", "l_point", "g1_sx", "delta", "ic"])
def test_tampered_key_rejected_by_both(mixed, ptau_path, ref, how):
    d = mixed["dir"]
    g = curve.G1_GEN

    def fn(zk):
        pk = zk.pk
        if how == "h_point":
            return replace(zk, pk=replace(pk, h_query=curve.g1_add(pk.h_query[:64], g)
                                          + pk.h_query[64:]))
        if how == "l_point":
            return replace(zk, pk=replace(pk, l_query=curve.g1_mul(pk.l_query[:64], 2)
                                          + pk.l_query[64:]))
        if how == "g1_sx":
            c = replace(zk.contributions[1], g1_sx=curve.g1_mul(zk.contributions[1].g1_sx, 2))
            return replace(zk, contributions=[zk.contributions[0], c, *zk.contributions[2:]])
        if how == "delta":
            return replace(zk, pk=replace(pk, delta_g1=curve.g1_mul(pk.delta_g1, 3)))
        ic = [curve.g1_add(pk.vk.gamma_abc_g1[0], g), *pk.vk.gamma_abc_g1[1:]]
        return replace(zk, pk=replace(pk, vk=replace(pk.vk, gamma_abc_g1=ic)))
    bad = d / f"bad_{how}.zkey"
    _tamper(d / "final.zkey", bad, fn)
    assert not _snarkjs_ok(d, mixed["r1cs"], ptau_path, bad)
    with pytest.raises(CeremonyInvalid) as err:
        verify_from_init(read_zkey(bad), mixed["init"], ref)
    assert exit_code(err.value) == 1       # the claim (an honest key) does not hold


def test_wrong_circuit_rejected(mixed, circuits, ptau_path, fast, ref):
    other = new_zkey(read_r1cs(circuits("mul")["r1cs"]), ptau_path, fast)
    with pytest.raises(SetupError, match="different circuit|does not match"):
        verify_from_init(read_zkey(mixed["dir"] / "final.zkey"), other, ref)


def test_export_and_prove(mixed, ptau_path, fast, ref, tmp_path):
    final = read_zkey(mixed["dir"] / "final.zkey")
    pk, vk, report = export_keys(final, mixed["cs"], ptau_path, backend=ref)
    assert not vk.development and len(report.contributions) == 4
    w = read_wtns(mixed["wtns"])
    proof = prove(pk, w, fast)
    public = w[1:1 + pk.num_public]
    assert verify(vk, proof, public, ref)
    assert env.snarkjs_verify(tmp_path, vk, proof, public)


def test_export_refusals(mixed, ptau_path, ref):
    z0 = read_zkey(mixed["dir"] / "z0.zkey")
    for dev in (False, True):
        with pytest.raises(SetupError, match="no phase-2 contribution"):
            export_keys(z0, mixed["cs"], ptau_path, development=dev, backend=ref)
    z1 = read_zkey(mixed["dir"] / "z1.zkey")
    with pytest.raises(SetupError, match="production export"):
        export_keys(z1, backend=ref)
    pk, vk, report = export_keys(z1, development=True, backend=ref)
    assert vk.development and report is None
    fake = replace(z1, pk=replace(z1.pk, vk=replace(z1.pk.vk, delta_g2=z1.pk.vk.gamma_g2)))
    with pytest.raises(SetupError):
        export_keys(fake, development=True, backend=ref)


def test_circuit_too_big_for_ptau(mixed, circuits, ptau_path, ref):
    big = read_r1cs(circuits("poseidon", "--O1")["r1cs"])
    with pytest.raises(SetupError, match="power 8"):
        new_zkey(big, ptau_path, ref)
    with pytest.raises(SetupError, match="power 8"):
        verify_zkey(read_zkey(mixed["dir"] / "z1.zkey"), big, ptau_path, ref)


def test_ratio_check_scalars_are_128_random_bits_per_point():
    from zk.ceremony.verify import random_words
    a, b = random_words(1000), random_words(1000)
    assert len(a) == 32 * 1000 and a != b
    words = [int.from_bytes(a[i:i + 32], "little") for i in range(0, len(a), 32)]
    assert all(w < 1 << 128 for w in words) and len(set(words)) == 1000
    assert max(words).bit_length() > 120 and random_words(0) == b""


def test_h_points_hashed_follows_snarkjs_chunked_loop():
    """snarkjs's hashHPoints: `for (i = 0; i < domainSize - 1; i += 2^14)` hashes
    `min(domainSize - 1, 2^14)` points per chunk (its length ignores i). Our count must
    equal that loop's total whenever the ptau holds the points it reads."""
    from zk.ceremony.new import h_points_hashed
    for log_n in range(1, 21):
        n = 1 << log_n
        total = sum(min(n - 1, 1 << 14) for _ in range(0, n - 1, 1 << 14))
        assert h_points_hashed(n, log_n + 1) == total
        assert h_points_hashed(n, log_n) == n - 1      # tau^(2n-1) is not in the ptau
    assert h_points_hashed(1 << 14, 20) == (1 << 14) - 1
    assert h_points_hashed(1 << 15, 16) == 1 << 15


def test_snarkjs_hash_caveat_only_for_full_size_domains_above_2_14():
    """snarkjs reads past the tau section exactly when n = 2^power > 2^14 + 1; only then
    does a circuit-hash mismatch carry the explanation and the remedy."""
    from zk.ceremony.new import snarkjs_hash_caveat
    assert snarkjs_hash_caveat(1 << 14, 14) == ""
    assert snarkjs_hash_caveat(1 << 15, 16) == "" and snarkjs_hash_caveat(1 << 16, 20) == ""
    for power in (15, 16, 20):
        note = snarkjs_hash_caveat(1 << power, power)
        assert f"2^{power}" in note and f"power {power + 1} or more" in note


def test_circuit_hash_mismatch_carries_the_caveat(mixed, ref):
    init = mixed["init"]
    bad = replace(read_zkey(mixed["dir"] / "final.zkey"), cs_hash=bytes(64))
    with pytest.raises(CeremonyInvalid, match="circuit hash does not match.*power 9 or more"):
        verify_from_init(bad, init, ref, "; make it from a ptau of power 9 or more")
    with pytest.raises(CeremonyInvalid, match=r"circuit hash does not match[^;]*$"):
        verify_from_init(bad, init, ref)
