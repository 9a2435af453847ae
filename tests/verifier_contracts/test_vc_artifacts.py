"""Shipped artifacts equal a fresh compile with the pinned solc-js (and the check notices drift)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from eth_utils import keccak
from py_ecc import optimized_bn128 as ob

import verifier_contracts.artifacts as arts
from verifier_contracts.revert import VERIFIER_ERRORS

REPO = Path(__file__).resolve().parents[2]


def test_check_artifacts_script_passes():
    proc = subprocess.run([sys.executable, str(REPO / ".ci" / "check_artifacts.py")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr


def test_check_detects_changed_bytecode(tmp_path, monkeypatch):
    shutil.copytree(arts.ARTIFACT_DIR, tmp_path / "artifacts")
    path = tmp_path / "artifacts" / "SolvencyRegistry.json"
    art = json.loads(path.read_text())
    art["deployedBytecode"] = art["deployedBytecode"][:-2] + "00"
    path.write_text(json.dumps(art))
    monkeypatch.setattr(arts, "ARTIFACT_DIR", tmp_path / "artifacts")
    arts.load_artifact.cache_clear()
    try:
        problems = arts.check_artifacts()
    finally:
        arts.load_artifact.cache_clear()
    assert problems == ["SolvencyRegistry: shipped deployedBytecode differs from a fresh compile"]


def test_template_constants_match_independent_values():
    src = (arts.SOL_DIR / "Groth16VerifierTemplate.sol").read_text()
    b0, b1 = ob.b2.coeffs
    q = ob.field_modulus
    assert "%#066x" % (q + b0) in src and "%#066x" % b1 in src
    for sig in VERIFIER_ERRORS + ("vkHash()", "nPublic()"):
        assert "0x" + keccak(text=sig)[:4].hex() in src, sig


def test_artifacts_record_the_openzeppelin_sources_they_were_built_from():
    """Imports are compiled from the pinned npm package (or our own sol/interfaces and
    sol/lib); their hashes are in the artifact."""
    import hashlib

    from verifier_contracts.solc import node_modules

    pkg = json.loads((node_modules() / "@openzeppelin" / "contracts" / "package.json")
                     .read_text())
    assert pkg["version"] == "5.7.0"
    for name in ("SolvencyRegistry", "AttesterRegistry"):
        imports = arts.load_artifact(name)["importsSha256"]
        unit = "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol"
        assert unit in imports and len(imports) >= 10
        for unit, digest in imports.items():
            local = arts.SOL_DIR / unit
            path = local if local.is_file() else node_modules() / unit
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert imports.keys() >= ({"lib/ProofChecks.sol", "lib/RiskMath.sol"}
                                  if name == "SolvencyRegistry" else set())
    assert arts.load_artifact("Groth16VerifierTemplate")["importsSha256"] == {}
