"""Reference backend: pure Python on py-ecc (EVM-compatible, slow, the oracle)."""
from __future__ import annotations

from collections.abc import Sequence

from py_ecc import optimized_bn128 as ob

from zk import curve
from zk.backend import ref_convert, ref_points, ref_scale
from zk.backend.base import Backend, Matrix
from zk.errors import MalformedInput
from zk.field import R, bytes_to_scalars, inv, root_of_unity, scalars_to_bytes


def _window_bits(n: int) -> int:
    """Pippenger window: about log2(n) - 2, at least 2."""
    return max(2, min(16, n.bit_length() - 2))


def pippenger(points: list, scalars: list[int], zero):
    """Bucket-method MSM over py-ecc points (any group with add/double)."""
    if not points:
        return zero
    c = _window_bits(len(points))
    nwin = (254 + c - 1) // c
    mask = (1 << c) - 1
    acc = zero
    for w in reversed(range(nwin)):
        for _ in range(c):
            acc = ob.double(acc)
        buckets = [zero] * (1 << c)
        shift = w * c
        for p, s in zip(points, scalars):
            d = (s >> shift) & mask
            if d:
                buckets[d] = ob.add(buckets[d], p)
        running, total = zero, zero
        for d in range(mask, 0, -1):
            running = ob.add(running, buckets[d])
            total = ob.add(total, running)
        acc = ob.add(acc, total)
    return acc


def _check_scalars(scalars: list[int]) -> None:
    for i, s in enumerate(scalars):
        if s >= R:
            raise MalformedInput(f"scalar #{i} is not reduced mod r")


