"""Groth16 .zkey files (snarkjs) <-> zk.groth16.ProvingKey.

Sections: 1 protocol (u32, 1 = Groth16); 2 header (n8q, q, n8r, r, nVars, nPublic,
domainSize, alpha1, beta1, beta2, gamma2, delta1, delta2); 3 IC; 4 coefficients of A and
B (u32 count, then u32 matrix, u32 row, u32 wire, coefficient * 2^512 mod r); 5 A;
6 B1; 7 B2; 8 C (the private-wire L query); 9 H; 10 phase-2 contributions. Points are
LEM (see points.py). Our ProvingKey follows the same conventions (public-input rows,
H on the odd points of the doubled domain), so the conversion is only re-encoding.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field

from zk import curve
from zk.backend import check_g2, get_backend
from zk.errors import MalformedInput
from zk.field import R
from zk.formats.iden3 import points as P
from zk.formats.iden3.binfile import BinFile, open_binfile, u32, write_binfile
from zk.formats.iden3.contributions import Contribution, encode_contributions, read_contributions
from zk.groth16.keys import ProvingKey, VerifyingKey

MAGIC = "zkey"
GROTH16 = 1
_HEADER_BYTES = 4 + 32 + 4 + 32 + 12 + 64 * 3 + 128 * 3


@dataclass
class ZKey:
    """A Groth16 .zkey: the proving key, the circuit hash and the phase-2 transcript.

    ``coefs`` keeps section 4 exactly as read or derived (order matters for the
    byte-for-byte section comparison of ``zkey verify``); None means "derive from pk".
    """

    pk: ProvingKey
    cs_hash: bytes = bytes(64)
    contributions: list[Contribution] = field(default_factory=list)
    coefs: bytes | None = None

    @property
    def vk(self) -> VerifyingKey:
        return self.pk.vk


def _header(bf: BinFile) -> dict:
    c = bf.cursor(1)
    proto = c.u32()
    c.end()
    if proto != GROTH16:
        raise bf.error(f"protocol {proto} is not Groth16 (1)", 1)
    c = bf.cursor(2)
    if c.u32() != 32 or c.big(32) != curve.Q or c.u32() != 32 or c.big(32) != R:
        raise bf.error("not a BN254 key (wrong field sizes or primes: wrong curve)", 2)
    n_vars, n_pub, domain = c.u32(), c.u32(), c.u32()
    if domain < 2 or domain & (domain - 1) or domain > 1 << 27:
        raise bf.error(f"domain size {domain} is not a power of two in [2, 2^27]", 2)
    if not n_pub + 1 <= n_vars or n_vars + n_pub + 1 > (1 << 31):
        raise bf.error(f"{n_vars} wires and {n_pub} public inputs do not fit", 2)
    what = f"{bf.path}: header points"
    g1 = P.g1_from_lem(c.take(128), what)
    g2 = P.g2_from_lem(c.take(256), what)
    d1 = P.g1_from_lem(c.take(64), what)
    d2 = P.g2_from_lem(c.take(128), what)
    c.end()
    for name, pt in (("alpha1", g1[:64]), ("beta1", g1[64:]), ("delta1", d1)):
        curve.check_g1(pt, f"{bf.path}: {name}")
    for name, pt in (("beta2", g2[:128]), ("gamma2", g2[128:]), ("delta2", d2)):
        check_g2(pt, f"{bf.path}: {name}")
    return dict(n_vars=n_vars, n_pub=n_pub, domain=domain, alpha1=g1[:64], beta1=g1[64:],
                beta2=g2[:128], gamma2=g2[128:], delta1=d1, delta2=d2)


def _coefs(bf: BinFile, h: dict) -> tuple[bytes, tuple, tuple]:
    raw = bf.read_section(4)
    if len(raw) < 4:
        raise bf.error("coefficient section is truncated", 4)
    n = struct.unpack_from("<I", raw)[0]
    if len(raw) != 4 + 44 * n:
        raise bf.error(f"{n} coefficients need {4 + 44 * n} bytes, section has {len(raw)}", 4)
    try:
        a, b = get_backend().zkey_coefs_split(memoryview(raw)[4:], h["domain"], h["n_vars"])
    except MalformedInput as exc:  # names the entry: "coefficient #i ..."
        raise bf.error(str(exc), 4) from None
    return raw, a, b


def read_zkey(path: str | os.PathLike, check_points: bool = True) -> ZKey:
    """Load a snarkjs Groth16 .zkey; sizes checked before reading, points on-curve checked.

    The resulting keys are labelled development unless the key has at least one phase-2
    contribution; whether those contributions are sound is ``zk.ceremony.verify``'s job.
    """
    with open_binfile(path, MAGIC, 2) as bf:
        h = _header(bf)
        n, npub, dom = h["n_vars"], h["n_pub"], h["domain"]
        sizes = {3: 64 * (npub + 1), 5: 64 * n, 6: 64 * n, 7: 128 * n,
                 8: 64 * (n - npub - 1), 9: 64 * dom}
        for sid, size in sizes.items():
            off, got = bf.section(sid)
            if got != size:
                raise bf.error(f"section has {got} bytes, expected {size}", sid, off)
        raw, a_m, b_m = _coefs(bf, h)
        cs_hash, contribs = read_contributions(bf)
        pts = {}
        for sid in (3, 5, 6, 8, 9):
            pts[sid] = P.g1_from_lem(bf.read_section(sid), f"{bf.path}: section {sid}",
                                     check_points)
        pts[7] = P.g2_from_lem(bf.read_section(7), f"{bf.path}: section 7", check_points)
    ic = [pts[3][i:i + 64] for i in range(0, len(pts[3]), 64)]
    vk = VerifyingKey(h["alpha1"], h["beta2"], h["gamma2"], h["delta2"], ic,
                      development=not contribs)
    pk = ProvingKey(vk=vk, beta_g1=h["beta1"], delta_g1=h["delta1"], a_query=pts[5],
                    b_g1_query=pts[6], b_g2_query=pts[7], h_query=pts[9], l_query=pts[8],
                    domain_size=dom, num_wires=n, num_public=npub, a_matrix=a_m,
                    b_matrix=b_m)
    return ZKey(pk, cs_hash, contribs, raw)


def encode_coefs(pk: ProvingKey) -> bytes:
    """Section 4 payload from the key's sparse A and B matrices."""
    count = (len(pk.a_matrix[0]) + len(pk.b_matrix[0])) // 4
    return u32(count) + get_backend().zkey_coefs_join(pk.a_matrix, pk.b_matrix)


