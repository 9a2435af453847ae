"""Native backend: every kernel runs in the C extension ``zk._native._bn254``.

Bytes in, bytes out, in the canonical encodings of :mod:`zk.curve`; the
extension validates its inputs and raises :class:`zk.errors.MalformedInput`
naming the offending index. Importing this module raises ImportError when the
extension is not built (``zk.backend.get_backend`` then falls back, loudly).
"""
from __future__ import annotations

from collections.abc import Sequence

from zk._native import _bn254 as _c
from zk.backend.base import Backend, Matrix
from zk.errors import MalformedInput
from zk.field import R


class NativeBackend(Backend):
    """BN254 kernels in C: Montgomery arithmetic, Pippenger MSM, NTT, pairing."""

    name = "native"

    def __init__(self, threads: int | None = None) -> None:
        """threads: worker count; None uses ZK_THREADS or the number of cores."""
        if threads is not None and threads < 1:
            raise ValueError("threads must be >= 1")
        self.threads = threads or 0  # 0 lets the C core decide

    def msm_g1(self, points: bytes, scalars: bytes) -> bytes:
        return _c.msm_g1(points, scalars, self.threads)

    def msm_g2(self, points: bytes, scalars: bytes) -> bytes:
        return _c.msm_g2(points, scalars, self.threads)

    def batch_mul_g1(self, base: bytes, scalars: bytes) -> bytes:
        return _c.batch_mul_g1(base, scalars, self.threads)

    def batch_mul_g2(self, base: bytes, scalars: bytes) -> bytes:
        return _c.batch_mul_g2(base, scalars, self.threads)

    def ntt(self, values: bytes, inverse: bool = False, shift: int = 1) -> bytes:
        s = int(shift) % R
        if inverse and s == 0:
            raise MalformedInput("ntt: the coset shift must be non-zero mod r")
        return _c.ntt(values, bool(inverse), s.to_bytes(32, "little"), self.threads)

    def fr_mul_sub(self, a: bytes, b: bytes, c: bytes) -> bytes:
        return _c.fr_mul_sub(a, b, c)

    def coset_quotient(self, a: bytes, b: bytes, shift: int) -> bytes:
        s = int(shift) % R
        return _c.coset_quotient(a, b, s.to_bytes(32, "little"), self.threads)

    def sparse_matvec(self, n_rows: int, rows: bytes, cols: bytes, coeffs: bytes,
                      witness: bytes) -> bytes:
        return _c.sparse_matvec(n_rows, rows, cols, coeffs, witness)

    def pack_matrix(self, constraints: list, m: int) -> tuple[bytes, bytes, bytes]:
        packed = _c.pack_lcs(constraints, m) if type(constraints) is list else None
        if packed is None:  # unusual objects: the Python specification handles them
            from zk.r1cs import pack_matrix
            return pack_matrix(constraints, m)
        return packed

    def r1cs_encode(self, constraints: list) -> bytes:
        out = _c.lc_rows_encode(constraints, False) if type(constraints) is list else None
        if out is None:  # unusual objects: the Python specification handles them
            from zk.backend import ref_convert
            return ref_convert.r1cs_encode(constraints)
        return out

    def zkey_coef_entries(self, constraints: list) -> bytes:
        out = _c.lc_rows_encode(constraints, True) if type(constraints) is list else None
        if out is None:
            from zk.backend import ref_convert
            return ref_convert.zkey_coef_entries(constraints)
        return out

    def pack_lc_table(self, lcs: list) -> tuple[bytes, bytes] | None:
        return _c.lc_table_pack(lcs) if type(lcs) is list else None

    def unpack_lc_table(self, pool: bytes, table: bytes, n: int, num_wires: int) -> list:
        try:
            return _c.lc_table_unpack(pool, table, n, num_wires)
        except ValueError as exc:
            raise MalformedInput(str(exc)) from None

    def solve_steps(self, program: list, w: list, start: int) -> int:
        if type(program) is not list or type(w) is not list:
            return start
        return _c.witness_solve(program, w, start)

    def solve_and_check(self, program: list, constraints: list, w: list) -> tuple[int, int]:
        if type(program) is not list or type(constraints) is not list or type(w) is not list:
            return 0, 0
        return _c.witness_solve_check(program, constraints, w)

    def check_rows(self, constraints: list, w: list, start: int) -> int:
        if type(constraints) is not list or type(w) is not list:
            return start
        return _c.r1cs_rows_check(constraints, w, start)

    def check_g1(self, points: bytes, allow_infinity: bool) -> int:
        return _c.check_g1(points, bool(allow_infinity), self.threads)

    def check_g2(self, points: bytes, allow_infinity: bool) -> int:
        return _c.check_g2(points, bool(allow_infinity), self.threads)

    def pairing_check(self, g1: bytes, g2: bytes) -> bool:
        return _c.pairing_check(g1, g2)

    def scale_g1(self, points: bytes, first: int, step: int = 1) -> bytes:
        return _c.scale_g1(points, _word(first), _word(step), self.threads)

    def scale_g2(self, points: bytes, first: int, step: int = 1) -> bytes:
        return _c.scale_g2(points, _word(first), _word(step), self.threads)

    def g1_sub_many(self, a: bytes, b: bytes) -> bytes:
        return _c.g1_sub_many(a, b, self.threads)

    def sparse_msm_g1(self, acc: bytes, points: bytes, matrix: Matrix) -> bytes:
        return _c.sparse_msm_g1(acc, points, *matrix, self.threads)

    def sparse_msm_g2(self, acc: bytes, points: bytes, matrix: Matrix) -> bytes:
        return _c.sparse_msm_g2(acc, points, *matrix, self.threads)

    def points_from_lem(self, data: bytes, g2: bool, check: bool = True) -> bytes:
        return _c.points_from_lem(data, bool(g2), bool(check), self.threads)

    def points_to_lem(self, data: bytes, g2: bool) -> bytes:
        return _c.points_to_lem(data, bool(g2), self.threads)

    def zkey_coefs_split(self, entries: bytes, domain: int, nvars: int) -> tuple[Matrix, Matrix]:
        return _c.zkey_coefs_split(entries, domain, nvars)

    def zkey_coefs_join(self, a: Matrix, b: Matrix) -> bytes:
        return _c.zkey_coefs_join(*a, *b)

    def fr_first_unreduced(self, words: bytes) -> int:
        return _c.fr_first_unreduced(words)

    def fr_pack(self, values: Sequence[int]) -> bytes:
        packed = _c.fr_pack(values)
        if packed is None:
            bad = next(i for i, v in enumerate(values)
                       if type(v) is not int or not 0 <= v < R)
            raise MalformedInput(f"value #{bad} is not a field element (0 <= x < r)")
        return packed

    def fr_unpack(self, words: bytes) -> list[int]:
        return _c.fr_unpack(words)

    def r1cs_constraints(self, section: bytes, num_constraints: int, num_wires: int,
                         base: int = 0) -> list[tuple[dict, dict, dict]]:
        return _c.r1cs_constraints(section, num_constraints, num_wires, base)

    def poseidon_rows(self, constants: bytes, mds: bytes, full_rounds: int,
                      partial_rounds: int, inputs: bytes) -> bytes:
        return _c.poseidon_rows(full_rounds, partial_rounds, constants, mds, inputs)


def _word(k: int) -> bytes:
    return (int(k) % R).to_bytes(32, "little")


__all__ = ["NativeBackend"]
