"""Fuzz targets: one function per reader, each taking the raw bytes of one input file.

A target writes the bytes to a scratch file with the reader's suffix and calls the reader
exactly as the application does. A reader may refuse its input only with one of the
project's errors (``zk.errors.ZkError`` and its subclasses, which include
``prover.inputs.InputFileError``); any other exception escaping a target is a finding.

``TARGETS`` maps a harness name (also the corpus folder name) to its function.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

from zk.errors import ZkError

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
ALLOWED: tuple[type[BaseException], ...] = (ZkError,)


@lru_cache(maxsize=None)
def _scratch_dir() -> Path:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="zkfuzz-", dir=base))


def scratch(data: bytes, name: str) -> Path:
    """Write data to a per-process scratch file called name; return its path."""
    path = _scratch_dir() / name
    path.write_bytes(data)
    return path


# --- application input files (prover/inputs.py and the circuit adapters) -------------------
@lru_cache(maxsize=None)
def _policy():
    from prover.collateral import load_policy
    return load_policy(EXAMPLES / "collateral" / "policy.json")


@lru_cache(maxsize=None)
def _spec():
    from prover.reserves import load_assets
    return load_assets(EXAMPLES / "reserves" / "assets.json")


def policy(data: bytes) -> None:
    from prover.collateral import load_policy
    p = load_policy(scratch(data, "policy.json"))
    p.circuit()


def prices(data: bytes) -> None:
    from prover.collateral import load_prices
    load_prices(scratch(data, "prices.json"), _policy())


def portfolio(data: bytes) -> None:
    from prover.collateral import load_portfolio
    load_portfolio(scratch(data, "portfolio.json"), _policy())


def reserves(data: bytes) -> None:
    """The public asset list of the sharded proof of reserves."""
    from prover.reserves import load_assets
    load_assets(scratch(data, "assets.json"))


def ledger_csv(data: bytes) -> None:
    from prover.reserves.ingest import iter_users
    for _ in iter_users(scratch(data, "ledger.csv"), _spec(), scratch(b"", "index.sqlite")):
        pass


def ledger_json(data: bytes) -> None:
    from prover.reserves.ingest import iter_users
    for _ in iter_users(scratch(data, "ledger.json"), _spec(), scratch(b"", "index.sqlite")):
        pass


@lru_cache(maxsize=None)
def _reserve_check():
    from circuits.examples import ReserveCheck
    from zk import compile_circuit
    return compile_circuit(ReserveCheck(4))


def circuit_inputs(data: bytes) -> None:
    """``zksolvency prove -i FILE``: a JSON object of named circuit inputs, then solve."""
    from zk import atomic
    _reserve_check().solve(atomic.read_json(scratch(data, "inputs.json"), 256 << 20))


def inclusion(data: bytes) -> None:
    """A v3 inclusion file checked against the root and asset list it states."""
    from circuits.inclusion import parse_inclusion_v3
    from prover.reserves.verify import verify_inclusion
    from zk import atomic
    path = scratch(data, "inclusion.json")
    inc = parse_inclusion_v3(atomic.read_json(path, 1 << 20))
    expect = {a: "1" for a in inc.assets}
    verify_inclusion(path, (inc.root, inc.stated_commitment, True), expect=expect)


# --- attester keys and attestations (prover/attest.py) -----------------------------------
def attestation(data: bytes) -> None:
    from prover.attest import check, load_attestation
    check(load_attestation(scratch(data, "attestation.json")))


def attester_key(data: bytes) -> None:
    from prover.attest import load_key
    path = scratch(data, "attester.key.json")
    path.chmod(0o600)
    load_key(path)


def attester_public_key(data: bytes) -> None:
    from prover.attest import load_public_key
    load_public_key(scratch(data, "attester.pub.json"))


# --- snarkjs JSON ------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _tiny_key():
    """(verifying key, statement) of a development setup of fuzz.make_seeds.Tiny."""
    from fuzz.make_seeds import Tiny
    from zk import compile_circuit, groth16
    cs = compile_circuit(Tiny())
    return groth16.setup(cs).vk, cs.statement


def snarkjs_proof(data: bytes) -> None:
    """proof.json alone, then against a key and statement (its key_id / vk_hash checks)."""
    from prover import workflow
    from verifier_contracts.calldata import parse_proof
    from zk import atomic
    path = scratch(data, "proof.json")
    workflow.read_proof(path)
    parse_proof(atomic.read_json(path, 1 << 16))
    workflow.read_proof(path, *_tiny_key())


def snarkjs_public(data: bytes) -> None:
    from prover import workflow
    from verifier_contracts.calldata import parse_public
    from zk import atomic
    path = scratch(data, "public.json")
    workflow.read_public(path)
    parse_public(atomic.read_json(path, 1 << 22))


def snarkjs_vk(data: bytes) -> None:
    from prover import workflow
    from verifier_contracts.vk import parse_vk
    from zk import atomic
    path = scratch(data, "verification_key.json")
    workflow.read_vk(path)
    parse_vk(atomic.read_json(path, 64 << 20))


def statement(data: bytes) -> None:
    from zk import atomic
    from zk.statement import Statement
    st = Statement.from_json(atomic.read_json(scratch(data, "statement.json")))
    st.hash()


# --- binary key, circuit and witness files -----------------------------------------------
def _with_sha256_trailer(data: bytes) -> bytes:
    """data with the last 32 bytes replaced by SHA-256 of the rest: lets mutations reach
    the parser behind a checksummed format's integrity check."""
    body = data[:-32] if len(data) > 32 else data
    return body + hashlib.sha256(body).digest()


