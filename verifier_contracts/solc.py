"""Compile Solidity with the pinned solc-js (development and CI only, never at run time)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from zk.errors import ZkError

SOLC_VERSION = "0.8.37"
#: Compiler settings of every shipped artifact (recorded in each artifact JSON too).
SETTINGS: dict = {
    "optimizer": {"enabled": True, "runs": 1000000},
    "evmVersion": "cancun",
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


def node_modules() -> Path:
    """The npm node_modules folder that import paths such as `@openzeppelin/...` resolve in."""
    return node_bin("solcjs").parent.parent


_IMPORT = re.compile(r'^\s*import\s+(?:[^"\']*?\bfrom\s+)?["\']([^"\']+)["\']', re.MULTILINE)


def _join(base: str, rel: str) -> str:
    """Resolve `rel` against the unit name `base` the way solc does (./ and ../ only)."""
    if not rel.startswith("."):
        return rel
    parts = base.split("/")[:-1]
    for seg in rel.split("/"):
        if seg == "..":
            if not parts:
                raise CompilerError(f"import {rel!r} of {base} leaves the source tree")
            parts.pop()
        elif seg != ".":
            parts.append(seg)
    return "/".join(parts)


def collect_sources(roots: dict[str, str], local: Path | None = None) -> dict[str, str]:
    """{unit name: source} for `roots` plus everything they import, transitively.

    Local files are given in `roots`; relative imports (`./lib/X.sol`) are read from the
    folder `local` (e.g. the shipped `sol/`) when given; package imports (`@scope/pkg/...`)
    are read from `node_modules()` (the pinned npm packages), so the compiler sees exact,
    hashed inputs.
    """
    out = dict(roots)
    todo = list(roots)
    base = node_modules()
    while todo:
        unit = todo.pop()
        for rel in _IMPORT.findall(out[unit]):
            name = _join(unit, rel)
            if name in out:
                continue
            path = base / name
            if local is not None and rel.startswith(".") and (local / name).is_file():
                path = local / name
            if name.startswith(".") or not path.is_file():
                raise CompilerError(f"{unit}: import {rel!r} not found (looked in {base})")
            out[name] = path.read_text(encoding="utf-8")
            todo.append(name)
    return out


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
    # Regular files, not pipes, for stdin and stdout: solcjs reads stdin with readFileSync
    # (EAGAIN on a pipe once the request outgrows its buffer) and exits right after
    # writing, which truncates a piped result at 64 KiB.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as req, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as res:
        json.dump(request, req)
        req.seek(0)
        proc = subprocess.run([str(solcjs), "--standard-json"], stdin=req, stdout=res,
                              stderr=subprocess.PIPE, text=True, timeout=timeout, check=False)
        res.seek(0)
        stdout = res.read()
    try:
        out = json.loads(stdout[stdout.index("{"):])
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
