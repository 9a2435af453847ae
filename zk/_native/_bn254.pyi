"""The C extension's functions (zk/_native/module.c); only zk.backend calls them.

Bytes-like in, bytes out. Scalars are 32-byte little-endian words < r, G1 points 64
bytes, G2 points 128 bytes (zk.curve encodings; infinity all zeros); "LEM" points are
the Montgomery form snarkjs stores. Bad input raises zk.errors.MalformedInput naming
the offending index. ``threads`` 0 (or omitted) means ZK_THREADS or all cores; the GIL
is released around every heavy loop.
"""
from collections.abc import Sequence

Buffer = bytes | bytearray | memoryview

Matrix = tuple[bytes, bytes, bytes]

def msm_g1(points: Buffer, scalars: Buffer, threads: int = 0) -> bytes:
    """sum_i scalars[i] * points[i] in G1 (Pippenger)."""
def msm_g2(points: Buffer, scalars: Buffer, threads: int = 0) -> bytes:
    """sum_i scalars[i] * points[i] in G2."""
def batch_mul_g1(base: Buffer, scalars: Buffer, threads: int = 0) -> bytes:
    """[s * base for s in scalars] (fixed-base windows), affine G1 points."""
def batch_mul_g2(base: Buffer, scalars: Buffer, threads: int = 0) -> bytes:
    """[s * base for s in scalars], affine G2 points."""
def g1_sub_many(a: Buffer, b: Buffer, threads: int = 0) -> bytes:
    """[a[i] - b[i]] over two equal-length G1 point buffers (batch-affine)."""
def sparse_msm_g1(acc: Buffer, points: Buffer, rows: Buffer, cols: Buffer, coeffs: Buffer,
                  threads: int = 0) -> bytes:
    """acc[c] + sum over entries (r, c, v) of v * points[r] (G1): one small MSM per column."""
def sparse_msm_g2(acc: Buffer, points: Buffer, rows: Buffer, cols: Buffer, coeffs: Buffer,
                  threads: int = 0) -> bytes:
    """acc[c] + sum over entries (r, c, v) of v * points[r] (G2 points)."""
def scale_g1(points: Buffer, first: Buffer, step: Buffer, threads: int = 0) -> bytes:
    """[(first * step^i) * points[i]] (first, step: 32-byte words < r); on-curve checked."""
def scale_g2(points: Buffer, first: Buffer, step: Buffer, threads: int = 0) -> bytes:
    """[(first * step^i) * points[i]] for G2 points (on the twist)."""
def ntt(values: Buffer, inverse: bool, shift: Buffer, threads: int = 0) -> bytes:
    """Radix-2 NTT on the coset shift * <w> (forward: coefficients -> evaluations)."""
def coset_quotient(a: Buffer, b: Buffer, shift: Buffer, threads: int = 0) -> bytes:
    """Groth16 quotient: a', b', (ab)' moved to the coset shift * <w>, then a'b' - (ab)'."""
def fr_mul_sub(a: Buffer, b: Buffer, c: Buffer) -> bytes:
    """Element-wise a * b - c mod r."""
def sparse_matvec(n_rows: int, rows: Buffer, cols: Buffer, coeffs: Buffer,
                  witness: Buffer) -> bytes:
    """y[rows[k]] += coeffs[k] * witness[cols[k]] (rows, cols u32 LE)."""
def check_g1(points: Buffer, allow_infinity: bool, threads: int = 0) -> int:
    """Index of the first invalid G1 point, or -1."""
def check_g2(points: Buffer, allow_infinity: bool, threads: int = 0) -> int:
    """Index of the first invalid G2 point (twist and r-torsion subgroup), or -1."""
def pairing_check(g1: Buffer, g2: Buffer) -> bool:
    """prod_i e(g1[i], g2[i]) == 1."""
def default_threads() -> int:
    """Worker threads used when none is given."""
def points_from_lem(data: Buffer, g2: bool, check: bool, threads: int = 0) -> bytes:
    """LEM points -> canonical; coordinates < q, on-curve when check."""
def points_to_lem(data: Buffer, g2: bool, threads: int = 0) -> bytes:
    """Canonical points -> LEM."""
def zkey_coefs_split(entries: Buffer, domain: int, nvars: int) -> tuple[Matrix, Matrix]:
    """.zkey section-4 entries (44 bytes each) -> the sparse A and B matrices."""
def zkey_coefs_join(a_rows: Buffer, a_cols: Buffer, a_coeffs: Buffer, b_rows: Buffer,
                    b_cols: Buffer, b_coeffs: Buffer) -> bytes:
    """The inverse of zkey_coefs_split."""
def fr_first_unreduced(words: Buffer) -> int:
    """Index of the first 32-byte word >= r, or -1."""
def fr_pack(values: Sequence[int]) -> bytes | None:
    """Ints as 32-byte words; None if one is not an exact int in [0, r)."""
def fr_unpack(words: Buffer) -> list[int]:
    """32-byte words as ints (no range check)."""
def lc_rows_encode(constraints: list, zkey: bool) -> bytes | None:
    """R1CS rows as .r1cs section 2 (zkey false) or .zkey section-4 entries of A and B
    (zkey true, coefficients * 2^512 mod r), dict order; None on unusual objects."""
def pack_lcs(constraints: list, m: int) -> Matrix | None:
    """Matrix m of R1CS rows ({wire: coeff} dicts) as sorted sparse arrays, or None."""
def witness_solve(program: list, w: list, start: int) -> int:
    """Replays witness steps (arithmetic and declarative hints) from start, in place;
    index of the first step left to Python."""
def witness_solve_check(program: list, constraints: list, w: list) -> tuple[int, int]:
    """witness_solve from 0, then (if every step ran) r1cs_rows_check from 0 in the same
    state: (steps done, first row not shown to hold); rows a "mul" step implies are
    not re-evaluated."""
def r1cs_rows_check(constraints: list, w: list, start: int) -> int:
    """Index of the first row not shown to hold (Python re-checks from there)."""
def lc_table_pack(lcs: list) -> tuple[bytes, bytes] | None:
    """{wire: coeff} dicts as a coefficient pool and a (count, wire, pool index) table."""
def lc_table_unpack(pool: Buffer, table: Buffer, n: int, num_wires: int) -> list:
    """The n dicts of an LC table; ValueError on any inconsistency."""
def r1cs_constraints(section: Buffer, n_constraints: int, n_wires: int,
                     base: int = 0) -> list[tuple[dict[int, int], dict[int, int], dict[int, int]]]:
    """.r1cs section 2 -> rows of {wire: coeff}; errors name "offset base + N"."""
def poseidon_rows(r_f: int, r_p: int, constants: Buffer, mds: Buffer,
                  inputs: Buffer) -> bytes:
    """Poseidon of each (t-1)-word row of inputs; t from the t*t-word MDS matrix."""
