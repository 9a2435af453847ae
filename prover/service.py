"""A prover for services: keys and compiled circuit loaded once, many proofs from memory.

    prover = Prover.load("keys/", "circuits.examples:ReserveCheck")
    bundle = prover.prove({"total": "1750000", ...})   # from any number of threads
    bundle.proof, bundle.public, bundle.values["total"], bundle.calldata, bundle.key_id

Nothing is written to disk. ``prove`` is safe to call from several threads at once: the
key and the circuit are only read, and the native kernels release the GIL, so proofs from
different threads overlap. Each kernel call spreads over ``ZK_THREADS`` worker threads
(default: every core); a host that runs several provers at once should split its cores
between them, e.g. ``ZK_THREADS=2`` for four provers on eight cores.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prover.loader import load_circuit, parse_params
from prover.workflow import key_id_of, load_proving_key
from zk import Circuit, CompiledCircuit, atomic, compile_circuit, groth16
from zk.backend import Backend, get_backend
from zk.errors import MalformedInput, ZkError
from zk.formats import snarkjs_json as sj
from zk.groth16 import Proof, ProvingKey, VerifyingKey
from zk.parse import canonical_int
from zk.statement import Statement


def kernel_threads() -> int | None:
    """The validated ``ZK_THREADS`` (None when unset: the kernels use every core)."""
    raw = os.environ.get("ZK_THREADS", "").strip()
    if not raw:
        return None
    try:
        n = canonical_int(raw, "ZK_THREADS", 257, hex_ok=False)
    except MalformedInput:
        n = 0
    if not 1 <= n <= 256:
        raise ZkError(f"ZK_THREADS={raw!r}: expected a whole number of threads, 1..256")
    return n


@dataclass(frozen=True)
class ProofBundle:
    """One proof: the proof, its public inputs in verifier order, the same by name (empty
    when the key carries no names, as a circom .zkey), and the key id it is for (None
    without a statement)."""

    proof: Proof
    public: list[int]
    values: dict[str, Any] = field(default_factory=dict)
    key_id: bytes | None = field(default=None)

    @property
    def calldata(self) -> bytes:
        """ABI calldata of the verifier's ``verifyProof(a, b, c, pub)`` for this proof."""
        from verifier_contracts.calldata import encode_verify_call
        return encode_verify_call(self.proof, list(self.public))

    def proof_json(self) -> dict[str, Any]:
        """snarkjs proof.json content, naming the key id when known."""
        out = sj.proof_to_json(self.proof)
        if self.key_id is not None:
            out["key_id"] = "0x" + self.key_id.hex()
        return out

    def write(self, out_dir: str | os.PathLike) -> Path:
        """proof.json and public.json (snarkjs) in out_dir, atomically; returns out_dir."""
        out = Path(out_dir)
        atomic.write_json(out / "proof.json", self.proof_json())
        atomic.write_json(out / "public.json", sj.public_to_json(list(self.public)))
        return out


ProofResult = ProofBundle   # the earlier name


class Prover:
    """A proving key and (optionally) its compiled circuit, held in memory."""

    def __init__(self, pk: ProvingKey, cs: CompiledCircuit | None = None,
                 backend: Backend | None = None) -> None:
        """Checks once that the key fits the circuit; cs None: prove full witnesses only."""
        kernel_threads()  # refuse a malformed ZK_THREADS now, not at the first proof
        pk.check_sizes()
        self.pk = pk
        self.cs = cs
        self.backend = backend or get_backend()
        self.statement: Statement | None = None
        if cs is not None:
            digest = cs.digest()
            if pk.circuit_digest and pk.circuit_digest != digest:
                raise MalformedInput(f"proving key was made for another circuit "
                                     f"({pk.circuit_digest[:12]}..., this one is "
                                     f"{digest[:12]}...)")
            if (cs.num_wires, cs.num_public) != (pk.num_wires, pk.num_public):
                raise MalformedInput(f"proving key has {pk.num_wires} wires and "
                                     f"{pk.num_public} public inputs, circuit {cs.name} has "
                                     f"{cs.num_wires} and {cs.num_public}")
            self.statement = cs.statement
        self.key_id = key_id_of(pk.vk, self.statement)

    @classmethod
    def load(cls, keys: str | os.PathLike, circuit: str | Circuit | CompiledCircuit,
             params: dict[str, int] | tuple[str, ...] = (),
             backend: Backend | None = None,
             cache_dir: str | os.PathLike | None = None) -> Prover:
        """From a key folder (or proving_key.zkpk) and the circuit: ``module:Name`` /
        ``file.py:Name`` with params, a Circuit instance, or a compiled circuit.

        With cache_dir, the compiled circuit comes from zk.cache (written on first use,
        rebuilt when stale or corrupted) instead of running ``define`` again."""
        if isinstance(circuit, str):
            values = params if isinstance(params, dict) else parse_params(params)
            circuit = load_circuit(circuit, values)
        if isinstance(circuit, CompiledCircuit):
            cs = circuit
        elif cache_dir is not None:
            from zk.cache import load_or_compile
            cs = load_or_compile(circuit, Path(cache_dir).expanduser())
        else:
            cs = compile_circuit(circuit)
        # same digest, and for a key folder the same statement (names, shapes, bounds)
        pk = load_proving_key(Path(keys), cs)
        return cls(pk, cs, backend)

    @classmethod
    def from_zkey(cls, zkey: str | os.PathLike, backend: Backend | None = None) -> Prover:
        """From a snarkjs/circom .zkey (its verifying key checked); proves full witnesses."""
        from zk.formats.iden3 import read_zkey
        z = read_zkey(zkey)
        z.vk.validate()
        return cls(z.pk, None, backend)

    @property
    def vk(self) -> VerifyingKey:
        return self.pk.vk

    def prove(self, inputs: dict[str, Any]) -> ProofBundle:
        """Solve the witness from named inputs (every constraint checked) and prove."""
        if self.cs is None or self.statement is None:
            raise ZkError("this prover has no compiled circuit (loaded from a .zkey): "
                          "use prove_witness")
        witness = self.cs.solve(inputs)
        proof = groth16.prove(self.pk, witness, self.backend)
        public = self.cs.public_values(witness)
        return ProofBundle(proof, public, self.statement.values(public), self.key_id)

    def prove_witness(self, witness: list[int]) -> ProofBundle:
        """Prove a full witness [1, public..., private..., internal...]; without a circuit
        to check it against, the proof is verified, so a bad witness raises
        MalformedInput instead of yielding a proof that fails later."""
        if len(witness) != self.pk.num_wires:
            raise MalformedInput(f"witness has {len(witness)} wires, the key expects "
                                 f"{self.pk.num_wires}")
        if self.cs is not None:
            self.cs.check(witness)
        proof = groth16.prove(self.pk, witness, self.backend)
        public = list(witness[1:1 + self.pk.num_public])
        if self.cs is None and not groth16.verify(self.vk, proof, public, self.backend):
            raise MalformedInput("the witness does not satisfy the circuit of this key")
        values = self.statement.values(public) if self.statement else {}
        return ProofBundle(proof, public, values, self.key_id)