def keyfile(data: bytes) -> None:
    """The bytes as they are (the checksum path), then with a matching SHA-256 trailer."""
    from zk.formats import keyfile as kf
    for raw in (data, _with_sha256_trailer(data)):
        try:
            kf.load(scratch(raw, "proving_key.zkpk"))
        except ALLOWED:
            pass


def r1cs(data: bytes) -> None:
    from zk.formats.iden3 import read_r1cs
    read_r1cs(scratch(data, "circuit.r1cs"))


def wtns(data: bytes) -> None:
    from zk.formats.iden3 import read_wtns
    read_wtns(scratch(data, "witness.wtns"))


def zkey(data: bytes) -> None:
    from zk.formats.iden3 import read_zkey
    read_zkey(scratch(data, "circuit.zkey"))


def ptau(data: bytes) -> None:
    from zk.formats.iden3.ptau import ALPHA_G1, TAU_G1, TAU_G2, check_generators, open_ptau
    with open_ptau(scratch(data, "pot.ptau")) as pt:
        check_generators(pt)
        pt.alpha_g1()
        pt.beta_g1()
        pt.beta_g2()
        pt.num_contributions()
        pt.monomial(TAU_G2, 0, 1 << pt.power)
        if pt.prepared:
            pt.lagrange(TAU_G1, 2)
            pt.lagrange(ALPHA_G1, 1 << pt.power)


CACHE_KEY = "fuzz-seed-key"


def cache(data: bytes) -> None:
    """A compiled-circuit cache entry (zk.cache) for key CACHE_KEY, as it is and with a
    matching SHA-256 trailer."""
    from zk import cache as zc
    for raw in (data, _with_sha256_trailer(data)):
        try:
            zc.load(scratch(raw, "circuit.zkcc"), CACHE_KEY).digest()
        except ALLOWED:
            pass


def config(data: bytes) -> None:
    from prover.config import parse_config
    path = scratch(data, "zksolvency.toml")
    parse_config(data, str(path))


def monitor_config(data: bytes) -> None:
    """The [monitor] section of zksolvency.toml."""
    from prover.monitor.config import parse_monitor
    path = scratch(data, "zksolvency.toml")
    parse_monitor(data, str(path))


def deploy_state(data: bytes) -> None:
    from verifier_contracts.deploy_state import DeployState
    DeployState(scratch(data, "deploy-state.json"))


TARGETS: dict[str, Callable[[bytes], None]] = {
    f.__name__: f for f in (
        policy, prices, portfolio, reserves, ledger_csv, ledger_json, circuit_inputs,
        inclusion, attestation, attester_key, attester_public_key, snarkjs_proof,
        snarkjs_public, snarkjs_vk, statement, keyfile, r1cs, wtns, zkey, ptau, cache, deploy_state,
        config, monitor_config)
}


def run_one(name: str, data: bytes) -> None:
    """Run target name on data; the project's own errors are the expected refusals."""
    try:
        TARGETS[name](data)
    except ALLOWED:
        pass
