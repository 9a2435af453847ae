"""Ceremony tests reuse the iden3 fixtures (snarkjs, circom2, cached ptau)."""
from tests.formats.conftest import circuits, fast, ptau_path, ref  # noqa: F401
