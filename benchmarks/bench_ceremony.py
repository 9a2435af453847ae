"""Phase-2 contribution and proving from a circom .zkey: zk-solvency vs snarkjs.

    python benchmarks/bench_ceremony.py [--power 16] [--workdir DIR]

Builds a circom circuit of 2^power - 64 squarings (domain 2^power), a snarkjs ptau of
that power (cached in the work folder: power 16 takes several minutes to prepare),
the initial .zkey with snarkjs, then times one phase-2 contribution (whole processes:
`zksolvency ceremony contribute` against `snarkjs zkey contribute`) and one proof on each
side and prints a table. ZK_BACKEND picks our backend (default: native if built).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from zk.backend import get_backend  # noqa: E402
from zk.formats.iden3 import read_wtns, read_zkey  # noqa: E402
from zk.groth16 import prove  # noqa: E402

BIN = Path(os.environ.get("ZK_NODE_BIN", REPO / ".ci" / "npm" / "node_modules" / ".bin"))
CIRCUIT = """pragma circom 2.0.0;
template Chain(n) {
    signal input x; signal input k; signal output y;
    signal s[n + 1];
    s[0] <== x;
    for (var i = 0; i < n; i++) { s[i + 1] <== s[i] * s[i] + k; }
    y <== s[n];
}
component main {public [k]} = Chain(%d);
"""


def sh(*args, cwd: Path) -> None:
    subprocess.run([str(a) for a in args], cwd=cwd, check=True, capture_output=True)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def prepare(d: Path, power: int) -> None:
    snarkjs = BIN / "snarkjs"
    ptau = d / f"pot{power}.ptau"
    if not ptau.exists():
        sh(snarkjs, "powersoftau", "new", "bn128", power, "p0.ptau", cwd=d)
        sh(snarkjs, "powersoftau", "contribute", "p0.ptau", "p1.ptau", "-e=bench", cwd=d)
        sh(snarkjs, "powersoftau", "prepare", "phase2", "p1.ptau", ptau.name, cwd=d)
    if not (d / "c0.zkey").exists():
        (d / "chain.circom").write_text(CIRCUIT % ((1 << power) - 64))
        sh(BIN / "circom2", "chain.circom", "--r1cs", "--wasm", "-o", ".", cwd=d)
        (d / "in.json").write_text(json.dumps({"x": "3", "k": "5"}))
        sh(snarkjs, "wtns", "calculate", "chain_js/chain.wasm", "in.json", "w.wtns", cwd=d)
        sh(snarkjs, "zkey", "new", "chain.r1cs", ptau.name, "c0.zkey", cwd=d)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--power", type=int, default=16)
    ap.add_argument("--workdir", type=Path, default=None)
    a = ap.parse_args()
    d = a.workdir or Path(tempfile.gettempdir()) / f"zk-bench-ceremony-{a.power}"
    d.mkdir(parents=True, exist_ok=True)
    prepare(d, a.power)
    be = get_backend()
    snarkjs = BIN / "snarkjs"
    rows = []
    w = read_wtns(d / "w.wtns")
    (d / "ours.zkey").unlink(missing_ok=True)
    cli = Path(sys.executable).with_name("zksolvency")
    t_ours = timed(lambda: sh(cli, "ceremony", "contribute", "c0.zkey", "ours.zkey",
                              "--name", "bench", cwd=d))
    t_js = timed(lambda: sh(snarkjs, "zkey", "contribute", "c0.zkey", "js.zkey",
                            "-e=bench", cwd=d))
    rows.append(("ceremony contribute", t_ours, t_js))
    final = read_zkey(d / "js.zkey")
    t_ours = timed(lambda: prove(final.pk, w, be))
    t_js = timed(lambda: sh(snarkjs, "groth16", "prove", "js.zkey", "w.wtns", "p.json",
                            "pub.json", cwd=d))
    rows.append(("prove (from .zkey + .wtns)", t_ours, t_js))
    print(f"domain 2^{a.power}, {final.pk.num_wires} wires, backend {be.name}")
    print(f"{'operation':<28} {'zk-solvency':>12} {'snarkjs':>10}")
    for name, ours, js in rows:
        print(f"{name:<28} {ours:>11.2f}s {js:>9.2f}s")


if __name__ == "__main__":
    main()
