"""Compile a Circuit into an R1CS plus the program that solves its witness."""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import cached_property
from itertools import product
from typing import Any

from zk.errors import CircuitDefinitionError, WitnessError
from zk.frontend.api import Api
from zk.frontend.circuit import Circuit
from zk.frontend.variable import Var
from zk.r1cs import R1CS
from zk.statement import UNBOUNDED, PublicInput, Statement
from zk.witness import flatten, solve


@dataclass
class Input:
    """One declared input: name, kind, shape and its first wire."""

    name: str
    kind: str
    shape: tuple[int, ...]
    first_wire: int

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def element_names(self) -> list[str]:
        if not self.shape:
            return [self.name]
        return [self.name + "".join(f"[{i}]" for i in idx)
                for idx in product(*(range(d) for d in self.shape))]


@dataclass
class CompiledCircuit(R1CS):
    """An R1CS that can also compute its witness from named inputs."""

    program: list[tuple] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    name: str = ""
    public_bits: dict[str, int] = field(default_factory=dict)

    @cached_property
    def statement(self) -> Statement:
        """What a proof of this circuit claims: public inputs by name, shape and proven
        bit bound, plus the circuit digest (computed once, on first use)."""
        return Statement(self.name, self.digest(), tuple(
            PublicInput(i.name, i.shape, self.public_bits.get(i.name, UNBOUNDED))
            for i in self.inputs if i.kind != "private"))

    @property
    def output_wires(self) -> list[int]:
        return [i.first_wire + k for i in self.inputs if i.kind == "output"
                for k in range(i.size)]

    def solve(self, values: dict[str, Any]) -> list[int]:
        """Full witness from {input name: value or nested list}; outputs are computed."""
        if not isinstance(values, dict):
            raise WitnessError("inputs must be a JSON object mapping input names to values")
        expected = {i.name for i in self.inputs if i.kind != "output"}
        extra = sorted(set(values) - expected)
        if extra:
            raise WitnessError(f"unknown input(s): {', '.join(extra)}")
        missing = [i.name for i in self.inputs if i.kind != "output" and i.name not in values]
        if missing:
            raise WitnessError(f"missing input(s): {', '.join(missing)}")
        public: list[int] = []
        private: list[int] = []
        for i in self.inputs:
            vals = [0] * i.size if i.kind == "output" else flatten(values[i.name], i.shape,
                                                                    i.name)
            (private if i.kind == "private" else public).extend(vals)
        return solve(self, self.program, public, private, self.output_wires)

    def public_values(self, witness: list[int]) -> list[int]:
        """The public inputs (verifier order) of a full witness."""
        return witness[1:1 + self.num_public]


def _allocate(circuit: Circuit) -> tuple[list[Input], int]:
    decls = circuit.declarations()
    ordered = [d for d in decls if d[1].kind != "private"] + \
              [d for d in decls if d[1].kind == "private"]
    inputs, wire = [], 1
    for name, decl in ordered:
        shape = decl.resolve(circuit)
        inp = Input(name, decl.kind, shape, wire)
        inputs.append(inp)
        wire += inp.size
    return inputs, wire - 1


def _bind_vars(circuit: Circuit, api: Api, inp: Input) -> None:
    wires = iter(range(inp.first_wire, inp.first_wire + inp.size))

    def build(shape):
        if not shape:
            return api.wire_var(next(wires))
        return [build(shape[1:]) for _ in range(shape[0])]
    setattr(circuit, inp.name, build(inp.shape))


def _check_usage(api: Api, inputs: list[Input]) -> None:
    used: set[int] = set()
    add = used.update
    for row in api.constraints:
        add(*row)
    for inp in inputs:
        for k, name in enumerate(inp.element_names()):
            w = inp.first_wire + k
            if w in used or w in api.bound_publics:
                continue
            if inp.kind == "public":
                raise CircuitDefinitionError(
                    f"public input '{name}' is in no constraint; constrain it or call "
                    "api.bind_public(...) if it is statement data only")
            raise CircuitDefinitionError(f"{inp.kind} input '{name}' is in no constraint")
        if inp.kind == "output":
            for k in range(inp.size):
                if not api.outputs[inp.first_wire + k]:
                    raise CircuitDefinitionError(f"output '{inp.name}' is never assigned")
    for w, label in api.hint_wires.items():
        if w not in used:
            raise CircuitDefinitionError(f"{label}: hint output is unconstrained")


def _public_bits(api: Api, inputs: list[Input]) -> dict[str, int]:
    """Bit bound proven for every element of each public input: a range check, bit
    decomposition or assert_bool of exactly that wire (coefficient 1), else 254."""
    def bound(w: int) -> int:
        if w in api.booleans:
            return 1
        bits = api.range_checked.get(((w, 1),))
        return UNBOUNDED if bits is None else max(bits, 1)
    return {i.name: max((bound(i.first_wire + k) for k in range(i.size)), default=UNBOUNDED)
            for i in inputs if i.kind != "private"}


def compile_circuit(circuit: Circuit) -> CompiledCircuit:
    """Run ``circuit.define`` and return the compiled constraint system.

    Refuses circuits with an input or hint output that appears in no constraint.
    """
    if not isinstance(circuit, Circuit):
        raise CircuitDefinitionError("compile_circuit expects a Circuit instance")
    gc_was_on = gc.isenabled()
    gc.disable()  # define() allocates millions of acyclic dicts: no cycle scans meanwhile
    try:
        return _compile(circuit)
    finally:
        if gc_was_on:
            gc.enable()


def _compile(circuit: Circuit) -> CompiledCircuit:
    inputs, n_inputs = _allocate(circuit)
    api = Api(n_inputs)
    for inp in inputs:
        _bind_vars(circuit, api, inp)
        if inp.kind == "output":
            for k in range(inp.size):
                api.outputs[inp.first_wire + k] = False
    circuit.define(api)
    _check_usage(api, inputs)
    publics = [i for i in inputs if i.kind != "private"]
    privates = [i for i in inputs if i.kind == "private"]
    return CompiledCircuit(
        constraints=api.constraints, labels=api.labels,
        num_public=sum(i.size for i in publics), num_private=sum(i.size for i in privates),
        num_wires=api.num_wires,
        public_names=[n for i in publics for n in i.element_names()],
        private_names=[n for i in privates for n in i.element_names()],
        program=api.program, inputs=inputs, name=circuit.describe(),
        public_bits=_public_bits(api, inputs))


__all__ = ["compile_circuit", "CompiledCircuit", "Var"]
