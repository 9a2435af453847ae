"""Run the fuzz harnesses: each Atheris target of fuzz/targets.py and the libFuzzer+ASan
build of fuzz/native/fuzz_native.c, over a copy of its committed corpus.

``python -m fuzz.run --runs 10000``   bounded run (what ``.ci/fuzz`` does)
``python -m fuzz.run --seconds 600 --merge``   longer run, new coverage merged (minimised)
into fuzz/corpus/<harness>

A harness fails on an exception outside the project's error classes, a sanitizer report,
a hang (``-timeout``) or memory over ``-rss_limit_mb``; the reproducer is saved under
build/fuzz/artifacts/. Prints executions per second and corpus size per harness.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "fuzz" / "corpus"
BUILD = REPO / "build" / "fuzz"
NATIVE = "native"
NATIVE_SOURCES = ["bn254.c", "convert.c", "ntt.c", "pairing.c"]
BINARY = {NATIVE, "keyfile", "r1cs", "wtns", "zkey", "ptau", "ledger_csv"}
JSON_DICT = REPO / "fuzz" / "json.dict"
LIMITS = ["-timeout=10", "-rss_limit_mb=2048", "-max_len=8192", "-print_final_stats=1"]


@dataclass
class Result:
    name: str
    rc: int
    runs: int
    seconds: float
    files: int
    corpus_bytes: int
    log: str

    @property
    def per_second(self) -> float:
        """libFuzzer's own figure (excludes interpreter start-up), else runs / wall time."""
        m = re.search(r"stat::average_exec_per_sec: (\d+)", self.log)
        if m:
            return float(m.group(1))
        return self.runs / self.seconds if self.seconds else 0.0


def build_native(cc: str = "clang") -> Path:
    """Compile the native harness from the project's C sources with ASan and UBSan."""
    BUILD.mkdir(parents=True, exist_ok=True)
    exe = BUILD / "fuzz_native"
    src = [REPO / "zk" / "_native" / f for f in NATIVE_SOURCES]
    src.append(REPO / "fuzz" / "native" / "fuzz_native.c")
    if exe.exists() and all(p.stat().st_mtime < exe.stat().st_mtime for p in src):
        return exe
    subprocess.run([cc, "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
                    "-fno-sanitize-recover=undefined", f"-I{REPO / 'zk' / '_native'}",
                    *map(str, src), "-lpthread", "-lm", "-o", str(exe)], check=True)
    return exe


def corpus_size(name: str) -> tuple[int, int]:
    files = [p for p in (CORPUS / name).iterdir() if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def command(name: str, native_exe: Path | None) -> list[str]:
    if name == NATIVE:
        assert native_exe is not None
        return [str(native_exe)]
    return [sys.executable, "-m", "fuzz.atheris_main", name]


def run_one(name: str, budget: list[str], native_exe: Path | None, merge: bool) -> Result:
    art = BUILD / "artifacts"
    art.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(CORPUS / name, work)
        env = {**os.environ, "ZK_THREADS": "1", "PYTHONPATH": str(REPO)}
        tokens = [] if name in BINARY else [f"-dict={JSON_DICT}"]
        cmd = [*command(name, native_exe), *LIMITS, *tokens, *budget,
               f"-artifact_prefix={art}/{name}-", str(work)]
        t0 = time.monotonic()
        out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                             errors="replace")
        wall = time.monotonic() - t0
        log = out.stdout + out.stderr
        runs = int(m.group(1)) if (m := re.search(r"stat::number_of_executed_units: (\d+)",
                                                    log)) else 0
        if out.returncode == 0 and merge:
            merged = Path(tmp) / "merged"
            merged.mkdir()
            subprocess.run([*command(name, native_exe), "-merge=1", *LIMITS[:3], str(merged),
                            str(CORPUS / name), str(work)], cwd=REPO, env=env,
                           capture_output=True, check=True)
            shutil.rmtree(CORPUS / name)
            shutil.copytree(merged, CORPUS / name)
    files, size = corpus_size(name)
    return Result(name, out.returncode, runs, wall, files, size, log)


def main(argv: list[str] | None = None) -> int:
    from fuzz.targets import TARGETS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, help="executions per harness (after the corpus)")
    ap.add_argument("--seconds", type=int, help="time per harness instead of --runs")
    ap.add_argument("--jobs", type=int, default=2, help="harnesses run at once")
    ap.add_argument("--merge", action="store_true",
                    help="merge new coverage into fuzz/corpus (minimised)")
    ap.add_argument("--no-native", action="store_true", help="skip the C harness")
    ap.add_argument("only", nargs="*", help="harness names (default: all)")
    args = ap.parse_args(argv)
    if (args.runs is None) == (args.seconds is None):
        ap.error("give exactly one of --runs and --seconds")
    names = args.only or [*TARGETS, *([] if args.no_native else [NATIVE])]
    unknown = set(names) - set(TARGETS) - {NATIVE}
    if unknown:
        ap.error(f"unknown harness(es): {', '.join(sorted(unknown))}")
    native_exe = build_native() if NATIVE in names else None
    budget = [f"-runs={args.runs}"] if args.runs is not None else \
        [f"-max_total_time={args.seconds}"]
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda n: run_one(n, budget, native_exe, args.merge), names))
    print(f"{'harness':16} {'runs':>8} {'exec/s':>8} {'files':>6} {'corpus':>9}  result")
    failed = []
    for r in results:
        status = "ok" if r.rc == 0 else f"FAILED (exit {r.rc})"
        print(f"{r.name:16} {r.runs:8} {r.per_second:8.0f} {r.files:6} {r.corpus_bytes:9}  "
              f"{status}")
        if r.rc != 0:
            failed.append(r)
    print(f"total {time.monotonic() - t0:.0f} s")
    for r in failed:
        print(f"\n===== {r.name} =====\n{r.log[-6000:]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
