"""circom's .r1cs files <-> zk.r1cs.R1CS.

Sections: 1 header (n8, prime, nWires, nOutputs, nPubInputs, nPrvInputs, nLabels u64,
nConstraints), 2 constraints (per row three linear combinations: u32 count, then u32
wire + n8-byte canonical coefficient each), 3 wire -> label id (u64 each). circom's wire
order (1, outputs, public inputs, private inputs, internal) is ours too, with outputs
counted as public. Custom-gate (PLONK) sections are refused.
"""
from __future__ import annotations

import os
import sys
from array import array
from dataclasses import dataclass

from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.field import R
from zk.formats.iden3.binfile import open_binfile, u32, u64, write_binfile
from zk.r1cs import R1CS

MAGIC = "r1cs"
_MAX_WIRES = 1 << 31


@dataclass
class R1csHeader:
    """The numbers of a .r1cs header section."""

    n8: int
    prime: int
    num_wires: int
    num_outputs: int
    num_pub_inputs: int
    num_prv_inputs: int
    num_labels: int
    num_constraints: int


def read_r1cs_header(bf) -> R1csHeader:
    """Parse and validate section 1 of an open .r1cs BinFile."""
    c = bf.cursor(1)
    n8 = c.u32()
    if n8 != 32:
        raise bf.error(f"field size {n8} bytes; only BN254 (32) is supported", 1)
    h = R1csHeader(n8, c.big(n8), c.u32(), c.u32(), c.u32(), c.u32(), c.u64(), c.u32())
    c.end()
    if h.prime != R:
        raise bf.error("prime is not the BN254 scalar field (wrong curve)", 1)
    npub = h.num_outputs + h.num_pub_inputs
    if not 1 + npub + h.num_prv_inputs <= h.num_wires < _MAX_WIRES:
        raise bf.error(f"{h.num_wires} wires cannot hold 1 + {npub} public + "
                       f"{h.num_prv_inputs} private inputs", 1)
    return h


def read_r1cs(path: str | os.PathLike) -> R1CS:
    """Load a circom .r1cs into an R1CS (labels name rows by index)."""
    with open_binfile(path, MAGIC, 1) as bf:
        h = read_r1cs_header(bf)
        for sid in (4, 5):
            if bf.has(sid):
                raise bf.error("custom gates (PLONK) are not supported by Groth16", sid)
        _, labels = bf.section(3)       # one u64 label id per wire: bounds the wire count
        if labels != 8 * h.num_wires:
            raise bf.error(f"wire-to-label map has {labels} bytes, expected 8 per wire "
                           f"({h.num_wires} wires)", 3)
        off, size = bf.section(2)
        if h.num_constraints > size // 12:
            raise bf.error(f"{h.num_constraints} constraints cannot fit in {size} bytes", 2)
        data = bf.read_section(2)
        try:
            rows = get_backend().r1cs_constraints(data, h.num_constraints, h.num_wires, off)
        except MalformedInput as exc:
            raise MalformedInput(f"{bf.path}, section 2, {exc}") from None
    npub = h.num_outputs + h.num_pub_inputs
    return R1CS(constraints=rows, labels=[f"r1cs/{i}" for i in range(len(rows))],
                num_public=npub, num_private=h.num_prv_inputs, num_wires=h.num_wires,
                public_names=[f"public[{i}]" for i in range(npub)],
                private_names=[f"private[{i}]" for i in range(h.num_prv_inputs)])


def encode_constraints(cs: R1CS) -> bytes:
    """Section 2 payload for the constraints of cs (one backend pass)."""
    return get_backend().r1cs_encode(cs.constraints)


def encode_labels(num_wires: int) -> bytes:
    """Section 3 payload: wire i has label i (u64 each)."""
    labels = array("Q", range(num_wires))
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        labels.byteswap()
    return labels.tobytes()


def write_r1cs(cs: R1CS, path: str | os.PathLike) -> None:
    """Export cs as a .r1cs (all public wires as public inputs; labels = wire ids)."""
    header = (u32(32) + R.to_bytes(32, "little") + u32(cs.num_wires) + u32(0)
              + u32(cs.num_public) + u32(cs.num_private) + u64(cs.num_wires)
              + u32(cs.num_constraints))
    write_binfile(path, MAGIC, 1, [(1, header), (2, encode_constraints(cs)),
                                   (3, encode_labels(cs.num_wires))])
