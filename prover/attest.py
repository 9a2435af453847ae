"""Attester key files and attestation files (``zksolvency attest keygen | sign | verify``).

Files (JSON, integers as decimal strings or 0x-hex):

* key (SECRET, mode 0600)  {"kind": "zksolvency-attester-key", "version": 1,
  "scheme": "eddsa-poseidon-babyjubjub", "secret_scalar", "public_key": {"x", "y"}}
  -- secret_scalar k in [1, l) with public key A = k * Base8
* public key  {"kind": "zksolvency-attester-public-key", "version": 1, "scheme", "x", "y"}
* attestation {"kind": "zksolvency-attestation", "version": 1, "scheme", "tag":
  "position"|"reserve", "chain_id", "registry", "subject", "commitment", "as_of",
  "attester": {"x", "y"}, "signature": {"r8x", "r8y", "s"}}

A circomlibjs private key (the bytes its eddsa.prv2pub/signPoseidon take) can be imported:
key_from_circomlibjs reproduces its BLAKE-512 derivation (prover/blake512.py).

Parse errors name the file and field (InputFileError). The secret scalar is never part
of a message, a repr or an output other than the key file itself.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circuits.attestation import TAGS, Attestation, sign_attestation
from prover.blake512 import blake512
from prover.inputs import InputFileError, parse_address, parse_int, read_object
from zk import atomic
from zk.field import R
from zk.std import babyjub as bj
from zk.std import eddsa

SCHEME = "eddsa-poseidon-babyjubjub"
KEY_KIND = "zksolvency-attester-key"
PUBLIC_KIND = "zksolvency-attester-public-key"
ATTESTATION_KIND = "zksolvency-attestation"
VERSION = 1
_TAG_NAMES = {v: k for k, v in TAGS.items()}


@dataclass(frozen=True)
class AttesterKey:
    """An attester's signing scalar and public key. repr hides the secret."""

    secret: int
    public: bj.Point

    def __repr__(self) -> str:
        return f"AttesterKey(public=({self.public[0]}, {self.public[1]}), secret=hidden)"


def generate_key() -> AttesterKey:
    """A fresh key from the ``secrets`` module."""
    k = eddsa.new_secret()
    return AttesterKey(k, eddsa.public_key(k))


def key_from_circomlibjs(prv: bytes) -> AttesterKey:
    """The key circomlibjs eddsa derives from the private key bytes prv.

    circomlibjs hashes prv with BLAKE-512, prunes the first 32 bytes (clear the low 3
    bits and bit 255, set bit 254), reads them little-endian as s and uses s >> 3 times
    Base8 as the public key; the signing scalar here is (s >> 3) mod l.
    """
    h = bytearray(blake512(bytes(prv))[:32])
    h[0] &= 0xF8
    h[31] = (h[31] & 0x7F) | 0x40
    k = (int.from_bytes(h, "little") >> 3) % bj.SUBORDER
    if k == 0:                                      # probability ~2^-250
        raise InputFileError("circomlibjs key", "value", "derives the zero scalar")
    return AttesterKey(k, eddsa.public_key(k))


