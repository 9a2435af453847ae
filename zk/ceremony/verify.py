"""Check a phase-2 .zkey the way ``snarkjs zkey verify`` does.

1. The transcript chain: each contribution's transcript is BLAKE2b(csHash, earlier
   public keys, its g1_s, g1_sx); its public key has the same ratio in G1 and on
   hashToG2(transcript); delta moves by exactly that ratio; a beacon's key is the one
   its published beacon derives.
2. The key against the circuit and the ptau: the initial key is rebuilt from them;
   header points, IC, coefficients, A, B1, B2 and the circuit hash must be identical;
   delta1/delta2 are the final delta; L and H equal the initial ones divided by delta
   (same-ratio pairing check on a random linear combination).
Any failure raises CeremonyInvalid (a SetupError; exit code 1) naming the contribution
or section.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from array import array
from dataclasses import dataclass, field

from zk import curve, progress
from zk.backend import Backend, get_backend
from zk.ceremony import rng as R_
from zk.ceremony.contribute import contribution_hash
from zk.ceremony.new import new_zkey, snarkjs_hash_caveat
from zk.errors import CeremonyInvalid, MalformedInput
from zk.formats.iden3 import points as P
from zk.formats.iden3.contributions import public_key_bytes
from zk.formats.iden3.ptau import open_ptau
from zk.formats.iden3.zkey import ZKey
from zk.r1cs import R1CS


@dataclass
class ContributionInfo:
    """A verified contribution, newest last."""

    index: int
    name: str
    hash: bytes
    beacon: bool = False
    beacon_hash: bytes = b""
    num_iterations_exp: int = 0


@dataclass
class Report:
    """Outcome of a successful verification."""

    cs_hash: bytes
    contributions: list[ContributionInfo] = field(default_factory=list)


def same_ratio(g1_s: bytes, g1_sx: bytes, g2_s: bytes, g2_sx: bytes, be: Backend) -> bool:
    """e(g1_s, g2_sx) == e(g1_sx, g2_s), all four points non-zero."""
    if bytes(64) in (g1_s, g1_sx) or bytes(128) in (g2_s, g2_sx):
        return False
    return be.pairing_check(g1_s + curve.g1_neg(g1_sx), g2_sx + g2_s)


def verify_chain(zk: ZKey, backend: Backend | None = None) -> list[ContributionInfo]:
    """Check every contribution's transcript and ratios (no circuit or ptau needed)."""
    be = backend or get_backend()
    acc = hashlib.blake2b(digest_size=64)
    acc.update(zk.cs_hash)
    cur, out = curve.G1_GEN, []
    for i, c in enumerate(zk.contributions, start=1):
        tag = f"contribution #{i}{' (' + c.name + ')' if c.name else ''}"
        h = acc.copy()
        h.update(P.g1_uncompressed(c.g1_s) + P.g1_uncompressed(c.g1_sx))
        if h.digest() != c.transcript:
            raise CeremonyInvalid(f"{tag}: inconsistent transcript hash")
        try:
            curve.check_g2(c.g2_spx, f"{tag}: g2_spx")
        except MalformedInput as exc:
            raise CeremonyInvalid(str(exc)) from exc
        g2_sp = R_.hash_to_g2(c.transcript)
        if not same_ratio(c.g1_s, c.g1_sx, g2_sp, c.g2_spx, be):
            raise CeremonyInvalid(f"{tag}: public key G1 and G2 parts do not have the same ratio")
        if not same_ratio(cur, c.delta_after, g2_sp, c.g2_spx, be):
            raise CeremonyInvalid(f"{tag}: delta does not follow the public key")
        if c.type == 1:
            _check_beacon(c, tag)
        acc.update(public_key_bytes(c))
        cur = c.delta_after
        out.append(ContributionInfo(i, c.name, contribution_hash(c), c.type == 1,
                                    c.beacon_hash, c.num_iterations_exp))
    pk = zk.pk
    if pk.delta_g1 != cur:
        raise CeremonyInvalid("delta1 is not the delta of the last contribution")
    if not same_ratio(curve.G1_GEN, cur, curve.G2_GEN, pk.vk.delta_g2, be):
        raise CeremonyInvalid("delta2 does not match delta1")
    return out


