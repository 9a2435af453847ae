"""Pure-Python (plain integers, py-ecc) format conversions and point scaling.

The reference twins of the native kernels in ``zk/_native/convert.c`` and
``group_scale_tmpl.h``; :class:`zk.backend.reference.ReferenceBackend` exposes them.
LEM points are affine coordinates in Montgomery form (x * 2^256 mod q), as snarkjs
stores them; .zkey matrix coefficients are c * 2^512 mod r.
"""
from __future__ import annotations

from py_ecc import optimized_bn128 as ob

from zk import curve
from zk.errors import MalformedInput
from zk.field import Q, R

MONT = pow(2, 256, Q)
MONT_INV = pow(MONT, -1, Q)
COEF = pow(2, 512, R)
COEF_INV = pow(COEF, -1, R)
_B2 = tuple(int(c) for c in curve.B2.coeffs)


def on_curve(c: list[int]) -> bool:
    if len(c) == 2:
        x, y = c
        return (y * y - x * x * x - 3) % Q == 0
    x0, x1, y0, y1 = c
    xx = ((x0 * x0 - x1 * x1) % Q, 2 * x0 * x1 % Q)
    xxx = ((xx[0] * x0 - xx[1] * x1) % Q, (xx[0] * x1 + xx[1] * x0) % Q)
    yy = ((y0 * y0 - y1 * y1) % Q, 2 * y0 * y1 % Q)
    return (yy[0] - xxx[0] - _B2[0]) % Q == 0 and (yy[1] - xxx[1] - _B2[1]) % Q == 0


def convert_points(data: bytes, g2: bool, to_lem: bool, check: bool) -> bytes:
    """LEM <-> canonical, coordinates < q checked, on-curve (from LEM) when check."""
    size = 128 if g2 else 64
    if len(data) % size:
        raise MalformedInput(f"{len(data)} bytes is not a whole number of points")
    factor = MONT if to_lem else MONT_INV
    out = bytearray(len(data))
    zero = bytes(size)
    for i in range(0, len(data), size):
        chunk = data[i:i + size]
        if chunk == zero:
            continue
        cs = [int.from_bytes(chunk[k:k + 32], "little") for k in range(0, size, 32)]
        if any(c >= Q for c in cs):
            raise MalformedInput(f"point #{i // size} has a coordinate >= q")
        cs = [c * factor % Q for c in cs]
        if check and not to_lem and not on_curve(cs):
            raise MalformedInput(f"point #{i // size} is not on the curve")
        out[i:i + size] = b"".join(c.to_bytes(32, "little") for c in cs)
    return bytes(out)


