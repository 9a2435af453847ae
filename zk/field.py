"""BN254 (alt_bn128) field constants and small scalar-field helpers."""
from __future__ import annotations

#: Order of the scalar field Fr (the circuit field), 2-adicity 28.
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
#: Modulus of the base field Fq (curve coordinates).
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
#: Two-adicity of R - 1.
TWO_ADICITY = 28
#: Multiplicative generator of Fr* (as used by arkworks and snarkjs).
GENERATOR = 5
#: Primitive 2^28-th root of unity: GENERATOR^((R-1) / 2^28).
ROOT_OF_UNITY = pow(GENERATOR, (R - 1) >> TWO_ADICITY, R)

FR_BYTES = 32


def inv(x: int) -> int:
    """Inverse of x in Fr; raises ZeroDivisionError for 0."""
    x %= R
    if x == 0:
        raise ZeroDivisionError("inverse of zero in Fr")
    return pow(x, R - 2, R)


def root_of_unity(n: int) -> int:
    """Primitive n-th root of unity in Fr for n a power of two up to 2^28."""
    if n <= 0 or n & (n - 1) or n > 1 << TWO_ADICITY:
        raise ValueError(f"domain size {n} is not a power of two <= 2^28")
    return pow(ROOT_OF_UNITY, (1 << TWO_ADICITY) // n, R)


def to_signed(x: int) -> int:
    """Representative of x in (-R/2, R/2], for human-readable coefficients."""
    x %= R
    return x - R if x > R // 2 else x


def scalars_to_bytes(values) -> bytes:
    """Pack canonical Fr values as consecutive 32-byte little-endian words."""
    return b"".join(int(v).to_bytes(32, "little") for v in values)


def bytes_to_scalars(data: bytes) -> list[int]:
    """Unpack consecutive 32-byte little-endian words."""
    return [int.from_bytes(data[i:i + 32], "little") for i in range(0, len(data), 32)]
