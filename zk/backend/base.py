"""The curve-math interface every backend implements (bytes in, bytes out).

All encodings are the canonical little-endian ones of :mod:`zk.curve` and
:mod:`zk.field`: scalars are 32-byte words < r, G1 points 64 bytes, G2 points
128 bytes, the point at infinity all zeros. Callers never see backend-internal
representations (py-ecc objects, Montgomery limbs), so backends are swappable.
Errors are raised as :class:`zk.errors.MalformedInput` naming the offending index.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

Matrix = tuple[bytes, bytes, bytes]  # rows (u32 LE), cols (u32 LE), coeffs (32-byte LE)


class Backend(ABC):
    """Hot kernels of Groth16 over BN254."""

    name: str = "abstract"

    # --- multi-scalar multiplication (Pippenger) -------------------------------
    @abstractmethod
    def msm_g1(self, points: bytes, scalars: bytes) -> bytes:
        """sum_i scalars[i] * points[i] in G1; n = len(scalars)//32 = len(points)//64."""

    @abstractmethod
    def msm_g2(self, points: bytes, scalars: bytes) -> bytes:
        """sum_i scalars[i] * points[i] in G2 (points 128 bytes each)."""

    # --- fixed-base batch multiplication (setup) -------------------------------
    @abstractmethod
    def batch_mul_g1(self, base: bytes, scalars: bytes) -> bytes:
        """[s * base for s in scalars] as consecutive 64-byte affine points."""

    @abstractmethod
    def batch_mul_g2(self, base: bytes, scalars: bytes) -> bytes:
        """[s * base for s in scalars] as consecutive 128-byte affine points."""

    # --- number-theoretic transform over Fr --------------------------------------
    @abstractmethod
    def ntt(self, values: bytes, inverse: bool = False, shift: int = 1) -> bytes:
        """Radix-2 NTT of n = len(values)//32 words (n a power of two <= 2^28).

        Forward: input coefficients c_i, output evaluations at shift * w^j, i.e.
        NTT(c_i * shift^i). Inverse: input evaluations at shift * w^j, output the
        coefficients (inverse NTT followed by multiplication with shift^-i).
        """

    @abstractmethod
    def coset_quotient(self, a: bytes, b: bytes, shift: int) -> bytes:
        """Groth16 quotient: with c = a * b row-wise, the evaluations of a, b, c moved
        from the domain <w> to the coset shift * <w>, then a' * b' - c' there.

        Equals fr_mul_sub(*(ntt(ntt(v, inverse=True), shift=shift) for v in (a, b, c))).
        """

    @abstractmethod
    def fr_mul_sub(self, a: bytes, b: bytes, c: bytes) -> bytes:
        """Element-wise a_i * b_i - c_i mod r."""

    @abstractmethod
    def sparse_matvec(self, n_rows: int, rows: bytes, cols: bytes, coeffs: bytes,
                      witness: bytes) -> bytes:
        """y[row] += coeff * witness[col] for each entry; returns n_rows words.

        rows and cols are little-endian uint32 arrays, coeffs 32-byte words.
        """

    # --- constraint systems --------------------------------------------------------
    @abstractmethod
    def pack_matrix(self, constraints: list, m: int) -> tuple[bytes, bytes, bytes]:
        """Matrix m (0 = A, 1 = B, 2 = C) of R1CS rows [(a, b, c) LC dicts] as sorted
        (rows, wires, coeffs) triples, exactly as :func:`zk.r1cs.pack_matrix` specifies."""

    @abstractmethod
    def pack_lc_table(self, lcs: list) -> tuple[bytes, bytes] | None:
        """{wire: coeff} dicts as (pool, table), as :func:`zk.lc_table.pack_lc_table`."""

    @abstractmethod
    def unpack_lc_table(self, pool: bytes, table: bytes, n: int, num_wires: int) -> list:
        """The dicts of an LC table, as :func:`zk.lc_table.unpack_lc_table` (which
        raises MalformedInput on any inconsistency)."""

    @abstractmethod
    def solve_steps(self, program: list, w: list, start: int) -> int:
        """Replay witness-solver steps from ``start`` in place over the list w, as
        :func:`zk.witness.run_program` specifies; returns the index of the first step
        left to that Python specification (len(program) when all are done)."""

    @abstractmethod
    def solve_and_check(self, program: list, constraints: list, w: list) -> tuple[int, int]:
        """solve_steps(program, w, 0), then, if every step was done, check_rows from 0
        over the values just computed: (steps done, first row not shown to hold);
        (steps done, 0) when some step is left to Python."""

    @abstractmethod
    def check_rows(self, constraints: list, w: list, start: int) -> int:
        """Index of the first R1CS row from ``start`` not shown to hold under w (rows
        it cannot evaluate count as not shown; :meth:`zk.r1cs.R1CS.check` decides)."""

    # --- checks and pairing ------------------------------------------------------
    @abstractmethod
    def check_g1(self, points: bytes, allow_infinity: bool) -> int:
        """Index of the first point that is not a canonical G1 point, or -1."""

    @abstractmethod
    def check_g2(self, points: bytes, allow_infinity: bool) -> int:
        """Index of the first point not canonical, on the twist and in the r-subgroup, or -1."""

    @abstractmethod
    def pairing_check(self, g1: bytes, g2: bytes) -> bool:
        """True iff prod_i e(g1[i], g2[i]) == 1 (k = len(g1)//64 = len(g2)//128 pairs)."""

    # --- batched scaling (ceremony contributions) --------------------------------
    @abstractmethod
    def scale_g1(self, points: bytes, first: int, step: int = 1) -> bytes:
        """[(first * step^i) * points[i]]: many G1 points by a power sequence.

        Points must be canonical and on the curve (infinity stays infinity).
        """

    @abstractmethod
    def scale_g2(self, points: bytes, first: int, step: int = 1) -> bytes:
        """[(first * step^i) * points[i]] for G2 points (on the twist)."""

    # --- element-wise point arithmetic ----------------------------------------------
    @abstractmethod
    def g1_sub_many(self, a: bytes, b: bytes) -> bytes:
        """[a[i] - b[i]] over two equal-length buffers of G1 points (infinity allowed).

        Every point is checked (coordinates < q, on the curve); MalformedInput names
        the operand (a or b) and the index of the first bad one.
        """

    @abstractmethod
    def sparse_msm_g1(self, acc: bytes, points: bytes, matrix: Matrix) -> bytes:
        """acc[c] + sum over the matrix entries (r, c, v) of v * points[r], for every c:
        one small MSM per column at once (len(acc)//64 columns).

        Points are checked like check_g1's (infinity allowed); an entry whose row or
        column is out of range, or whose coefficient is not < r, raises MalformedInput.
        """

    @abstractmethod
    def sparse_msm_g2(self, acc: bytes, points: bytes, matrix: Matrix) -> bytes:
        """sparse_msm_g1 for G2 points (128 bytes each, checked on the twist)."""

    # --- whole-buffer format conversions -----------------------------------------
    @abstractmethod
    def points_from_lem(self, data: bytes, g2: bool, check: bool = True) -> bytes:
        """snarkjs LEM points (Montgomery coordinates) -> canonical encoding.

        Coordinates are checked < q; with check, each point is checked on the curve
        (G2: on the twist). Infinity (zeros) stays zeros.
        """

    @abstractmethod
    def points_to_lem(self, data: bytes, g2: bool) -> bytes:
        """Canonical points -> snarkjs LEM (coordinates checked < q)."""

    @abstractmethod
    def zkey_coefs_split(self, entries: bytes, domain: int, nvars: int) -> tuple[Matrix, Matrix]:
        """.zkey section-4 entries (44 bytes: u32 matrix, row, wire, c * 2^512 mod r)
        -> the sparse A and B matrices, checking matrix <= 1, row < domain,
        wire < nvars and value < r."""

    @abstractmethod
    def zkey_coefs_join(self, a: Matrix, b: Matrix) -> bytes:
        """The inverse of zkey_coefs_split (A's entries first, then B's)."""

    # --- scalar vectors --------------------------------------------------------------
    @abstractmethod
    def fr_first_unreduced(self, words: bytes) -> int:
        """Index of the first 32-byte word that is not < r, or -1."""

    @abstractmethod
    def fr_pack(self, values: Sequence[int]) -> bytes:
        """Field elements as 32-byte words; a value that is not an int in [0, r) raises."""

    @abstractmethod
    def fr_unpack(self, words: bytes) -> list[int]:
        """32-byte words as ints (no range check: see fr_first_unreduced)."""

    @abstractmethod
    def r1cs_encode(self, constraints: list) -> bytes:
        """R1CS rows [(a, b, c) {wire: coeff} dicts] as a .r1cs constraint section: per
        row, for A, B and C, u32 count then (u32 wire, 32-byte coefficient mod r), terms
        in dict order (the inverse of r1cs_constraints)."""

    @abstractmethod
    def zkey_coef_entries(self, constraints: list) -> bytes:
        """The .zkey section-4 entries of R1CS rows, as ``snarkjs zkey new`` orders
        them: row by row, A's terms then B's in dict order, each u32 matrix, u32 row,
        u32 wire, coefficient * 2^512 mod r (no count, no public-input rows)."""

    @abstractmethod
    def r1cs_constraints(self, section: bytes, num_constraints: int, num_wires: int,
                         base: int = 0) -> list[tuple[dict, dict, dict]]:
        """A .r1cs constraint section as rows of {wire: coeff} dicts (A, B, C).

        Refuses, with MalformedInput "offset <base + N>: ...", a truncated list, a wire
        >= num_wires, a wire repeated in one combination, a coefficient >= r and
        trailing bytes.
        """

    # --- hashing ---------------------------------------------------------------------
    @abstractmethod
    def poseidon_rows(self, constants: bytes, mds: bytes, full_rounds: int,
                      partial_rounds: int, inputs: bytes) -> bytes:
        """circomlib's Poseidon permutation hash of each row of ``inputs``.

        The caller gives the parameters of one width t as 32-byte words: the round
        constants ((full + partial rounds) * t) and the MDS matrix (t * t, row-major).
        ``inputs`` holds whole rows of t - 1 canonical words; a word >= r raises
        MalformedInput naming its index. Returns state[0] of each row, one word each.
        """
