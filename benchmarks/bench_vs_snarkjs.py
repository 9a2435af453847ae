"""Groth16 proving time and peak memory: our native prover against snarkjs, same circuit,
same proving key, same witness.

    python benchmarks/bench_vs_snarkjs.py                          # 2^12..2^18, both shapes
    python benchmarks/bench_vs_snarkjs.py --sizes 16,18 --ours-only 20
    python benchmarks/bench_vs_snarkjs.py --shapes rangeheavy --sizes 16 --repeat 3

Shapes (circuits/examples.py): ``mulchain`` (MulChain, a dense multiplication chain) and
``rangeheavy`` (RangeHeavy, 64-bit range checks: mostly 0/1 witness values), each sized
so that its rows fill a domain of 2^k. Each circuit is built once with our DSL, given a
development setup, and exported with the iden3 writers (.r1cs, .wtns, .zkey), so snarkjs
proves the same circuit with the same key and witness. Artifacts are cached under
benchmarks/.cache/ (delete it, or pass --fresh, to redo the setups).

"ours" is the full path from the witness inputs to the proof, in a fresh process per
case: ``CompiledCircuit.solve`` (witness generation and the R1CS check) plus
``groth16.prove``; the split is reported too. Loading the circuit and the key is not
timed (snarkjs's time includes reading its .zkey). "snarkjs" is the wall time of
``snarkjs groth16 prove`` (a node process). Peak memory is the maximum resident set of
that process (VmHWM for ours; for snarkjs ru_maxrss of node run under /usr/bin/time
when present, else of the direct child). The two alternate, one case at a time, and both proofs are
checked with our verifier. With --repeat N the median time is reported.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from circuits.examples import MulChain, RangeHeavy  # noqa: E402
from zk import compile_circuit, groth16  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
SNARKJS = Path(os.environ.get("ZK_NODE_BIN", ROOT / ".ci" / "npm" / "node_modules" / ".bin")) \
    / "snarkjs"
TIME_BIN = Path("/usr/bin/time")
SHAPES = ("mulchain", "rangeheavy")
RANGE_ROWS = 65  # constraints per 64-bit range-checked value


def make_case(shape: str, logn: int):
    """(circuit, inputs) whose rows (constraints + public rows) fill a 2^logn domain."""
    rows = 1 << logn
    if shape == "mulchain":
        # n + 1 constraints, one public output, plus the constant-one row
        return MulChain(rows - 3), {"x": 3}
    if shape == "rangeheavy":
        n = (rows - 3) // RANGE_ROWS
        rng = random.Random(logn)
        values = [rng.randrange(1 << 64) for _ in range(n)]
        return RangeHeavy(n), {"values": values, "total": sum(values)}
    raise SystemExit(f"unknown shape {shape!r} (choose from {', '.join(SHAPES)})")


def case_dir(shape: str, logn: int) -> Path:
    return CACHE / f"{shape}-2^{logn}"


def prepare(shape: str, logn: int, with_snarkjs: bool, fresh: bool) -> dict:
    """Compile, set up and export one case (cached); returns its metadata."""
    CACHE.mkdir(parents=True, exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    d = case_dir(shape, logn)
    meta_path = d / "meta.json"
    circuit, inputs = make_case(shape, logn)
    cs = compile_circuit(circuit)
    digest = cs.digest()
    meta = json.loads(meta_path.read_text()) if meta_path.exists() and not fresh else {}
    if meta.get("digest") != digest or not (d / "pk.pickle").exists():
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        t0 = time.perf_counter()
        pk = groth16.setup(cs)
        meta = {"digest": digest, "constraints": cs.num_constraints, "wires": cs.num_wires,
                "domain": pk.domain_size, "setup_s": round(time.perf_counter() - t0, 2)}
        with open(d / "pk.pickle", "wb") as fh:
            pickle.dump(pk, fh, protocol=pickle.HIGHEST_PROTOCOL)
        meta_path.write_text(json.dumps(meta))
    if with_snarkjs and not (d / "circuit.zkey").exists():
        export_iden3(cs, inputs, d)
    return meta


def export_iden3(cs, inputs, d: Path) -> None:
    """Our R1CS, witness and proving key as .r1cs/.wtns/.zkey for snarkjs."""
    from zk.formats.iden3 import write_r1cs, write_wtns
    with open(d / "pk.pickle", "rb") as fh:
        pk = pickle.load(fh)
    witness = cs.solve(inputs)
    write_r1cs(cs, d / "circuit.r1cs")
    write_wtns(witness, d / "witness.wtns")
    try:
        from zk.formats.iden3 import write_zkey
    except ImportError:  # no .zkey writer: snarkjs sets up its own key for our .r1cs
        snarkjs_setup(cs, d)
        return
    write_zkey(pk, d / "circuit.zkey")


def snarkjs_setup(cs, d: Path) -> None:
    """Fallback: `snarkjs groth16 setup` on our .r1cs with a cached phase-2 ptau."""
    from zk.groth16.qap import domain_size_for
    power = max(8, domain_size_for(cs.num_constraints, cs.num_public).bit_length() - 1)
    ptau = CACHE / f"pot{power}_final.ptau"
    if not ptau.exists():
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            snarkjs("powersoftau", "new", "bn128", str(power), "p0.ptau", cwd=tmp)
            snarkjs("powersoftau", "contribute", "p0.ptau", "p1.ptau", "--name=bench",
                    "-e=bench entropy", cwd=tmp)
            snarkjs("powersoftau", "prepare", "phase2", "p1.ptau", str(ptau), cwd=tmp)
    snarkjs("groth16", "setup", "circuit.r1cs", str(ptau), "circuit.zkey", cwd=d)
    from zk.formats.iden3 import read_zkey
    with open(d / "pk.pickle", "wb") as fh:  # both provers use snarkjs's key then
        pickle.dump(read_zkey(d / "circuit.zkey").pk, fh, protocol=pickle.HIGHEST_PROTOCOL)


def snarkjs(*args: str, cwd) -> None:
    subprocess.run([str(SNARKJS), *args], cwd=cwd, check=True, capture_output=True)


# ---- one timed run of ours, in a fresh process -------------------------------------------

def worker(shape: str, logn: int) -> None:
    """Runs inside the fresh process: load, then time solve + prove; prints one JSON line."""
    import gc

    circuit, inputs = make_case(shape, logn)
    cs = compile_circuit(circuit)
    with open(case_dir(shape, logn) / "pk.pickle", "rb") as fh:
        pk = pickle.load(fh)
    gc.collect()
    t0 = time.perf_counter()
    witness = cs.solve(inputs)
    t1 = time.perf_counter()
    proof = groth16.prove(pk, witness)
    t2 = time.perf_counter()
    public = cs.public_values(witness)
    ok = groth16.verify(pk.vk, proof, public)
    print(json.dumps({"solve": t1 - t0, "prove": t2 - t1, "total": t2 - t0, "ok": ok,
                      "public": [str(x) for x in public], "peak_mib": own_peak_mib()}))


def own_peak_mib() -> float:
    """Peak RSS of this process. VmHWM belongs to this process's own address space;
    ru_maxrss after fork + exec may still carry the (larger) parent's high-water mark."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(shape: str, logn: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", shape, str(logn)],
                         capture_output=True, text=True, timeout=7200)
    if out.returncode != 0:
        raise RuntimeError(f"our prover failed on {shape} 2^{logn}:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if not res["ok"]:
        raise RuntimeError(f"our proof for {shape} 2^{logn} does not verify")
    return res


def run_snarkjs(shape: str, logn: int, public: list[str]) -> dict:
    """Wall time and peak RSS of `snarkjs groth16 prove`; the proof is checked by us."""
    from zk.formats.snarkjs_json import proof_from_json, public_from_json
    d = case_dir(shape, logn)
    with tempfile.TemporaryDirectory() as tmp:
        argv = [str(SNARKJS), "groth16", "prove", str(d / "circuit.zkey"),
                str(d / "witness.wtns"), "proof.json", "public.json"]
        # /usr/bin/time forks node from a small process, so node's ru_maxrss is its own
        # (a child forked from this big process may inherit our high-water mark)
        rss_file = Path(tmp) / "rss.txt"
        if TIME_BIN.exists():
            argv = [str(TIME_BIN), "-f", "%M", "-o", str(rss_file), *argv]
        with open(Path(tmp) / "log.txt", "w") as log:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"snarkjs failed on {shape} 2^{logn}:\n"
                               f"{(Path(tmp) / 'log.txt').read_text()[-3000:]}")
        peak_kib = usage.ru_maxrss
        if rss_file.exists():
            peak_kib = int(rss_file.read_text().split()[-1])
        proof = proof_from_json(json.loads((Path(tmp) / "proof.json").read_text()))
        pub = public_from_json(json.loads((Path(tmp) / "public.json").read_text()))
    with open(d / "pk.pickle", "rb") as fh:
        vk = pickle.load(fh).vk
    if [str(x) for x in pub] != public or not groth16.verify(vk, proof, pub):
        raise RuntimeError(f"snarkjs's proof for {shape} 2^{logn} does not verify")
    return {"total": wall, "peak_mib": peak_kib / 1024}