def encode_header(pk: ProvingKey) -> bytes:
    """Section 2 payload."""
    vk = pk.vk
    return (u32(32) + curve.Q.to_bytes(32, "little") + u32(32) + R.to_bytes(32, "little")
            + u32(pk.num_wires) + u32(pk.num_public) + u32(pk.domain_size)
            + P.g1_to_lem(vk.alpha_g1 + pk.beta_g1)
            + P.g2_to_lem(vk.beta_g2 + vk.gamma_g2)
            + P.g1_to_lem(pk.delta_g1) + P.g2_to_lem(vk.delta_g2))


def encode_zkey(zk: ZKey) -> list[tuple[int, bytes]]:
    """The (id, payload) sections of a .zkey, in snarkjs's numbering."""
    pk = zk.pk
    pk.check_sizes()
    return [(1, u32(GROTH16)), (2, encode_header(pk)),
            (3, P.g1_to_lem(b"".join(pk.vk.gamma_abc_g1))),
            (4, zk.coefs if zk.coefs is not None else encode_coefs(pk)),
            (5, P.g1_to_lem(pk.a_query)), (6, P.g1_to_lem(pk.b_g1_query)),
            (7, P.g2_to_lem(pk.b_g2_query)), (8, P.g1_to_lem(pk.l_query)),
            (9, P.g1_to_lem(pk.h_query)),
            (10, encode_contributions(zk.cs_hash, zk.contributions))]


def write_zkey(zk: ZKey | ProvingKey, path: str | os.PathLike) -> None:
    """Atomic write of a .zkey that snarkjs reads (a bare ProvingKey gets no transcript)."""
    if isinstance(zk, ProvingKey):
        zk = ZKey(zk)
    write_binfile(path, MAGIC, 1, encode_zkey(zk))
