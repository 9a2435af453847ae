"""Whole-process Groth16 proving from the files a user has: zk-solvency vs snarkjs vs
groth16py (arkworks), with peak memory; plus the in-process kernel table.

    pip install groth16py==0.2.0          # the arkworks column (PyPI wheel; optional)
    python benchmarks/bench_vs_snarkjs.py                         # 2^16 and 2^18, 3 shapes
    python benchmarks/bench_vs_snarkjs.py --sizes 16 --repeat 5 --shapes solvency
    python benchmarks/bench_vs_snarkjs.py --prepare-only          # build the cached files

Table 1 (whole process, wall time from exec to exit, median of --repeat runs, peak RSS
from GNU time's %M; tools alternate, their order rotating each round, after one untimed
warm-up run each):
- ``--zkey`` path, the same ``circuit.zkey`` + ``witness.wtns`` for all three:
  ``zksolvency prove --zkey c.zkey --wtns w.wtns``; ``snarkjs groth16 prove c.zkey w.wtns``;
  groth16py as a Python process: ``import_zkey`` then ``prove_wtns`` (see G16_PROVE).
- own-format path: ``zksolvency prove module:Circuit -p n=N --keys keys/ -i inputs.json
  --cache-dir compiled/`` (the compiled circuit from the cache the warm-up run filled,
  solving the witness, loading our key, proving); its ratio is against groth16py's whole
  ``--zkey`` process.
Every proof is checked with our verifier against the expected public values.

Table 2 (in-process kernels, key already loaded, labelled as such): ours
``groth16.prove(pk, witness)`` (the witness solve shown apart) against groth16py's
``prove_wtns`` with its key imported; medians of --repeat fresh processes.

Shapes (circuits/examples.py) fill a 2^k domain: ``mulchain`` (dense multiplication
chain, one public output), ``rangeheavy`` (64-bit range checks: mostly 0/1 witness
values), ``solvency`` (per asset a 64-bit range check, a product with a public price and
a Poseidon step; n + 2 public inputs, 215 at 2^16). Files are cached in benchmarks/.cache/
(--fresh redoes them). snarkjs comes from .ci/npm (ZK_NODE_BIN overrides).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._cases import SHAPES, Case, make_case, prepare  # noqa: E402
from benchmarks._measure import cli_path, run_measured, table  # noqa: E402

SNARKJS = Path(os.environ.get("ZK_NODE_BIN", ROOT / ".ci" / "npm" / "node_modules" / ".bin")) \
    / "snarkjs"
G16_PROVE = ("import sys, groth16py; pk, _ = groth16py.import_zkey(sys.argv[1]); "
             "open(sys.argv[3], 'wb').write(groth16py.prove_wtns(pk, sys.argv[2]))")


def has_groth16py() -> bool:
    return subprocess.run([sys.executable, "-c", "import groth16py"],
                          capture_output=True).returncode == 0


# ---- the tools, each as one whole process ------------------------------------------------

def tool_argv(tool: str, case: Case, out: Path) -> list[str]:
    d = case.dir
    zkey, wtns = str(d / "circuit.zkey"), str(d / "witness.wtns")
    if tool == "ours --zkey":
        return [cli_path(), "prove", "--zkey", zkey, "--wtns", wtns,
                "--proof", str(out / "proof.json"), "--public", str(out / "public.json")]
    if tool == "ours own keys":
        return [cli_path(), "prove", case.spec, "-p", f"n={case.n}", "--keys", str(d / "keys"),
                "-i", str(d / "inputs.json"), "--cache-dir", str(d / "compiled"),
                "--proof", str(out / "proof.json"), "--public", str(out / "public.json")]
    if tool == "snarkjs":
        return [str(SNARKJS), "groth16", "prove", zkey, wtns, str(out / "proof.json"),
                str(out / "public.json")]
    if tool == "groth16py":
        return [sys.executable, "-c", G16_PROVE, zkey, wtns, str(out / "proof.bin")]
    raise ValueError(tool)


def check_proof(tool: str, case: Case, out: Path, expected: list[str]) -> None:
    """Raise unless the tool's proof verifies with our verifier for the expected inputs."""
    from prover import workflow
    from zk import curve, groth16
    from zk.groth16 import Proof
    vk, _ = workflow.read_vk(case.dir / "keys" / workflow.VK_NAME)
    public = [int(x) for x in expected]
    if tool == "groth16py":        # Ethereum blob: 8 big-endian words, G2 as (c1, c0)
        blob = (out / "proof.bin").read_bytes()
        v = [int.from_bytes(blob[32 * i:32 * i + 32], "big") for i in range(8)]
        proof = Proof(curve.g1_from_coords(v[0], v[1]),
                      curve.g2_from_coords((v[3], v[2]), (v[5], v[4])),
                      curve.g1_from_coords(v[6], v[7]))
    else:
        proof = workflow.read_proof(out / "proof.json")
        if workflow.read_public(out / "public.json") != public:
            raise RuntimeError(f"{tool}: wrong public values on {case.shape} 2^{case.logn}")
    if not groth16.verify(vk, proof, public):
        raise RuntimeError(f"{tool}: proof for {case.shape} 2^{case.logn} does not verify")


