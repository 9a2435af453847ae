"""What a proof claims: the circuit's public inputs by name, with shapes and bit bounds.

A :class:`Statement` is produced by ``compile_circuit``, saved with the keys and embedded
in the verifying-key file. Every consumer (the app, the contract deployer, the registry
layout test) reads public values by name through it; nobody writes an offset by hand.

``Statement.hash()`` is keccak-256 over a canonical encoding::

    b"zk-solvency/statement/v1\\n" || canonical_json(statement.to_json())

where ``canonical_json`` is JSON with keys sorted, no whitespace (``","`` and ``":"``
separators) and ASCII only, e.g.
``{"circuit":"Cube()","digest":"ab..","inputs":[{"bits":64,"name":"x","shape":[]}]}``.
Every field is covered, so relabelled, reordered or re-bounded inputs change the hash.
The key id that contracts check binds this hash to a verifying key (see
``verifier_contracts.vk.key_id``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import product
from typing import Any

from zk.errors import MalformedInput
from zk.field import R

#: Bit bound recorded for an input whose elements are constrained by nothing but ``< r``.
UNBOUNDED = 254
MAX_INPUTS = 1024
MAX_ELEMENTS = 1 << 16
MAX_DIMS = 4
DOMAIN = b"zk-solvency/statement/v1\n"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
_ELEMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,63})((?:\[[0-9]{1,6}\])*)\Z")
_DIGEST = re.compile(r"[0-9A-Za-z:_.-]{16,128}\Z")
_CIRCUIT = re.compile(r"[ -~]{1,256}\Z")  # printable ASCII


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


@dataclass(frozen=True)
class PublicInput:
    """One public input: name, array shape (``()`` for a scalar) and the bit bound
    proven in-circuit for every element (``UNBOUNDED`` = 254 when only ``< r`` holds)."""

    name: str
    shape: tuple[int, ...]
    bits: int

    @property
    def size(self) -> int:
        return _size(self.shape)

    def element_names(self) -> list[str]:
        """``["prices[0]", "prices[1]"]`` for an array, ``["debt"]`` for a scalar."""
        if not self.shape:
            return [self.name]
        return [self.name + "".join(f"[{i}]" for i in idx)
                for idx in product(*(range(d) for d in self.shape))]

    def check(self) -> None:
        """Raise MalformedInput if the name, shape or bound is out of the accepted range."""
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise MalformedInput(f"statement: input name {self.name!r} is not an identifier "
                                 "of at most 64 characters")
        if (not isinstance(self.shape, tuple) or len(self.shape) > MAX_DIMS
                or any(isinstance(d, bool) or not isinstance(d, int) or not 1 <= d
                       <= MAX_ELEMENTS for d in self.shape)):
            raise MalformedInput(f"statement: input '{self.name}' has a bad shape "
                                 f"{self.shape!r} (at most {MAX_DIMS} dimensions, each "
                                 f"1..{MAX_ELEMENTS})")
        if isinstance(self.bits, bool) or not isinstance(self.bits, int) \
                or not 1 <= self.bits <= UNBOUNDED:
            raise MalformedInput(f"statement: input '{self.name}' has bits={self.bits!r} "
                                 f"(expected 1..{UNBOUNDED})")


@dataclass(frozen=True)
class Statement:
    """The ordered public inputs of a circuit plus its name and constraint-system digest."""

    circuit: str
    digest: str
    inputs: tuple[PublicInput, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.circuit, str) or not _CIRCUIT.match(self.circuit):
            raise MalformedInput("statement: circuit must be 1..256 printable ASCII characters")
        if not isinstance(self.digest, str) or not _DIGEST.match(self.digest):
            raise MalformedInput("statement: digest must be 16..128 characters [0-9A-Za-z:_.-]")
        if not isinstance(self.inputs, tuple) or len(self.inputs) > MAX_INPUTS:
            raise MalformedInput(f"statement: inputs must be a tuple of at most {MAX_INPUTS}")
        seen: set[str] = set()
        for inp in self.inputs:
            if not isinstance(inp, PublicInput):
                raise MalformedInput("statement: inputs must be PublicInput values")
            inp.check()
            if inp.name in seen:
                raise MalformedInput(f"statement: input '{inp.name}' is declared twice")
            seen.add(inp.name)
        if sum(i.size for i in self.inputs) > MAX_ELEMENTS:
            raise MalformedInput(f"statement: more than {MAX_ELEMENTS} public elements")

    # -- layout -------------------------------------------------------------------------
    @property
    def num_public(self) -> int:
        """Total number of public field elements (the verifier's input length)."""
        return sum(i.size for i in self.inputs)

    def names(self) -> list[str]:
        """Flattened element names in verifier order, e.g. ``prices[1]``."""
        return [n for i in self.inputs for n in i.element_names()]

    def input(self, name: str) -> PublicInput:
        """The declared input called ``name``; MalformedInput if there is none."""
        for inp in self.inputs:
            if inp.name == name:
                return inp
        raise MalformedInput(f"statement of {self.circuit}: no public input '{name}' "
                             f"(has {', '.join(i.name for i in self.inputs) or 'none'})")

    def layout(self) -> dict[str, int]:
        """First index of every input in the public vector (what contracts are given)."""
        out, pos = {}, 0
        for inp in self.inputs:
            out[inp.name] = pos
            pos += inp.size
        return out

    def span(self, name: str) -> range:
        """Indices of all elements of input ``name`` in the public vector."""
        inp = self.input(name)
        start = self.layout()[name]
        return range(start, start + inp.size)

    def index(self, name: str, *idx: int) -> int:
        """0-based position of ``name[idx...]`` in the public vector.

        ``index("prices")`` of an array is its first element; ``index("prices", 1)`` and
        ``index("prices[1]")`` are its second. Unknown names or bad indices raise
        MalformedInput naming the input.
        """
        m = _ELEMENT.match(name) if isinstance(name, str) else None
        if m and m.group(2):
            if idx:
                raise MalformedInput(f"statement: give '{name}' either bracketed or as "
                                     "separate indices, not both")
            name, idx = m.group(1), tuple(int(k) for k in re.findall(r"[0-9]+", m.group(2)))
        inp = self.input(name)
        if not idx:
            return self.layout()[name]
        if len(idx) != len(inp.shape):
            raise MalformedInput(f"statement: input '{name}' has {len(inp.shape)} "
                                 f"dimension(s), got {len(idx)} index(es)")
        flat = 0
        for k, d in zip(idx, inp.shape):
            if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < d:
                raise MalformedInput(f"statement: index {list(idx)} out of range for "
                                     f"'{name}' of shape {list(inp.shape)}")
            flat = flat * d + k
        return self.layout()[name] + flat

    # -- values ---------------------------------------------------------------------------
    def values(self, public: list[int]) -> dict[str, int | list]:
        """Public values by name (nested lists for arrays), after checking the vector.

        Raises MalformedInput for a wrong length, a non-integer, a value ``>= r`` or a
        value above the input's proven bit bound, naming the element.
        """
        if not isinstance(public, (list, tuple)):
            raise MalformedInput("public inputs: expected a list of integers")
        if len(public) != self.num_public:
            raise MalformedInput(f"public inputs: {self.circuit} expects {self.num_public} "
                                 f"values, got {len(public)}")
        out: dict[str, int | list] = {}
        pos = 0
        for inp in self.inputs:
            flat = list(public[pos:pos + inp.size])
            for name, x in zip(inp.element_names(), flat):
                if isinstance(x, bool) or not isinstance(x, int):
                    raise MalformedInput(f"public input {name}: not an integer")
                if not 0 <= x < R:
                    raise MalformedInput(f"public input {name}: not in the field (0 <= x < r)")
                if inp.bits < UNBOUNDED and x >> inp.bits:
                    raise MalformedInput(f"public input {name}: exceeds its {inp.bits}-bit "
                                         "bound")
            out[inp.name] = _nest(flat, inp.shape)
            pos += inp.size
        return out

    # -- files and hashes -----------------------------------------------------------------
    def to_json(self) -> dict:
        return {"circuit": self.circuit, "digest": self.digest,
                "inputs": [{"name": i.name, "shape": list(i.shape), "bits": i.bits}
                           for i in self.inputs]}

    @classmethod
    def from_json(cls, obj: Any, what: str = "statement") -> Statement:
        """Strict parse: exact keys, bounded sizes; MalformedInput names ``what``."""
        try:
            obj = _exact(obj, {"circuit", "digest", "inputs"}, what)
            raw = obj["inputs"]
            if not isinstance(raw, list) or len(raw) > MAX_INPUTS:
                raise MalformedInput(f"{what}.inputs: expected a list of at most "
                                     f"{MAX_INPUTS} inputs")
            inputs = []
            for k, item in enumerate(raw):
                item = _exact(item, {"name", "shape", "bits"}, f"{what}.inputs[{k}]")
                shape = item["shape"]
                if not isinstance(shape, list) or len(shape) > MAX_DIMS:
                    raise MalformedInput(f"{what}.inputs[{k}].shape: expected a list of at "
                                         f"most {MAX_DIMS} sizes")
                inputs.append(PublicInput(item["name"], tuple(shape), item["bits"]))
            return cls(obj["circuit"], obj["digest"], tuple(inputs))
        except MalformedInput as exc:
            msg = str(exc)
            raise MalformedInput(msg if msg.startswith(what) else f"{what}: {msg}") from None

    def canonical_bytes(self) -> bytes:
        """The exact bytes that :meth:`hash` covers (see the module docstring)."""
        return DOMAIN + json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"),
                                   ensure_ascii=True).encode("ascii")

    def hash(self) -> bytes:
        """32-byte keccak-256 of :meth:`canonical_bytes`."""
        return keccak256(self.canonical_bytes())


def _nest(flat: list[int], shape: tuple[int, ...]) -> int | list:
    if not shape:
        return flat[0]
    step = len(flat) // shape[0]
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _exact(obj: Any, keys: set[str], what: str) -> dict:
    if not isinstance(obj, dict):
        raise MalformedInput(f"{what}: expected a JSON object")
    missing = keys - set(obj)
    if missing:
        raise MalformedInput(f"{what}: missing {', '.join(sorted(missing))}")
    extra = set(obj) - keys
    if extra:
        raise MalformedInput(f"{what}: unknown key(s) {', '.join(sorted(map(str, extra)))}")
    return obj


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak-256 (not NIST SHA3-256); imported lazily to keep ``import zk`` fast."""
    from Crypto.Hash import keccak
    return keccak.new(digest_bits=256, data=data).digest()


__all__ = ["PublicInput", "Statement", "UNBOUNDED", "keccak256"]