def _check_beacon(c, tag: str) -> None:
    if not 1 <= c.num_iterations_exp <= 63 or not c.beacon_hash:
        raise CeremonyInvalid(f"{tag}: beacon parameters missing or out of range")
    rng = R_.beacon_rng(c.beacon_hash, c.num_iterations_exp)
    x = R_.fr_from_rng(rng)
    g1_s = R_.g1_from_rng(rng)
    if g1_s != c.g1_s or curve.g1_mul(g1_s, x) != c.g1_sx:
        raise CeremonyInvalid(f"{tag}: key does not match the published beacon")


def random_words(n: int) -> bytes:
    """n scalars of 128 random bits (from ``secrets``) as 32-byte words, in one pass."""
    words = array("Q", bytes(32 * n))
    rand = array("Q", secrets.token_bytes(16 * n))
    words[0::4], words[1::4] = rand[0::2], rand[1::2]
    return words.tobytes()


def _ratio_check(init: bytes, final: bytes, delta2: bytes, be: Backend, what: str) -> None:
    n = len(init) // 64
    if n == 0:
        return
    r = random_words(n)
    a, b = be.msm_g1(init, r), be.msm_g1(final, r)
    if not same_ratio(a, b, delta2, curve.G2_GEN, be):
        raise CeremonyInvalid(f"{what} section is not the initial one divided by delta")


def verify_from_init(zk: ZKey, init: ZKey, backend: Backend | None = None,
                     hash_caveat: str = "") -> Report:
    """Check zk against the initial key of its circuit (what ``new_zkey`` derives);
    ``hash_caveat`` is added to a circuit-hash mismatch (see snarkjs_hash_caveat)."""
    be = backend or get_backend()
    a, b = zk.pk, init.pk
    if (a.num_wires, a.num_public, a.domain_size) != (b.num_wires, b.num_public,
                                                       b.domain_size):
        raise CeremonyInvalid("key is for different circuit parameters (wires, public, domain)")
    same = {"alpha1": (a.vk.alpha_g1, b.vk.alpha_g1), "beta1": (a.beta_g1, b.beta_g1),
            "beta2": (a.vk.beta_g2, b.vk.beta_g2), "gamma2": (a.vk.gamma_g2, b.vk.gamma_g2),
            "IC": (a.vk.gamma_abc_g1, b.vk.gamma_abc_g1), "coefficients": (zk.coefs, init.coefs),
            "A": (a.a_query, b.a_query), "B1": (a.b_g1_query, b.b_g1_query),
            "B2": (a.b_g2_query, b.b_g2_query), "circuit hash": (zk.cs_hash, init.cs_hash)}
    for name, (x, y) in same.items():
        if x != y:
            raise CeremonyInvalid(f"{name} does not match the one derived from the circuit and "
                                  "the ptau" + (hash_caveat if name == "circuit hash" else ""))
    with progress.step("verify: L and H sections"):
        _ratio_check(b.l_query, a.l_query, a.vk.delta_g2, be, "L (C)")
        _ratio_check(b.h_query, a.h_query, a.vk.delta_g2, be, "H")
    with progress.step(f"verify: {len(zk.contributions)} contributions"):
        infos = verify_chain(zk, be)
    return Report(zk.cs_hash, infos)


def verify_zkey(zk: ZKey, cs: R1CS, ptau: str | os.PathLike,
                backend: Backend | None = None) -> Report:
    """Full check of zk against the circuit cs and the ptau; CeremonyInvalid on any mismatch."""
    be = backend or get_backend()
    with open_ptau(ptau) as pt:
        init = new_zkey(cs, pt, be)
        caveat = snarkjs_hash_caveat(init.pk.domain_size, pt.power)
    return verify_from_init(zk, init, be, caveat)