def run_tool(tool: str, case: Case, expected: list[str]) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        wall, peak = run_measured(tool_argv(tool, case, Path(tmp)), cwd=tmp)
        check_proof(tool, case, Path(tmp), expected)
    return wall, peak


# ---- in-process kernels (fresh process each, key loaded before timing) ---------------------

def worker(kind: str, shape: str, logn: int) -> None:
    """Inside a fresh process: load, then time the kernel; prints one JSON line."""
    import gc
    case = make_case(shape, logn)
    if kind == "groth16py":
        import groth16py
        pk, _ = groth16py.import_zkey(str(case.dir / "circuit.zkey"))
        gc.collect()
        t0 = time.perf_counter()
        groth16py.prove_wtns(pk, str(case.dir / "witness.wtns"))
        print(json.dumps({"prove": time.perf_counter() - t0}))
        return
    from prover.service import Prover
    prover = Prover.load(case.dir / "keys", case.spec, {"n": case.n})
    gc.collect()
    t0 = time.perf_counter()
    witness = prover.cs.solve(case.inputs)
    t1 = time.perf_counter()
    res = prover.prove_witness(witness)
    t2 = time.perf_counter()
    from zk import groth16
    if not groth16.verify(prover.vk, res.proof, res.public):
        raise SystemExit("in-process proof does not verify")
    print(json.dumps({"solve": t1 - t0, "prove": t2 - t1}))


