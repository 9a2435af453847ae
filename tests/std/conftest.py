"""Fixtures for the std gadget tests: circomlibjs through node as an external oracle."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_SCRIPT = r"""
const { buildPoseidon, buildPoseidonReference } = require("circomlibjs");
(async () => {
  const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const fast = await buildPoseidon();
  const ref = await buildPoseidonReference();
  const out = cases.map(c => [fast.F.toString(fast(c.map(BigInt))),
                              ref.F.toString(ref(c.map(BigInt)))]);
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch(e => { console.error(e); process.exit(1); });
"""


def _node_modules() -> Path:
    return Path(os.environ.get("ZK_NODE_MODULES", REPO / ".ci" / "npm" / "node_modules"))


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """Directory holding circomlibjs (env ZK_NODE_MODULES overrides the repo default)."""
    return _node_modules()


@pytest.fixture(scope="session")
def circomlibjs_poseidon(tmp_path_factory):
    """Function list[list[int]] -> list[int]: circomlibjs Poseidon (wasm and reference agree)."""
    node = shutil.which("node")
    modules = _node_modules()
    if node is None or not (modules / "circomlibjs").is_dir():
        pytest.fail("node or circomlibjs not available "
                    "(run npm ci --prefix .ci/npm or set ZK_NODE_MODULES)")
    script = tmp_path_factory.mktemp("circomlibjs") / "poseidon_vectors.cjs"
    script.write_text(_SCRIPT)

    def run(cases: list[list[int]]) -> list[int]:
        env = dict(os.environ, NODE_PATH=str(modules))
        payload = json.dumps([[str(v) for v in c] for c in cases])
        res = subprocess.run([node, str(script)], input=payload, capture_output=True,
                             text=True, env=env, timeout=300, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"circomlibjs script failed: {res.stderr[-2000:]}")
        out = json.loads(res.stdout)
        for fast, ref in out:
            if fast != ref:
                raise RuntimeError("circomlibjs wasm and reference Poseidon disagree")
        return [int(fast) for fast, _ in out]

    return run


@pytest.fixture(scope="session")
def circomlibjs(tmp_path_factory):
    """circomlibjs Baby Jubjub / EdDSA oracle (see tests/std/circomlibjs_oracle.py)."""
    from tests.std.circomlibjs_oracle import make_runner
    return make_runner(tmp_path_factory.mktemp("circomlibjs_eddsa"))
