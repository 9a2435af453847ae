"""Corrupted, truncated and wrong-curve iden3 files give MalformedInput naming the file."""
from __future__ import annotations

import struct

import pytest

from tests.formats import iden3_env as env
from zk.errors import MalformedInput
from zk.formats.iden3 import open_ptau, read_r1cs, read_wtns, read_zkey
from zk.formats.iden3.binfile import open_binfile
from zk.formats.iden3.zkey import ZKey, encode_zkey


@pytest.fixture(scope="module")
def zkey_bytes(circuits, ptau_path):
    d = circuits("mul")["dir"]
    if not (d / "init.zkey").exists():
        env.snarkjs("zkey", "new", "main.r1cs", str(ptau_path), "init.zkey", cwd=d)
    return (d / "init.zkey").read_bytes()


def _boundaries(data: bytes) -> list[int]:
    """Offsets of every section header and payload start."""
    out, pos = [], 12
    for _ in range(struct.unpack_from("<I", data, 8)[0]):
        out += [pos, pos + 12]
        pos += 12 + struct.unpack_from("<Q", data, pos + 4)[0]
    return out


def test_truncated_at_every_section_boundary(zkey_bytes, tmp_path):
    p = tmp_path / "cut.zkey"
    cuts = _boundaries(zkey_bytes) + [0, 3, 11, len(zkey_bytes) - 1]
    for cut in cuts:
        p.write_bytes(zkey_bytes[:cut])
        with pytest.raises(MalformedInput, match="cut.zkey"):
            read_zkey(p)


def test_section_length_larger_than_file(zkey_bytes, tmp_path):
    data = bytearray(zkey_bytes)
    first = _boundaries(zkey_bytes)[0]
    struct.pack_into("<Q", data, first + 4, 1 << 60)
    p = tmp_path / "huge.zkey"
    p.write_bytes(data)
    with pytest.raises(MalformedInput, match=r"huge.zkey, section 1.*larger than the rest"):
        read_zkey(p)


def test_wrong_magic_and_version(zkey_bytes, tmp_path):
    p = tmp_path / "k.zkey"
    p.write_bytes(b"ptau" + zkey_bytes[4:])
    with pytest.raises(MalformedInput, match="not a .zkey"):
        read_zkey(p)
    p.write_bytes(zkey_bytes[:4] + struct.pack("<I", 99) + zkey_bytes[8:])
    with pytest.raises(MalformedInput, match="version 99"):
        read_zkey(p)
    with pytest.raises(MalformedInput, match="no such file"):
        read_zkey(tmp_path / "missing.zkey")


def _rewrite(zk_bytes: bytes, sid: int, fn, tmp_path) -> bytes:
    """Re-encode the file with section sid's payload passed through fn."""
    bf_path = tmp_path / "src.zkey"
    bf_path.write_bytes(zk_bytes)
    with open_binfile(bf_path, "zkey", 2) as bf:
        secs = [(s, bf.read_section(s)) for s in sorted(bf.sections)]
    secs = [(s, fn(p) if s == sid else p) for s, p in secs]
    from zk.formats.iden3.binfile import encode_binfile
    return encode_binfile("zkey", 1, secs)


@pytest.mark.parametrize("sid,offset,what", [(2, 0, "wrong curve"), (2, 4, "wrong curve"),
                                             (5, 64, "not on the curve"),
                                             (7, 5, "not on the twist|>= q"),
                                             (9, 0, "not on the curve|>= q")])
def test_bit_flips(zkey_bytes, tmp_path, sid, offset, what):
    def flip(p: bytes) -> bytes:
        b = bytearray(p)
        b[offset] ^= 0x01
        return bytes(b)
    p = tmp_path / "flip.zkey"
    p.write_bytes(_rewrite(zkey_bytes, sid, flip, tmp_path))
    with pytest.raises(MalformedInput, match="flip.zkey") as exc:
        read_zkey(p)
    assert any(w in str(exc.value) for w in what.split("|")) or "curve" in str(exc.value)


def test_coordinate_alias_rejected(zkey_bytes, tmp_path):
    """A Montgomery coordinate >= q (alias of a valid one) is refused, not reduced."""
    from zk.curve import Q

    def alias(p: bytes) -> bytes:
        x = int.from_bytes(p[:32], "little") + Q
        return (x.to_bytes(32, "little") if x < 1 << 256 else p[:32]) + p[32:]
    p = tmp_path / "alias.zkey"
    p.write_bytes(_rewrite(zkey_bytes, 3, alias, tmp_path))
    with pytest.raises(MalformedInput, match=">= q"):
        read_zkey(p)


def test_wrong_section_size(zkey_bytes, tmp_path):
    p = tmp_path / "short.zkey"
    p.write_bytes(_rewrite(zkey_bytes, 9, lambda b: b[:-64], tmp_path))
    with pytest.raises(MalformedInput, match="section 9.*expected"):
        read_zkey(p)


def test_zkey_encode_keeps_contributions(zkey_bytes, tmp_path):
    p = tmp_path / "k.zkey"
    p.write_bytes(zkey_bytes)
    zk = read_zkey(p)
    assert isinstance(zk, ZKey) and zk.contributions == []
    assert dict(encode_zkey(zk))[10][:64] == zk.cs_hash


def test_r1cs_wtns_ptau_corruption(circuits, ptau_path, tmp_path):
    c = circuits("mul")
    r1cs = c["r1cs"].read_bytes()
    p = tmp_path / "bad.r1cs"
    for cut in (10, len(r1cs) // 2, len(r1cs) - 1):
        p.write_bytes(r1cs[:cut])
        with pytest.raises(MalformedInput, match="bad.r1cs"):
            read_r1cs(p)
    wtns = c["wtns"].read_bytes()
    p = tmp_path / "bad.wtns"
    p.write_bytes(wtns[:-1])
    with pytest.raises(MalformedInput, match="bad.wtns"):
        read_wtns(p)
    b = bytearray(wtns)
    b[len(b) - 1] = 0xFF                      # last value >= r
    p.write_bytes(b)
    with pytest.raises(MalformedInput, match=">= r"):
        read_wtns(p)
    pt = ptau_path.read_bytes()
    p = tmp_path / "bad.ptau"
    p.write_bytes(pt[: len(pt) // 3])
    with pytest.raises(MalformedInput, match="bad.ptau"):
        open_ptau(p)
    p.write_bytes(pt[:4] + pt[4:8] + pt[8:])
    with open_ptau(p) as ok:
        assert ok.prepared and ok.power == env.PTAU_POWER


def test_r1cs_wire_count_is_bounded_by_the_label_map(tmp_path):
    """A 428-byte .r1cs claiming 587 million public inputs used to allocate a name per
    wire until the process was killed (found by fuzzing); the wire-to-label map (8 bytes
    per wire) now bounds the count before anything is allocated."""
    from zk.field import R
    from zk.formats.iden3.binfile import u32, u64, write_binfile
    n_wires, n_pub = 603979781, 587202561
    header = (u32(32) + R.to_bytes(32, "little") + u32(n_wires) + u32(0) + u32(n_pub)
              + u32(2) + u64(5) + u32(0))
    p = tmp_path / "huge.r1cs"
    write_binfile(p, "r1cs", 1, [(1, header), (2, b""), (3, u64(0) * 5)])
    with pytest.raises(MalformedInput, match="section 3: wire-to-label map has 40 bytes"):
        read_r1cs(p)