def zkey_coefs_split(entries: bytes, domain: int, nvars: int) -> tuple[tuple, tuple]:
    """.zkey coefficient entries -> the sparse (rows, cols, coeffs) of A and of B."""
    if len(entries) % 44:
        raise MalformedInput(f"{len(entries)} bytes is not a whole number of coefficients")
    mats: tuple[list, list] = ([], [])
    for i in range(len(entries) // 44):
        e = entries[44 * i:44 * i + 44]
        m, row, wire = (int.from_bytes(e[k:k + 4], "little") for k in (0, 4, 8))
        val = int.from_bytes(e[12:], "little")
        if m > 1 or row >= domain or wire >= nvars or val >= R:
            raise MalformedInput(f"coefficient #{i} is out of range")
        mats[m].append((row, wire, val * COEF_INV % R))
    return tuple((b"".join(r.to_bytes(4, "little") for r, _, _ in es),  # type: ignore
                  b"".join(w.to_bytes(4, "little") for _, w, _ in es),
                  b"".join(c.to_bytes(32, "little") for _, _, c in es)) for es in mats)


def zkey_coefs_join(a: tuple[bytes, bytes, bytes], b: tuple[bytes, bytes, bytes]) -> bytes:
    """The inverse of zkey_coefs_split: A's entries, then B's."""
    parts, base = [], 0
    for m, (rows, cols, coeffs) in enumerate((a, b)):
        k = len(rows) // 4
        if len(rows) % 4 or len(cols) != len(rows) or len(coeffs) != 32 * k:
            raise MalformedInput("zkey_coefs_join: row, column and coefficient arrays disagree")
        for i in range(k):
            c = int.from_bytes(coeffs[32 * i:32 * i + 32], "little")
            if c >= R:
                raise MalformedInput(f"coefficient #{base + i} is not reduced mod r")
            parts.append(m.to_bytes(4, "little") + rows[4 * i:4 * i + 4]
                         + cols[4 * i:4 * i + 4] + (c * COEF % R).to_bytes(32, "little"))
        base += k
    return b"".join(parts)


def scale(points: bytes, first: int, step: int, g2: bool) -> bytes:
    """[(first * step^i) * P_i] with py-ecc; points must be canonical and on the curve."""
    size = 128 if g2 else 64
    if len(points) % size:
        raise MalformedInput(f"{len(points)} bytes is not a whole number of points")
    dec, enc = (curve.g2_to_py, curve.g2_from_py) if g2 else (curve.g1_to_py, curve.g1_from_py)
    out, k = [], first % R
    for i in range(0, len(points), size):
        p = points[i:i + size]
        cs = [int.from_bytes(p[j:j + 32], "little") for j in range(0, size, 32)]
        if any(c >= Q for c in cs):
            raise MalformedInput(f"point #{i // size} has a coordinate >= q")
        if any(cs) and not on_curve(cs):
            raise MalformedInput(f"point #{i // size} is not on the curve")
        out.append(enc(ob.multiply(dec(p), k)))
        k = k * step % R
    return b"".join(out)


def _r1cs_lc(data: bytes, pos: int, nwires: int, base: int) -> tuple[dict, int]:
    if pos + 4 > len(data):
        raise MalformedInput(f"offset {base + pos}: constraint list is truncated")
    n = int.from_bytes(data[pos:pos + 4], "little")
    pos += 4
    if pos + 36 * n > len(data):
        raise MalformedInput(f"offset {base + pos}: linear combination of {n} terms runs "
                             "past the section")
    lc: dict[int, int] = {}
    for _ in range(n):
        w = int.from_bytes(data[pos:pos + 4], "little")
        v = int.from_bytes(data[pos + 4:pos + 36], "little")
        if w >= nwires or v >= R or w in lc:
            raise MalformedInput(f"offset {base + pos}: bad term (wire out of range, "
                                 "duplicated or coefficient >= r)")
        lc[w] = v
        pos += 36
    return lc, pos


def r1cs_constraints(data: bytes, ncons: int, nwires: int, base: int = 0) -> list[tuple]:
    """.r1cs section 2 -> rows of (A, B, C) {wire: coeff} dicts, strictly checked."""
    if ncons > len(data) // 12:
        raise MalformedInput(f"offset {base}: constraint count does not fit the section")
    rows, pos = [], 0
    for _ in range(ncons):
        a, pos = _r1cs_lc(data, pos, nwires, base)
        b, pos = _r1cs_lc(data, pos, nwires, base)
        c, pos = _r1cs_lc(data, pos, nwires, base)
        rows.append((a, b, c))
    if pos != len(data):
        raise MalformedInput(f"offset {base + pos}: {len(data) - pos} trailing bytes after "
                             "the constraints")
    return rows


def r1cs_encode(constraints: list) -> bytes:
    """R1CS rows -> .r1cs section 2 (per row and matrix: count, then wire and coefficient
    mod r, in dict order)."""
    parts = []
    for row in constraints:
        for lc in row:
            parts.append(len(lc).to_bytes(4, "little"))
            for w, v in lc.items():
                parts.append(int(w).to_bytes(4, "little") + (int(v) % R).to_bytes(32, "little"))
    return b"".join(parts)


def zkey_coef_entries(constraints: list) -> bytes:
    """R1CS rows -> .zkey section-4 entries of A and B, row by row, as snarkjs orders them."""
    parts = []
    for k, row in enumerate(constraints):
        for m in (0, 1):
            for w, v in row[m].items():
                parts.append(m.to_bytes(4, "little") + k.to_bytes(4, "little")
                             + int(w).to_bytes(4, "little")
                             + (int(v) * COEF % R).to_bytes(32, "little"))
    return b"".join(parts)