def read_circomlibjs_key(path: str | Path) -> AttesterKey:
    """Import a circomlibjs private key: a file holding its 32 bytes as hex."""
    src = str(path)
    raw = atomic.read_bytes(path, 1024)
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise InputFileError(src, "content", "expected 64 hex digits") from None
    text = text[:-1] if text.endswith("\n") else text
    text = text[2:] if text.startswith("0x") else text
    if len(text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise InputFileError(src, "content", "expected the 32-byte private key as 64 hex "
                                             "digits (optional 0x, one final newline)")
    return key_from_circomlibjs(bytes.fromhex(text))


def _point_json(p: bj.Point) -> dict[str, str]:
    return {"x": str(p[0]), "y": str(p[1])}


def public_key_json(public: bj.Point) -> dict[str, Any]:
    return {"kind": PUBLIC_KIND, "version": VERSION, "scheme": SCHEME, **_point_json(public)}


def write_secret_json(path: str | Path, obj: Any) -> None:
    """Create path holding obj with mode 0600 from its creation, atomically; refuse to
    replace an existing file (a key is never overwritten)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path):
        raise InputFileError(str(path), "file", "already exists; refusing to overwrite a key")
    data = (json.dumps(obj, indent=1) + "\n").encode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:                              # mkstemp creates the file with mode 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)        # atomic, and fails if path appeared meanwhile
        except FileExistsError:
            raise InputFileError(str(path), "file", "already exists; refusing to overwrite "
                                                    "a key") from None
    finally:
        os.unlink(tmp)
    atomic.fsync_dir(path.parent)


def save_key(key: AttesterKey, key_path: str | Path, public_path: str | Path) -> None:
    """Write the secret key file (0600, never overwritten) and the public-key JSON."""
    write_secret_json(key_path, {"kind": KEY_KIND, "version": VERSION, "scheme": SCHEME,
                                 "secret_scalar": str(key.secret),
                                 "public_key": _point_json(key.public)})
    atomic.write_json(public_path, public_key_json(key.public))


def _header(obj: dict, src: str, kind: str) -> None:
    if obj["kind"] != kind:
        raise InputFileError(src, "field 'kind'", f"expected \"{kind}\"")
    if obj["version"] != VERSION or isinstance(obj["version"], bool):
        raise InputFileError(src, "field 'version'", f"expected {VERSION}")
    if obj["scheme"] != SCHEME:
        raise InputFileError(src, "field 'scheme'", f"expected \"{SCHEME}\"")


def _field(value: Any, src: str, where: str) -> int:
    v = parse_int(value, src, where)
    if v >= R:
        raise InputFileError(src, where, "must be below the field modulus r")
    return v


def _point(obj: Any, src: str, where: str) -> bj.Point:
    if not isinstance(obj, dict) or set(obj) != {"x", "y"}:
        raise InputFileError(src, where, "expected {\"x\": ..., \"y\": ...}")
    return _field(obj["x"], src, f"{where}.x"), _field(obj["y"], src, f"{where}.y")


def _public_point(p: bj.Point, src: str, where: str) -> bj.Point:
    if not bj.on_curve(p):
        raise InputFileError(src, where, "not a point of Baby Jubjub")
    if bj.is_small_order(p):
        raise InputFileError(src, where, "point of small order (not a usable public key)")
    return p


def load_key(path: str | Path) -> AttesterKey:
    """Read a secret key file; refuses files readable by group/others (like ssh)."""
    src = str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputFileError(src, "file", "no such file") from None
    if not stat.S_ISREG(mode):
        raise InputFileError(src, "file", "not a regular file")
    if mode & 0o077:
        raise InputFileError(src, "file", f"permissions {oct(mode & 0o777)} let others read "
                                          "the secret; chmod 600 it")
    keys = {"kind", "version", "scheme", "secret_scalar", "public_key"}
    obj = read_object(path, keys, keys)
    _header(obj, src, KEY_KIND)
    # the value itself never appears in an error message
    k = parse_int(obj["secret_scalar"], src, "field 'secret_scalar'")
    if not 1 <= k < bj.SUBORDER:
        raise InputFileError(src, "field 'secret_scalar'", "must be in [1, l)")
    public = _point(obj["public_key"], src, "field 'public_key'")
    if eddsa.public_key(k) != public:
        raise InputFileError(src, "field 'public_key'", "does not match the secret scalar")
    return AttesterKey(k, public)


def load_public_key(path: str | Path) -> bj.Point:
    """Read a public-key JSON (on the curve, not of small order)."""
    src = str(path)
    keys = {"kind", "version", "scheme", "x", "y"}
    obj = read_object(path, keys, keys)
    _header(obj, src, PUBLIC_KIND)
    return _public_point(_point({"x": obj["x"], "y": obj["y"]}, src, "public key"), src,
                         "public key")


def attestation_json(att: Attestation) -> dict[str, Any]:
    return {
        "kind": ATTESTATION_KIND, "version": VERSION, "scheme": SCHEME,
        "tag": _TAG_NAMES[att.tag], "chain_id": str(att.chain_id),
        "registry": f"0x{att.registry:040x}", "subject": f"0x{att.subject:040x}",
        "commitment": str(att.commitment), "as_of": str(att.as_of),
        "attester": _point_json(att.attester),
        "signature": {"r8x": str(att.signature.r8x), "r8y": str(att.signature.r8y),
                      "s": str(att.signature.s)},
    }


_ATT_KEYS = {"kind", "version", "scheme", "tag", "chain_id", "registry", "subject",
             "commitment", "as_of", "attester", "signature"}


def load_attestation(path: str | Path) -> Attestation:
    """Parse an attestation file strictly. The signature is NOT checked here (see
    Attestation.verify): a parsed file may still be invalid."""
    src = str(path)
    obj = read_object(path, _ATT_KEYS, _ATT_KEYS)
    _header(obj, src, ATTESTATION_KIND)
    if not isinstance(obj["tag"], str) or obj["tag"] not in TAGS:
        raise InputFileError(src, "field 'tag'", "expected \"position\" or \"reserve\"")
    sig = obj["signature"]
    if not isinstance(sig, dict) or set(sig) != {"r8x", "r8y", "s"}:
        raise InputFileError(src, "field 'signature'", "expected {\"r8x\", \"r8y\", \"s\"}")
    attester = _point(obj["attester"], src, "field 'attester'")
    return Attestation(
        TAGS[obj["tag"]],
        parse_int(obj["chain_id"], src, "field 'chain_id'", 64),
        parse_address(obj["registry"], src, "field 'registry'"),
        parse_address(obj["subject"], src, "field 'subject'"),
        _field(obj["commitment"], src, "field 'commitment'"),
        parse_int(obj["as_of"], src, "field 'as_of'", 64),
        attester,
        eddsa.Signature(_field(sig["r8x"], src, "signature.r8x"),
                        _field(sig["r8y"], src, "signature.r8y"),
                        _field(sig["s"], src, "signature.s")))


def sign(key: AttesterKey, tag: str, chain_id: int, registry: int, subject: int,
         commitment: int, as_of: int) -> Attestation:
    """Sign an attestation (tag "position" or "reserve")."""
    if tag not in TAGS:
        raise InputFileError("--tag", "value", "expected position or reserve")
    return sign_attestation(key.secret, TAGS[tag], chain_id, registry, subject, commitment,
                            as_of)


def check(att: Attestation, attester: bj.Point | None = None,
          expect: dict[str, int] | None = None) -> tuple[bool, str]:
    """(valid, reason): the signature, then the expected attester and field values."""
    if not att.verify():
        return False, "signature is not valid for these fields and attester key " \
                      "(or the key/signature points are not acceptable)"
    if attester is not None and tuple(attester) != tuple(att.attester):
        return False, "signed by another attester than the expected public key"
    for name, value in (expect or {}).items():
        if getattr(att, name) != value:
            return False, f"field '{name}' differs from the expected value"
    return True, (f"{_TAG_NAMES[att.tag]} attestation for subject 0x{att.subject:040x} "
                  f"as of {att.as_of}, signed by ({att.attester[0]}, {att.attester[1]})")
