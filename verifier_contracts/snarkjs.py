"""Drive the npm circom/snarkjs toolchain to make reference keys, proofs and verifiers.

Development only (tests, gas benchmarks): an independent oracle for the verifier and the
baseline `snarkjs zkey export solidityverifier` that our gas is compared against.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from verifier_contracts.solc import CompilerError, node_bin
from zk import atomic
from zk.field import R

#: A circuit with N public inputs, each bound to the witness; the last one is the
#: "commitment" secret^2 + 7, so any values for the others give a valid proof.
CIRCUIT = """pragma circom 2.0.0;
template Fixture(N) {
    signal input pub[N];
    signal input secret;
    signal prod[N];
    for (var i = 0; i < N; i++) {
        prod[i] <== pub[i] * secret;
    }
    pub[N-1] === secret * secret + 7;
}
component main {public [pub]} = Fixture(%d);
"""


def run(tool: str, *args: str, cwd: Path, timeout: float = 300) -> str:
    """Run an npm tool; raise CompilerError with its output on failure."""
    proc = subprocess.run([str(node_bin(tool)), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise CompilerError(f"{tool} {args[0]} failed: {(proc.stderr or proc.stdout)[-800:]}")
    return proc.stdout


def make_ptau(workdir: Path, power: int = 8) -> Path:
    """A small development powers-of-tau file (one contribution, prepared for phase 2)."""
    workdir.mkdir(parents=True, exist_ok=True)
    run("snarkjs", "powersoftau", "new", "bn128", str(power), "pot0.ptau", cwd=workdir)
    run("snarkjs", "powersoftau", "contribute", "pot0.ptau", "pot1.ptau",
        "-e=development entropy", cwd=workdir)
    run("snarkjs", "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau", cwd=workdir)
    return workdir / "pot.ptau"


@dataclass(frozen=True)
class Fixture:
    """A compiled circuit with a phase-2 key: prove with `prove`."""

    workdir: Path
    n_public: int
    vk: dict

    @property
    def zkey(self) -> Path:
        return self.workdir / "circuit.zkey"

    def prove(self, inputs: list[int], secret: int = 3, tag: str = "p") -> tuple[dict, list]:
        """Proof and public signals for public inputs `inputs` + [secret^2 + 7]."""
        if len(inputs) != self.n_public - 1:
            raise ValueError(f"need {self.n_public - 1} inputs")
        pub = [str(v % R) for v in inputs] + [str((secret * secret + 7) % R)]
        atomic.write_any(self.workdir / f"{tag}.in.json",
                     json.dumps({"pub": pub, "secret": str(secret)}))
        run("snarkjs", "groth16", "fullprove", f"{tag}.in.json", "circuit_js/circuit.wasm",
            "circuit.zkey", f"{tag}.proof.json", f"{tag}.public.json", cwd=self.workdir)
        proof = json.loads((self.workdir / f"{tag}.proof.json").read_text())
        public = json.loads((self.workdir / f"{tag}.public.json").read_text())
        return proof, public

    def solidity_verifier(self) -> str:
        """Source of `snarkjs zkey export solidityverifier` for this key."""
        run("snarkjs", "zkey", "export", "solidityverifier", "circuit.zkey", "snarkjs.sol",
            cwd=self.workdir)
        return (self.workdir / "snarkjs.sol").read_text()


def make_fixture(workdir: Path, n_public: int, ptau: Path) -> Fixture:
    """Compile the N-input circuit, run Groth16 setup with one phase-2 contribution."""
    workdir.mkdir(parents=True, exist_ok=True)
    atomic.write_any(workdir / "circuit.circom", CIRCUIT % n_public)
    run("circom2", "circuit.circom", "--r1cs", "--wasm", "-o", ".", cwd=workdir)
    run("snarkjs", "groth16", "setup", "circuit.r1cs", str(ptau), "c0.zkey", cwd=workdir)
    run("snarkjs", "zkey", "contribute", "c0.zkey", "circuit.zkey",
        "-e=development phase 2", cwd=workdir)
    run("snarkjs", "zkey", "export", "verificationkey", "circuit.zkey", "vk.json", cwd=workdir)
    vk = json.loads((workdir / "vk.json").read_text())
    return Fixture(workdir, n_public, vk)