def wait_for_quiet(max_load: float, patience: float) -> float:
    """Sleeps while the 1-minute load average is above max_load (at most patience s)."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] > max_load and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--sizes", default="12,14,16,18", help="log2 domain sizes, both provers")
    ap.add_argument("--ours-only", default="", help="log2 sizes run with our prover only")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case (median reported)")
    ap.add_argument("--no-snarkjs", action="store_true", help="skip snarkjs entirely")
    ap.add_argument("--max-load", type=float, default=None,
                    help="before each run wait (up to --patience s) for the 1-min load "
                         "average to drop below this")
    ap.add_argument("--patience", type=float, default=600)
    ap.add_argument("--fresh", action="store_true", help="redo setups and exports")
    ap.add_argument("--prepare-only", action="store_true",
                    help="only build, set up and export the cases (fills the cache)")
    ap.add_argument("--worker", nargs=2, metavar=("SHAPE", "LOGN"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return
    shapes = [s for s in args.shapes.split(",") if s]
    both = [int(x) for x in args.sizes.split(",") if x]
    alone = [int(x) for x in args.ours_only.split(",") if x]
    use_snarkjs = not args.no_snarkjs
    if use_snarkjs and not SNARKJS.exists():
        print(f"note: {SNARKJS} not found; running our prover only", file=sys.stderr)
        use_snarkjs = False
    rows, loads = [], []
    for shape in shapes:
        for logn in sorted(set(both) | set(alone)):
            with_sj = use_snarkjs and logn in both
            print(f"{shape} 2^{logn}: preparing ...", file=sys.stderr, flush=True)
            meta = prepare(shape, logn, with_sj, args.fresh)
            if args.prepare_only:
                continue
            ours, theirs = [], []
            for _ in range(args.repeat):
                if args.max_load is not None:
                    loads.append(wait_for_quiet(args.max_load, args.patience))
                ours.append(run_ours(shape, logn))
                if with_sj:
                    if args.max_load is not None:
                        loads.append(wait_for_quiet(args.max_load, args.patience))
                    theirs.append(run_snarkjs(shape, logn, ours[-1]["public"]))
            o = sorted(ours, key=lambda r: r["total"])[len(ours) // 2]
            row = [shape, meta["constraints"], f"2^{logn}",
                   f"{o['total']:.3f}", f"{o['solve']:.3f} + {o['prove']:.3f}",
                   f"{max(r['peak_mib'] for r in ours):.0f}"]
            if theirs:
                t = statistics.median(r["total"] for r in theirs)
                row += [f"{t:.2f}", f"{max(r['peak_mib'] for r in theirs):.0f}",
                        f"{o['total'] / t:.3f}"]
            else:
                row += ["-", "-", "-"]
            rows.append(row)
            print("  " + " | ".join(str(c) for c in row), file=sys.stderr, flush=True)
    if args.prepare_only:
        return
    headers = ["shape", "constraints", "domain", "ours s", "ours solve + prove s",
               "ours peak MiB", "snarkjs s", "snarkjs peak MiB", "ours/snarkjs"]
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    threads = os.environ.get("ZK_THREADS") or str(os.cpu_count())
    extra = f"; 1-min load before runs {min(loads):.2f}..{max(loads):.2f}" if loads else ""
    print(f"\n{os.cpu_count()} cores, our prover with {threads} threads{extra}.")


if __name__ == "__main__":
    main()
