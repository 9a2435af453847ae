"""Phase-2 contributions and the closing random beacon (snarkjs-compatible transcripts).

A contribution draws x, publishes (g1_s, g1_sx = x g1_s, g2_spx = x hashToG2(transcript))
with transcript = BLAKE2b(csHash, previous public keys, g1_s, g1_sx), multiplies delta
by x and divides the L (C) and H sections by x. Entropy: 64 bytes from ``secrets`` plus
the participant's optional text, hashed into a fresh ChaCha stream; nothing of it is
stored, and every call draws anew (an interrupted run is simply re-run).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace

from zk import curve, progress
from zk.backend import Backend, get_backend
from zk.ceremony import rng as R_
from zk.errors import SetupError
from zk.field import R
from zk.formats.iden3 import points as P
from zk.formats.iden3.contributions import Contribution, public_key_bytes
from zk.formats.iden3.zkey import ZKey

MIN_BEACON_EXP, MAX_BEACON_EXP = 10, 63


def transcript_prefix(zk: ZKey) -> "hashlib._Hash":
    """BLAKE2b-512 state after csHash and every existing contribution's public key."""
    h = hashlib.blake2b(digest_size=64)
    h.update(zk.cs_hash)
    for c in zk.contributions:
        h.update(public_key_bytes(c))
    return h


def contribution_hash(c: Contribution) -> bytes:
    """What a participant publishes (snarkjs prints the same 64 bytes)."""
    return hashlib.blake2b(public_key_bytes(c), digest_size=64).digest()


def format_hash(h: bytes) -> str:
    """64 bytes as snarkjs prints them: four lines of four 8-hex-digit groups."""
    hx = h.hex()
    return "\n".join(" ".join(hx[32 * i + 8 * j:32 * i + 8 * j + 8] for j in range(4))
                     for i in range(4))


def _apply(zk: ZKey, rng: R_.ChaCha, be: Backend, **meta) -> tuple[ZKey, bytes]:
    x = R_.fr_from_rng(rng)
    if x == 0:
        raise SetupError("drew a zero key; run the contribution again")
    g1_s = R_.g1_from_rng(rng)
    g1_sx = curve.g1_mul(g1_s, x)
    h = transcript_prefix(zk)
    h.update(P.g1_uncompressed(g1_s) + P.g1_uncompressed(g1_sx))
    transcript = h.digest()
    g2_spx = curve.g2_mul(R_.hash_to_g2(transcript), x)
    pk = zk.pk
    delta1, delta2 = curve.g1_mul(pk.delta_g1, x), curve.g2_mul(pk.vk.delta_g2, x)
    c = Contribution(delta1, g1_s, g1_sx, g2_spx, transcript, **meta)
    x_inv = pow(x, -1, R)
    with progress.step(f"contribute: {len(pk.l_query) // 64 + pk.domain_size} G1 points"):
        l_query = be.scale_g1(pk.l_query, x_inv)
        h_query = be.scale_g1(pk.h_query, x_inv)
    del x, x_inv
    vk = replace(pk.vk, delta_g2=delta2, development=False)
    new_pk = replace(pk, vk=vk, delta_g1=delta1, l_query=l_query, h_query=h_query)
    out = ZKey(new_pk, zk.cs_hash, [*zk.contributions, c], zk.coefs)
    return out, contribution_hash(c)


def contribute(zk: ZKey, name: str = "", entropy_text: str = "",
               backend: Backend | None = None) -> tuple[ZKey, bytes]:
    """(new key, contribution hash) after one fresh contribution."""
    seed = hashlib.blake2b(secrets.token_bytes(64) + entropy_text.encode("utf-8"),
                           digest_size=64).digest()
    return _apply(zk, R_.ChaCha.from_hash(seed), backend or get_backend(), type=0,
                  name=name)


def beacon(zk: ZKey, beacon_hash: bytes, num_iterations_exp: int, name: str = "",
           backend: Backend | None = None) -> tuple[ZKey, bytes]:
    """(new key, contribution hash) after the public, reproducible beacon contribution."""
    if not 1 <= len(beacon_hash) <= 255:
        raise SetupError("beacon hash must be 1 to 255 bytes")
    if not MIN_BEACON_EXP <= num_iterations_exp <= MAX_BEACON_EXP:
        raise SetupError(f"beacon iterations exponent must be in [{MIN_BEACON_EXP}, "
                         f"{MAX_BEACON_EXP}]")
    rng = R_.beacon_rng(beacon_hash, num_iterations_exp)
    return _apply(zk, rng, backend or get_backend(), type=1, name=name,
                  num_iterations_exp=num_iterations_exp, beacon_hash=bytes(beacon_hash))