def _ntt_in_place(a: list[int], w: int) -> None:
    """Iterative radix-2 Cooley-Tukey NTT with root w (len(a) a power of two)."""
    n = len(a)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            a[i], a[j] = a[j], a[i]
    length = 2
    while length <= n:
        wl = pow(w, n // length, R)
        half = length // 2
        ws = [1] * half
        for k in range(1, half):
            ws[k] = ws[k - 1] * wl % R
        for start in range(0, n, length):
            for k in range(half):
                u = a[start + k]
                v = a[start + k + half] * ws[k] % R
                a[start + k] = (u + v) % R
                a[start + k + half] = (u - v) % R
        length <<= 1


class ReferenceBackend(Backend):
    """Every kernel in pure Python over py-ecc's optimized BN254."""

    name = "reference"

    def _points(self, data: bytes, size: int, decode) -> list:
        return [decode(data[i:i + size]) for i in range(0, len(data), size)]

    def _msm(self, points: bytes, scalars: bytes, size: int, decode, encode, zero) -> bytes:
        ss = bytes_to_scalars(scalars)
        if len(points) != len(ss) * size:
            raise MalformedInput(f"msm: {len(points) // size} points for {len(ss)} scalars")
        _check_scalars(ss)
        return encode(pippenger(self._points(points, size, decode), ss, zero))

    def msm_g1(self, points: bytes, scalars: bytes) -> bytes:
        return self._msm(points, scalars, 64, curve.g1_to_py, curve.g1_from_py, ob.Z1)

    def msm_g2(self, points: bytes, scalars: bytes) -> bytes:
        return self._msm(points, scalars, 128, curve.g2_to_py, curve.g2_from_py, ob.Z2)

    def batch_mul_g1(self, base: bytes, scalars: bytes) -> bytes:
        b = curve.g1_to_py(base)
        ss = bytes_to_scalars(scalars)
        _check_scalars(ss)
        return b"".join(curve.g1_from_py(ob.multiply(b, s)) for s in ss)

    def batch_mul_g2(self, base: bytes, scalars: bytes) -> bytes:
        b = curve.g2_to_py(base)
        ss = bytes_to_scalars(scalars)
        _check_scalars(ss)
        return b"".join(curve.g2_from_py(ob.multiply(b, s)) for s in ss)

    def ntt(self, values: bytes, inverse: bool = False, shift: int = 1) -> bytes:
        a = bytes_to_scalars(values)
        n = len(a)
        if n == 0:
            return b""
        _check_scalars(a)
        w = root_of_unity(n)
        if not inverse:
            if shift != 1:
                g = 1
                for i in range(n):
                    a[i] = a[i] * g % R
                    g = g * shift % R
            _ntt_in_place(a, w)
            return scalars_to_bytes(a)
        _ntt_in_place(a, inv(w))
        n_inv = inv(n)
        g, ginv = n_inv, inv(shift)
        for i in range(n):
            a[i] = a[i] * g % R
            g = g * ginv % R
        return scalars_to_bytes(a)

    def coset_quotient(self, a: bytes, b: bytes, shift: int) -> bytes:
        c = self.fr_mul_sub(a, b, bytes(len(a)))
        odd = [self.ntt(self.ntt(v, inverse=True), shift=shift) for v in (a, b, c)]
        return self.fr_mul_sub(*odd)

    def fr_mul_sub(self, a: bytes, b: bytes, c: bytes) -> bytes:
        xs, ys, zs = bytes_to_scalars(a), bytes_to_scalars(b), bytes_to_scalars(c)
        return scalars_to_bytes((x * y - z) % R for x, y, z in zip(xs, ys, zs))

    def sparse_matvec(self, n_rows: int, rows: bytes, cols: bytes, coeffs: bytes,
                      witness: bytes) -> bytes:
        z = bytes_to_scalars(witness)
        y = [0] * n_rows
        rs = memoryview(rows).cast("I")
        cs = memoryview(cols).cast("I")
        cf = bytes_to_scalars(coeffs)
        for i in range(len(rs)):
            if rs[i] >= n_rows or cs[i] >= len(z):
                raise MalformedInput(f"sparse_matvec: entry #{i} is out of range")
            y[rs[i]] += cf[i] * z[cs[i]]
        return scalars_to_bytes(v % R for v in y)

    def pack_matrix(self, constraints: list, m: int) -> tuple[bytes, bytes, bytes]:
        from zk.r1cs import pack_matrix
        return pack_matrix(constraints, m)

    def r1cs_encode(self, constraints: list) -> bytes:
        return ref_convert.r1cs_encode(constraints)

    def zkey_coef_entries(self, constraints: list) -> bytes:
        return ref_convert.zkey_coef_entries(constraints)

    def pack_lc_table(self, lcs: list) -> tuple[bytes, bytes] | None:
        from zk.lc_table import pack_lc_table
        return pack_lc_table(lcs)

    def unpack_lc_table(self, pool: bytes, table: bytes, n: int, num_wires: int) -> list:
        from zk.lc_table import unpack_lc_table
        return unpack_lc_table(pool, table, n, num_wires)

    def solve_steps(self, program: list, w: list, start: int) -> int:
        return start  # the Python specification in zk.witness runs every step

    def solve_and_check(self, program: list, constraints: list, w: list) -> tuple[int, int]:
        return 0, 0  # zk.witness and zk.r1cs run every step and row in Python

    def check_rows(self, constraints: list, w: list, start: int) -> int:
        return start  # zk.r1cs.R1CS.check evaluates every row in Python

    def check_g1(self, points: bytes, allow_infinity: bool) -> int:
        for i in range(0, len(points), 64):
            try:
                curve.check_g1(points[i:i + 64], "point", allow_infinity)
            except MalformedInput:
                return i // 64
        return -1

    def check_g2(self, points: bytes, allow_infinity: bool) -> int:
        for i in range(0, len(points), 128):
            try:
                curve.check_g2(points[i:i + 128], "point", allow_infinity)
            except MalformedInput:
                return i // 128
        return -1

    def pairing_check(self, g1: bytes, g2: bytes) -> bool:
        acc = ob.FQ12.one()
        for i in range(len(g1) // 64):
            p = curve.g1_to_py(g1[64 * i:64 * i + 64])
            q = curve.g2_to_py(g2[128 * i:128 * i + 128])
            if ob.is_inf(p) or ob.is_inf(q):
                continue
            acc = acc * ob.pairing(q, p, final_exponentiate=False)
        return ob.final_exponentiate(acc) == ob.FQ12.one()

    def scale_g1(self, points: bytes, first: int, step: int = 1) -> bytes:
        return ref_scale.scale_g1(points, first, step)

    def scale_g2(self, points: bytes, first: int, step: int = 1) -> bytes:
        return ref_convert.scale(points, first, step, g2=True)

    def g1_sub_many(self, a: bytes, b: bytes) -> bytes:
        return ref_points.g1_sub_many(a, b)

    def sparse_msm_g1(self, acc: bytes, points: bytes, matrix: Matrix) -> bytes:
        return ref_points.sparse_msm(acc, points, matrix, g2=False)

    def sparse_msm_g2(self, acc: bytes, points: bytes, matrix: Matrix) -> bytes:
        return ref_points.sparse_msm(acc, points, matrix, g2=True)

    def points_from_lem(self, data: bytes, g2: bool, check: bool = True) -> bytes:
        return ref_convert.convert_points(data, g2, to_lem=False, check=check)

    def points_to_lem(self, data: bytes, g2: bool) -> bytes:
        return ref_convert.convert_points(data, g2, to_lem=True, check=False)

    def zkey_coefs_split(self, entries: bytes, domain: int, nvars: int) -> tuple[Matrix, Matrix]:
        return ref_convert.zkey_coefs_split(entries, domain, nvars)

    def zkey_coefs_join(self, a: Matrix, b: Matrix) -> bytes:
        return ref_convert.zkey_coefs_join(a, b)

    def fr_first_unreduced(self, words: bytes) -> int:
        for i, v in enumerate(bytes_to_scalars(words)):
            if v >= R:
                return i
        return len(words) // 32 if len(words) % 32 else -1

    def fr_pack(self, values: Sequence[int]) -> bytes:
        for i, v in enumerate(values):
            if type(v) is not int or not 0 <= v < R:
                raise MalformedInput(f"value #{i} is not a field element (0 <= x < r)")
        return scalars_to_bytes(values)

    def fr_unpack(self, words: bytes) -> list[int]:
        if len(words) % 32:
            raise MalformedInput(f"fr_unpack: {len(words)} bytes is not a whole number of words")
        return bytes_to_scalars(words)

    def r1cs_constraints(self, section: bytes, num_constraints: int, num_wires: int,
                         base: int = 0) -> list[tuple[dict, dict, dict]]:
        return ref_convert.r1cs_constraints(section, num_constraints, num_wires, base)

    def poseidon_rows(self, constants: bytes, mds: bytes, full_rounds: int,
                      partial_rounds: int, inputs: bytes) -> bytes:
        t = next((t for t in range(2, 18) if 32 * t * t == len(mds)), 0)
        rounds = full_rounds + partial_rounds
        if not t or full_rounds < 2 or full_rounds % 2 or partial_rounds < 0 or \
                len(constants) != 32 * rounds * t:
            raise MalformedInput(f"poseidon_rows: {len(mds)} MDS and {len(constants)} "
                                 "constant bytes fit no width <= 17")
        if len(inputs) % (32 * (t - 1)):
            raise MalformedInput(f"poseidon_rows: {len(inputs)} input bytes are not whole "
                                 f"rows of {t - 1} words")
        rc, m = bytes_to_scalars(constants), bytes_to_scalars(mds)
        if max(rc + m) >= R:
            raise MalformedInput("poseidon_rows: invalid argument")
        values = bytes_to_scalars(inputs)
        bad = next((i for i, v in enumerate(values) if v >= R), -1)
        if bad >= 0:
            raise MalformedInput(f"poseidon_rows: scalar #{bad} is not reduced mod r")
        rows = [m[i * t:(i + 1) * t] for i in range(t)]
        out = []
        for k in range(0, len(values), t - 1):
            state = [0, *values[k:k + t - 1]]
            for rnd in range(rounds):
                state = [(s + rc[rnd * t + i]) % R for i, s in enumerate(state)]
                full = rnd < full_rounds // 2 or rnd >= full_rounds // 2 + partial_rounds
                state = [pow(s, 5, R) if full or i == 0 else s for i, s in enumerate(state)]
                state = [sum(a * s for a, s in zip(row, state)) % R for row in rows]
            out.append(state[0])
        return scalars_to_bytes(out)
