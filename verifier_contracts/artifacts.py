"""Shipped compiled contracts (`artifacts/*.json`), rebuilt and checked from `sol/*.sol`.

Users never need a compiler: the artifacts hold ABI and bytecode. `build_artifacts` and
`check_artifacts` need the pinned solc-js (development and CI only).
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from zk import atomic
from zk.errors import MalformedInput

PACKAGE_DIR = Path(__file__).resolve().parent
SOL_DIR = PACKAGE_DIR / "sol"
ARTIFACT_DIR = PACKAGE_DIR / "artifacts"
#: contract name -> source file, for every shipped contract.
CONTRACTS = {
    "Groth16VerifierTemplate": "Groth16VerifierTemplate.sol",
    "Groth16VerifierDeployer": "Groth16VerifierTemplate.sol",
    "AttesterRegistry": "AttesterRegistry.sol",
    "SolvencyRegistry": "SolvencyRegistry.sol",
    "ProofVerifierModule": "ProofVerifierModule.sol",
    "EpochOracle": "EpochOracle.sol",
    "DevFeed": "DevFeed.sol",
    "ReservesRegistry": "ReservesRegistry.sol",
    "DevSmartWallet": "DevSmartWallet.sol",
    "SolvencyGatedCredit": "SolvencyGatedCredit.sol",
    "DevToken": "DevToken.sol",
}


@lru_cache(maxsize=None)
def load_artifact(name: str) -> dict:
    """The shipped artifact of contract `name` (abi, bytecode, deployedBytecode, compiler)."""
    if name not in CONTRACTS:
        raise MalformedInput(f"no shipped artifact named {name!r}")
    with open(ARTIFACT_DIR / f"{name}.json", encoding="utf-8") as f:
        art = json.load(f)
    for key in ("abi", "bytecode", "deployedBytecode", "compiler"):
        if key not in art:
            raise MalformedInput(f"artifact {name}: missing {key}")
    return art


def creation_code(name: str) -> bytes:
    """Creation bytecode of a shipped contract."""
    return bytes.fromhex(load_artifact(name)["bytecode"].removeprefix("0x"))


def _source_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_artifacts(settings: dict | None = None) -> dict[str, dict]:
    """Compile every source in sol/ with the pinned solc-js; return {name: artifact}."""
    from verifier_contracts.solc import SETTINGS, SOLC_VERSION, collect_sources, compile_sources

    settings = settings or SETTINGS
    files = sorted({f for f in CONTRACTS.values()})
    sources = collect_sources({f: (SOL_DIR / f).read_text(encoding="utf-8") for f in files},
                              SOL_DIR)
    compiled = compile_sources(sources, settings)
    out = {}
    for name, file in CONTRACTS.items():
        c = compiled[name]
        imports = collect_sources({file: sources[file]}, SOL_DIR)
        out[name] = {
            "contractName": name,
            "sourceName": file,
            "sourceSha256": _source_sha256(SOL_DIR / file),
            "importsSha256": {unit: hashlib.sha256(src.encode()).hexdigest()
                              for unit, src in sorted(imports.items()) if unit != file},
            "compiler": {"name": "solc", "version": SOLC_VERSION, "settings": settings},
            "abi": c["abi"],
            "bytecode": "0x" + c["bytecode"],
            "deployedBytecode": "0x" + c["deployedBytecode"],
        }
    return out


def write_artifacts() -> list[Path]:
    """Rebuild and atomically write every artifact JSON; return the paths written."""
    paths = []
    for name, art in build_artifacts().items():
        path = ARTIFACT_DIR / f"{name}.json"
        atomic.write_json(path, art)
        paths.append(path)
    load_artifact.cache_clear()
    return paths


def check_artifacts() -> list[str]:
    """Recompile with each artifact's recorded settings; list every difference (empty = ok)."""
    problems: list[str] = []
    shipped = {}
    for name in CONTRACTS:
        try:
            shipped[name] = load_artifact(name)
        except (OSError, ValueError, MalformedInput) as exc:
            problems.append(f"{name}: cannot read shipped artifact: {exc}")
    settings = {json.dumps(a["compiler"]["settings"], sort_keys=True) for a in shipped.values()}
    if len(settings) > 1:
        problems.append("artifacts were built with different compiler settings")
    fresh = build_artifacts(json.loads(settings.pop()) if settings else None)
    for name, art in shipped.items():
        for key in ("abi", "bytecode", "deployedBytecode", "sourceSha256", "importsSha256",
                    "compiler"):
            if art.get(key) != fresh[name][key]:
                problems.append(f"{name}: shipped {key} differs from a fresh compile")
    return problems
