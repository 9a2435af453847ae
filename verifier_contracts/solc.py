"""Compile Solidity with the pinned solc-js (development and CI only, never at run time)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from zk.errors import ZkError

SOLC_VERSION = "0.8.37"
#: Compiler settings of every shipped artifact (recorded in each artifact JSON too).
SETTINGS: dict = {
    "optimizer": {"enabled": True, "runs": 1000000},
    "evmVersion": "shanghai",
    "metadata": {"appendCBOR": False},
}
_OUTPUTS = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]
REPO_ROOT = Path(__file__).resolve().parents[1]


class CompilerError(ZkError):
    """The Solidity compiler is missing or rejected a source."""


def node_bin(tool: str) -> Path:
    """Path of an npm tool: $ZK_NODE_BIN/<tool> or <repo>/.ci/npm/node_modules/.bin/<tool>."""
    base = os.environ.get("ZK_NODE_BIN") or REPO_ROOT / ".ci" / "npm" / "node_modules" / ".bin"
    return Path(base) / tool


def native_solc() -> str | None:
    """Path of a native `solc` on PATH, if any."""
    return shutil.which("solc")


def compile_sources(sources: dict[str, str], settings: dict | None = None,
                    timeout: float = 300) -> dict:
    """Compile {file name: source} with solcjs standard JSON; return {contract: output}.

    Each output holds `abi`, `bytecode` and `deployedBytecode` (hex without 0x).
    """
    solcjs = node_bin("solcjs")
    if not solcjs.exists():
        raise CompilerError(f"solcjs not found at {solcjs} (set ZK_NODE_BIN)")
    settings = dict(settings or SETTINGS)
    settings["outputSelection"] = {"*": {"*": _OUTPUTS}}
    request = {"language": "Solidity",
               "sources": {name: {"content": src} for name, src in sources.items()},
               "settings": settings}
    proc = subprocess.run([str(solcjs), "--standard-json"], input=json.dumps(request),
                          capture_output=True, text=True, timeout=timeout, check=False)
    try:
        out = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError as exc:
        raise CompilerError(f"solcjs failed: {proc.stderr.strip()[:500]}") from exc
    errors = [e for e in out.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompilerError("; ".join(e.get("formattedMessage", e["message"]) for e in errors))
    result = {}
    for per_file in out.get("contracts", {}).values():
        for name, c in per_file.items():
            result[name] = {"abi": c["abi"], "bytecode": c["evm"]["bytecode"]["object"],
                            "deployedBytecode": c["evm"]["deployedBytecode"]["object"]}
    return result