def run_worker(kind: str, case: Case) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", kind, case.shape,
                          str(case.logn)], capture_output=True, text=True, timeout=7200)
    if out.returncode != 0:
        raise RuntimeError(f"worker {kind} {case.shape} 2^{case.logn}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the run ------------------------------------------------------------------------------

def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt(x: float, digits: int = 2) -> str:
    return "–" if x != x else f"{x:.{digits}f}"


def whole_process_rows(case: Case, meta: dict, tools: list[str], repeat: int) -> list[list]:
    expected = meta["public_values"]
    for tool in tools:                                        # warm-up, untimed
        run_tool(tool, case, expected)
    runs: dict[str, list[tuple[float, float]]] = {t: [] for t in tools}
    for k in range(repeat):
        for tool in tools[k % len(tools):] + tools[:k % len(tools)]:
            runs[tool].append(run_tool(tool, case, expected))
            print(f"  {case.shape} 2^{case.logn} {tool}: {runs[tool][-1][0]:.2f} s, "
                  f"{runs[tool][-1][1]:.0f} MiB", file=sys.stderr, flush=True)
    t = {tool: median([w for w, _ in runs.get(tool, [])]) for tool in
         ("ours --zkey", "ours own keys", "snarkjs", "groth16py")}
    m = {tool: max([p for _, p in runs.get(tool, [])], default=float("nan")) for tool in t}
    head = [case.shape, f"2^{case.logn}", meta["public"]]
    zkey_row = head + ["`--zkey --wtns`", fmt(t["ours --zkey"]), fmt(t["snarkjs"]),
                       fmt(t["groth16py"]), fmt(t["ours --zkey"] / t["snarkjs"], 3),
                       fmt(t["ours --zkey"] / t["groth16py"], 3), fmt(m["ours --zkey"], 0),
                       fmt(m["snarkjs"], 0), fmt(m["groth16py"], 0)]
    own_row = head + ["own keys + inputs.json", fmt(t["ours own keys"]), "–",
                      fmt(t["groth16py"]) + " (`.zkey`)", "–",
                      fmt(t["ours own keys"] / t["groth16py"], 3), fmt(m["ours own keys"], 0),
                      "–", "–"]
    return [zkey_row, own_row]


def kernel_row(case: Case, use_g16: bool, repeat: int) -> list:
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(run_worker("ours", case))
        if use_g16:
            theirs.append(run_worker("groth16py", case))
    solve = median([r["solve"] for r in ours])
    prove = median([r["prove"] for r in ours])
    g16 = median([r["prove"] for r in theirs])
    return [case.shape, f"2^{case.logn}", fmt(solve, 3), fmt(prove, 3), fmt(g16, 3),
            fmt(prove / g16, 3)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--sizes", default="16,18", help="log2 domain sizes")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per tool (median)")
    ap.add_argument("--no-snarkjs", action="store_true")
    ap.add_argument("--no-groth16py", action="store_true")
    ap.add_argument("--no-kernels", action="store_true", help="skip table 2")
    ap.add_argument("--fresh", action="store_true", help="redo setups and exports")
    ap.add_argument("--prepare-only", action="store_true", help="only build the cached files")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    tools = ["ours --zkey", "ours own keys"]
    if not args.no_snarkjs:
        if SNARKJS.exists():
            tools.append("snarkjs")
        else:
            print(f"note: {SNARKJS} not found; no snarkjs column", file=sys.stderr)
    use_g16 = not args.no_groth16py and has_groth16py()
    if not args.no_groth16py and not use_g16:
        print("note: groth16py not installed (pip install groth16py==0.2.0); no groth16py "
              "column", file=sys.stderr)
    if use_g16:
        tools.append("groth16py")
    rows, krows, loads = [], [], []
    for shape in [s for s in args.shapes.split(",") if s]:
        for logn in [int(x) for x in args.sizes.split(",") if x]:
            case = make_case(shape, logn)
            print(f"{shape} 2^{logn}: preparing ...", file=sys.stderr, flush=True)
            meta = prepare(case, args.fresh)
            if args.prepare_only:
                continue
            loads.append(os.getloadavg()[0])
            rows += whole_process_rows(case, meta, tools, args.repeat)
            if not args.no_kernels:
                krows.append(kernel_row(case, use_g16, args.repeat))
            loads.append(os.getloadavg()[0])
    if args.prepare_only:
        return
    print("Whole process, from the user's files (median of "
          f"{args.repeat}; peak RSS MiB = max over runs):\n")
    print(table(["shape", "domain", "public", "path", "ours s", "snarkjs s", "groth16py s",
                 "ours/snarkjs", "ours/groth16py", "ours MiB", "snarkjs MiB",
                 "groth16py MiB"], rows))
    if krows:
        print(f"\nIn-process kernels, key already loaded (median of {args.repeat}):\n")
        print(table(["shape", "domain", "ours solve s", "ours prove s",
                     "groth16py prove_wtns s", "ours prove/groth16py"], krows))
    threads = os.environ.get("ZK_THREADS") or f"{os.cpu_count()} (all cores)"
    print(f"\n{os.cpu_count()} cores; ZK_THREADS {threads}; 1-min load average during the "
          f"run {min(loads):.2f}..{max(loads):.2f}.")


if __name__ == "__main__":
    main()
