"""circomlibjs through node as an oracle for Baby Jubjub and EdDSA-Poseidon tests.

``run(ops)`` sends a list of operations to one node process and returns its answers:
  {"op": "add", "p": P, "q": Q}            -> P + Q
  {"op": "mul", "p": P, "k": k}            -> k * P  (mulPointEscalar)
  {"op": "in_curve" | "in_subgroup", "p"}  -> bool
  {"op": "sign", "prv": hex, "msg": m}     -> {"a": A, "r8": R8, "s": S, "k": s >> 3}
  {"op": "verify", "msg", "r8", "s", "a"}  -> bool (verifyPoseidon)
  {"op": "blake512", "hex": data}          -> hex digest (blake-hash, circomlibjs's KDF)
Points and integers travel as decimal strings.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SCRIPT = r"""
const { buildBabyjub, buildEddsa } = require("circomlibjs");
const createBlakeHash = require("blake-hash");
(async () => {
  const ops = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const eddsa = await buildEddsa();
  const bj = eddsa.babyJub;
  const F = bj.F;
  const pt = p => [F.e(p[0]), F.e(p[1])];
  const out = p => [F.toObject(p[0]).toString(), F.toObject(p[1]).toString()];
  const res = ops.map(o => {
    switch (o.op) {
      case "add": return out(bj.addPoint(pt(o.p), pt(o.q)));
      case "mul": return out(bj.mulPointEscalar(pt(o.p), BigInt(o.k)));
      case "in_curve": return bj.inCurve(pt(o.p));
      case "in_subgroup": return bj.inSubgroup(pt(o.p));
      case "sign": {
        const prv = Buffer.from(o.prv, "hex");
        const sig = eddsa.signPoseidon(prv, F.e(o.msg));
        const h = createBlakeHash("blake512").update(prv).digest();
        h[0] &= 0xF8; h[31] &= 0x7F; h[31] |= 0x40;
        let s = 0n;
        for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(h[i]);
        return { a: out(eddsa.prv2pub(prv)), r8: out(sig.R8), s: sig.S.toString(),
                 k: (s >> 3n).toString() };
      }
      case "verify":
        return eddsa.verifyPoseidon(F.e(o.msg), { R8: pt(o.r8), S: BigInt(o.s) }, pt(o.a));
      case "blake512":
        return createBlakeHash("blake512").update(Buffer.from(o.hex, "hex")).digest("hex");
      default: throw new Error("unknown op " + o.op);
    }
  });
  process.stdout.write(JSON.stringify(res));
  process.exit(0);
})().catch(e => { console.error(e); process.exit(1); });
"""


def _enc(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        return {k: _enc(x) for k, x in v.items()}
    return v


def make_runner(tmp_dir: Path):
    """A function list[op] -> list[answer] running circomlibjs in node (fails if absent)."""
    node = shutil.which("node")
    modules = Path(os.environ.get("ZK_NODE_MODULES", REPO / ".ci" / "npm" / "node_modules"))
    if node is None or not (modules / "circomlibjs").is_dir():
        pytest.fail("node or circomlibjs not available "
                    "(run npm ci --prefix .ci/npm or set ZK_NODE_MODULES)")
    script = tmp_dir / "eddsa_oracle.cjs"
    script.write_text(SCRIPT)

    def run(ops: list[dict]) -> list:
        env = dict(os.environ, NODE_PATH=str(modules))
        res = subprocess.run([node, str(script)], input=json.dumps(_enc(ops)),
                             capture_output=True, text=True, env=env, timeout=300,
                             check=False)
        if res.returncode != 0:
            raise RuntimeError(f"circomlibjs oracle failed: {res.stderr[-2000:]}")
        return json.loads(res.stdout)

    return run


def point(p) -> tuple[int, int]:
    return int(p[0]), int(p[1])
