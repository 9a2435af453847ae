"""Phase-2 contribution and proving from a circom .zkey: zk-solvency vs snarkjs.

    python benchmarks/bench_ceremony.py [--power 16] [--repeat 3] [--workdir DIR]

Builds a circom circuit of 2^power - 64 squarings (domain 2^power), a snarkjs ptau of
that power (cached in the work folder: power 16 takes several minutes to prepare),
the initial .zkey with snarkjs, then times, as whole processes started from the
files and alternating the tools, --repeat rounds of one phase-2 contribution
(`zksolvency ceremony contribute` against `snarkjs zkey contribute`) and one proof
(`zksolvency prove --zkey --wtns` against `snarkjs groth16 prove`). It prints medians
of wall time, CPU time (user + system, all threads: less sensitive to other load on a
shared machine) and peak memory, the ratio ours / snarkjs of both times, and the load
average before and after. Our contribution is checked by `snarkjs zkey verify`
against the circuit and ptau once. ZK_BACKEND picks our backend (default: native if built).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._measure import TIME_BIN, table  # noqa: E402
from zk.backend import get_backend  # noqa: E402

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
    out = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    if out.returncode:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({out.returncode}):\n"
                         f"{out.stderr[-2000:]}")


def measured(*args, cwd: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one whole process, from GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        sh(TIME_BIN, "-f", "%e %U %S %M", "-o", f.name, *args, cwd=cwd)
        wall, user, system, rss = f.read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss) / 1024


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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    a = ap.parse_args()
    d = a.workdir or Path(tempfile.gettempdir()) / f"zk-bench-ceremony-{a.power}"
    d.mkdir(parents=True, exist_ok=True)
    prepare(d, a.power)
    load0 = os.getloadavg()
    snarkjs, cli = BIN / "snarkjs", Path(sys.executable).with_name("zksolvency")
    tools = {
        "ceremony contribute": (
            [cli, "ceremony", "contribute", "c0.zkey", "ours.zkey", "--name", "bench"],
            [snarkjs, "zkey", "contribute", "c0.zkey", "js.zkey", "-e=bench"]),
        "prove (.zkey + .wtns)": (
            [cli, "prove", "--zkey", "js.zkey", "--wtns", "w.wtns", "--proof", "p_ours.json",
             "--public", "pub_ours.json"],
            [snarkjs, "groth16", "prove", "js.zkey", "w.wtns", "p_js.json", "pub_js.json"]),
    }
    runs: dict[str, tuple[list, list]] = {k: ([], []) for k in tools}
    for _ in range(a.repeat):
        for name in ("ours.zkey", "js.zkey"):    # contribute refuses to overwrite
            (d / name).unlink(missing_ok=True)
        for op, (ours, js) in tools.items():     # alternate the tools within each round
            runs[op][0].append(measured(*ours, cwd=d))
            runs[op][1].append(measured(*js, cwd=d))
    # snarkjs checks our contribution (an independent verifier; ours cannot recompute
    # snarkjs's circuit hash when the domain is the ptau's full size above 2^14)
    sh(snarkjs, "zkey", "verify", "chain.r1cs", f"pot{a.power}.ptau", "ours.zkey", cwd=d)
    load1 = os.getloadavg()
    print(f"domain 2^{a.power}, backend {get_backend().name}, medians of {a.repeat} whole "
          f"processes; load average {load0[0]:.2f} before, {load1[0]:.2f} after")
    rows = []
    for op, (ours, js) in runs.items():
        o = [statistics.median(x) for x in zip(*ours)]
        j = [statistics.median(x) for x in zip(*js)]
        rows.append([op, f"{o[0]:.2f}", f"{j[0]:.2f}", f"{o[0] / j[0]:.2f}", f"{o[1]:.2f}",
                     f"{j[1]:.2f}", f"{o[1] / j[1]:.2f}", f"{o[2]:.0f}", f"{j[2]:.0f}"])
    print(table(["operation", "ours wall s", "snarkjs wall s", "wall ratio", "ours CPU s",
                 "snarkjs CPU s", "CPU ratio", "ours peak MiB", "snarkjs peak MiB"], rows))


if __name__ == "__main__":
    main()
