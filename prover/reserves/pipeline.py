"""The sharded proof of reserves, end to end: keys per shape, batch proofs, top proof,
inclusion files, and the checks a verifier runs over the output folder.

Output folder::

    run.json                  public manifest: plan, statement, chain, batch files
    assets.json               the asset list (public)
    batch_vk.json             verifying key of every batch proof (with its Statement)
    batches/<k>-<cid>.json    batch k's proof and public inputs; cid = SHA-256 of the
                              batch key id and public inputs (content address)
    top/                      proof.json, public.json, statement.json, verification_key.json
    inclusion/<name>.json     one v3 file per user, name from the user's secret
    inclusion/index.json      the list of file names (never user ids)
    private/                  PRIVATE (0700): run secret, user index, user secrets

A re-run over the same folder recomputes the batch roots, then skips every batch whose
content-addressed result exists for the current root; it ends with every batch proven or
names the batches that failed.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from circuits.reserves_batch import (
    ReservesBatch,
    ReservesTop,
    batch_chain,
    top_levels,
)
from prover import flow, workflow
from prover.reserves import tasks
from prover.reserves.executor import executor
from prover.reserves.ingest import AssetList, count_users, iter_batches
from prover.reserves.planner import Plan, plan
from prover.reserves.users import private_dir, run_secret
from zk import atomic, groth16, progress
from zk.errors import MalformedInput
from zk.formats import snarkjs_json as sj

KIND_BATCH, KIND_TOP = "reserves-batch", "reserves-top"
RUN_FORMAT = "zk-solvency/reserves-run/v1"


@dataclass(frozen=True)
class Context:
    """What the top proof is bound to: the chain, the registry, the exchange, the epoch."""

    chain_id: int
    registry: str
    exchange: str
    epoch: int

    def __post_init__(self) -> None:
        for name in ("registry", "exchange"):
            v = getattr(self, name)
            if not isinstance(v, str) or len(v) != 42 or v[:2] != "0x" or \
                    any(c not in "0123456789abcdefABCDEF" for c in v[2:]):
                raise MalformedInput(f"{name} must be a 0x address of 40 hex digits")
        for name in ("chain_id", "epoch"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 1 << 64:
                raise MalformedInput(f"{name} must be an integer in 0..2^64-1")

    def public(self) -> dict:
        return {"epoch": self.epoch, "chain_id": self.chain_id,
                "registry": int(self.registry, 16), "exchange": int(self.exchange, 16)}


@dataclass
class RunResult:
    plan: Plan
    out_dir: Path
    root: int = 0
    liabilities: list[int] = field(default_factory=list)
    proven: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    batch_seconds: list[dict] = field(default_factory=list)
    batch_folder: Path = Path()

    @property
    def ok(self) -> bool:
        return not self.failed


# --- keys ---------------------------------------------------------------------------
def cache_dir(keys_dir: str | Path) -> Path:
    return Path(keys_dir) / "compiled"


def batch_circuit(p: Plan, n_assets: int) -> ReservesBatch:
    return ReservesBatch(p.batch_bits, n_assets)


def top_circuit(p: Plan, n_assets: int) -> ReservesTop:
    return ReservesTop(p.n_batches, n_assets, p.batch_bits)


def key_folders(keys_dir: str | Path, p: Plan, n_assets: int) -> tuple[Path, Path]:
    return (flow.key_folder(keys_dir, KIND_BATCH, batch_circuit(p, n_assets)),
            flow.key_folder(keys_dir, KIND_TOP, top_circuit(p, n_assets)))


def has_keys(keys_dir: str | Path, p: Plan, n_assets: int) -> bool:
    """True when both key sets of this shape (batch and top) exist."""
    return all(flow.has_keys(f) for f in key_folders(keys_dir, p, n_assets))


def setup(keys_dir: str | Path, p: Plan, n_assets: int, force: bool = False) -> tuple[Path,
                                                                                     Path]:
    """DEVELOPMENT setup, once per shape: one key pair for every batch, one for the top.
    A complete key set already there is reused unless ``force``, after the same checks as
    every setup (manifest hashes, pk/vk pair, this circuit and statement), so a broken or
    foreign set is refused rather than reused (see :func:`has_keys` for "all reused")."""
    from zk.cache import load_or_compile
    folders = key_folders(keys_dir, p, n_assets)
    for circuit, folder in zip((batch_circuit(p, n_assets), top_circuit(p, n_assets)),
                               folders, strict=True):
        with progress.step(f"compile {circuit.describe()}"):
            cs = load_or_compile(circuit, cache_dir(keys_dir))
        if flow.has_keys(folder) and not force:
            with progress.step("check existing keys"):
                workflow.load_proving_key(folder, cs)
            continue
        with progress.step(f"setup ({cs.num_constraints:,} constraints)"):
            workflow.setup_to_dir(cs, folder)
    return folders


def _key_id(folder: Path) -> tuple[str, str]:
    """(key id, statement hash) of a key folder, 0x hex."""
    vk, st = workflow.read_vk(workflow.vk_file(folder))
    kid = workflow.key_id_of(vk, st)
    if st is None or kid is None:
        raise MalformedInput(f"{folder}: the verification key carries no statement")
    return "0x" + kid.hex(), "0x" + st.hash().hex()


# --- the run ------------------------------------------------------------------------
def _batch_file(out: Path, index: int, key_id: str, public: list[int]) -> Path:
    cid = hashlib.sha256(json.dumps([key_id, [str(v) for v in public]]).encode()).hexdigest()
    return out / "batches" / f"{index:06d}-{cid[:32]}.json"


def _write_batch(out: Path, path: Path, result: dict, vk, root: int) -> list[str]:
    """Inclusion files and user secrets first, the batch result last (atomically).

    Each file is written under a temporary name and renamed into place, so a file is
    either whole or absent; one flush of the file system then puts every renamed file
    on disk before the user secrets and the batch result (which marks the batch done)
    are written, each atomically."""
    inc = out / "inclusion"
    inc.mkdir(parents=True, exist_ok=True)
    rows = io.StringIO()
    writer = csv.writer(rows)
    for name, (uid, secret_hex, text) in result["files"].items():
        tmp = inc / f".{name}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, inc / name)
        writer.writerow([uid, secret_hex, name])
    secrets_dir = private_dir(out) / "user-secrets"
    secrets_dir.mkdir(exist_ok=True)
    _flush(inc)                                 # every file above is on disk before the result
    atomic.write_text(secrets_dir / f"{result['index']:06d}.csv", rows.getvalue())
    names = sorted(result["files"])
    atomic.write_json(path, {"index": result["index"], "root": str(root), "files": names,
                             "public": sj.public_to_json(result["public"]),
                             "proof": workflow.proof_json(result["proof"], vk[0], vk[1])})
    return names


def _flush(folder: Path) -> None:
    """Put everything written on the file system of ``folder`` on disk: syncfs(2) on that
    one file system where the C library has it, else sync(2) of every file system."""
    syncfs = getattr(_libc(), "syncfs", None)
    if syncfs is not None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


@functools.lru_cache(maxsize=1)
def _libc():
    import ctypes
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def run(assets: AssetList, ledger: str | Path, keys_dir: str | Path, out_dir: str | Path,
        ctx: Context, batch_bits: int | None = None, workers: int = 1, threads: int = 1,
        ray_address: str | None = None, task_log: str | None = None,
        use_ray: bool = False) -> RunResult:
    """Prove the ledger into ``out_dir`` (see the module docstring)."""
    t_start = time.perf_counter()
    out = Path(out_dir)
    priv = private_dir(out)
    secret = run_secret(out)
    n_assets = len(assets.assets)
    with progress.step("ledger check"):
        n_users = count_users(ledger, assets, priv / "users.sqlite")
    p = plan(n_users, n_assets, batch_bits, workers)
    res = RunResult(p, out)
    bfolder, tfolder = key_folders(keys_dir, p, n_assets)
    res.batch_folder = bfolder
    for f in (bfolder, tfolder):
        if not flow.has_keys(f):
            raise MalformedInput(f"{f}: no keys for this shape ({p.describe()}); run "
                                 "`zksolvency reserves setup` first")
    cdir = str(cache_dir(keys_dir))
    b_key, _ = _key_id(bfolder)
    t_key, t_hash = _key_id(tfolder)
    b_vk = workflow.read_vk(workflow.vk_file(bfolder))
    res.seconds["ingest"] = time.perf_counter() - t_start

    def jobs(**extra) -> Iterator[tasks.BatchJob]:
        for rows in iter_batches(ledger, assets, p.batch_bits, priv / "users.sqlite"):
            yield tasks.BatchJob(rows.index, p.batch_bits, n_assets, rows.ids, rows.balances,
                                 secret, cdir, task_log=task_log, **extra)

    ex = executor(workers, threads, ray_address, use_ray)
    try:
        t0 = time.perf_counter()
        roots: list = [None] * p.n_batches
        sums: list = [None] * p.n_batches
        bar = progress.bar("batch roots", p.n_batches)
        for index, value, err in ex.run(tasks.batch_root, jobs()):
            if err:
                res.failed[index] = err
            else:
                roots[index], sums[index] = value
            bar.advance()
        if res.failed:
            return res
        res.seconds["roots"] = time.perf_counter() - t0
        links = batch_chain(roots, sums)
        top = top_levels(roots, p.batch_bits, n_assets)
        res.root = top[-1][0]
        res.liabilities = [sum(s[k] for s in sums) for k in range(n_assets)]
        statement = {"chain_id": str(ctx.chain_id), "registry": ctx.registry.lower(),
                     "exchange": ctx.exchange.lower(), "epoch": str(ctx.epoch),
                     "key_id": t_key, "statement_hash": t_hash}
        expected = {k: [k, links[k], links[k + 1], roots[k], *sums[k]]
                    for k in range(p.n_batches)}
        files = {k: _batch_file(out, k, b_key, expected[k]) for k in expected}
        for k, path in files.items():
            if path.is_file() and atomic.read_json(path).get("root") == str(res.root):
                res.skipped.append(k)
        t0 = time.perf_counter()
        key_source = ex.put(_key_buffer(bfolder)) if ex.workers > 1 or ray_address or \
            use_ray else str(bfolder)
        todo = (j for j in jobs(top_levels=top, assets=assets.assets,
                                decimals=assets.decimals, statement=statement)
                if j.index not in res.skipped)
        bar = progress.bar("batch proofs", p.n_batches, len(res.skipped))
        pending_jobs = _with_links(todo, links)
        for index, value, err in ex.run(tasks.prove_batch, pending_jobs, b_key, key_source):
            if err is None and value["public"] != expected[index]:
                err = "the batch proof's public inputs are not the planned ones"
            if err:
                res.failed[index] = err
            else:
                t_write = time.perf_counter()
                _write_batch(out, files[index], value, b_vk, res.root)
                secs = value["seconds"]
                secs["write"] = time.perf_counter() - t_write
                secs["total"] = sum(secs.values())
                res.proven.append(index)
                res.batch_seconds.append(secs)
            bar.advance()
        res.seconds["batches"] = time.perf_counter() - t0
    finally:
        ex.close()
    if res.failed:
        return res
    t0 = time.perf_counter()
    _prove_top(out, tfolder, p, assets, ctx, roots, sums, links[-1], cdir)
    res.seconds["top"] = time.perf_counter() - t0
    _write_manifest(out, p, assets, statement, links, roots, sums, files, res)
    res.seconds["total"] = time.perf_counter() - t_start
    return res


def _with_links(jobs: Iterator[tasks.BatchJob], links: list[int]) -> Iterator[tasks.BatchJob]:
    for j in jobs:
        j.prev_link = links[j.index]
        yield j


def _key_buffer(folder: Path):
    """The proving key file as a numpy byte array (Ray shares it zero-copy)."""
    import numpy as np

    from prover import keyset
    return np.fromfile(keyset.load(folder).pk, dtype=np.uint8)


def _prove_top(out: Path, folder: Path, p: Plan, assets: AssetList, ctx: Context,
               roots: list[int], sums: list[list[int]], chain: int, cdir: str) -> None:
    from prover.service import Prover
    with progress.step("top proof"):
        prover = Prover.load(folder, top_circuit(p, len(assets.assets)), cache_dir=cdir)
        r = prover.prove({"batch_chain": chain, "n_batches": p.n_batches,
                          "root": top_levels(roots, p.batch_bits, len(assets.assets))[-1][0],
                          "liabilities": [sum(s[k] for s in sums)
                                          for k in range(len(assets.assets))],
                          "asset_commitment": assets.commitment(), **ctx.public(),
                          "batch_roots": roots, "batch_sums": sums})
    top = out / "top"
    workflow.write_proof(r.proof, r.public, prover.vk, top / "proof.json",
                         top / "public.json", prover.statement)
    atomic.write_json(top / flow.STATEMENT_NAME, prover.statement.to_json())
    workflow.write_vk(top / workflow.VK_NAME, prover.vk, prover.statement)


def _write_manifest(out: Path, p: Plan, assets: AssetList, statement: dict,
                    links: list[int], roots: list[int], sums: list[list[int]],
                    files: dict[int, Path], res: RunResult) -> None:
    names: list[str] = []
    for k in range(p.n_batches):
        names += atomic.read_json(files[k])["files"]
    atomic.write_json(out / "inclusion" / "index.json", sorted(names))
    atomic.write_json(out / "assets.json", assets.to_json())
    bvk, bst = workflow.read_vk(workflow.vk_file(res.batch_folder))
    workflow.write_vk(out / "batch_vk.json", bvk, bst)
    atomic.write_json(out / "run.json", {
        "format": RUN_FORMAT, "n_users": p.n_users, "batch_bits": p.batch_bits,
        "n_batches": p.n_batches, "assets": list(assets.assets),
        "decimals": list(assets.decimals), "asset_commitment": str(assets.commitment()),
        "root": str(res.root), "liabilities": [str(v) for v in res.liabilities],
        "batch_chain": str(links[-1]), "statement": statement,
        "batches": [{"index": k, "file": f"batches/{files[k].name}",
                     "prev_link": str(links[k]), "next_link": str(links[k + 1]),
                     "batch_root": str(roots[k]), "sums": [str(s) for s in sums[k]]}
                    for k in range(p.n_batches)]})


# --- verification -------------------------------------------------------------------
def verify_run(out_dir: str | Path, batch_vk: str | Path, top_vk: str | Path) -> tuple[bool,
                                                                                     str]:
    """Check an output folder: every batch proof and the top proof verify under the given
    keys, the batches chain from 0 to the top's batch_chain in order, and the manifest's
    root, liabilities and asset commitment are the top proof's."""
    out = Path(out_dir)
    man = atomic.read_json(out / "run.json")
    if not isinstance(man, dict) or man.get("format") != RUN_FORMAT:
        raise MalformedInput(f"{out / 'run.json'}: not a {RUN_FORMAT} manifest")
    bvk, bst = workflow.read_vk(batch_vk)
    tvk, tst = workflow.read_vk(top_vk)
    if bst is None or tst is None:
        raise MalformedInput("verification keys must carry their statements")
    top_public = workflow.read_public(out / "top" / "public.json")
    top = tst.values(top_public)
    if not groth16.verify(tvk, workflow.read_proof(out / "top" / "proof.json", tvk, tst),
                          top_public):
        return False, "the top proof does not verify"
    link = 0
    for k, entry in enumerate(man["batches"]):
        obj = atomic.read_json(out / entry["file"])
        public = sj.public_from_json(obj["public"], entry["file"])
        vals = bst.values(public)
        if vals["index"] != k or vals["prev_link"] != link:
            return False, f"batch {k} is not chained after batch {k - 1}"
        proof = workflow.parse_proof(obj["proof"], entry["file"], bvk, bst)
        if not groth16.verify(bvk, proof, public):
            return False, f"the proof of batch {k} does not verify"
        link = vals["next_link"]
    if link != top["batch_chain"] or len(man["batches"]) != top["n_batches"]:
        return False, "the batches do not end in the top proof's batch_chain"
    if str(top["root"]) != man["root"] or \
            [str(v) for v in top["liabilities"]] != man["liabilities"] or \
            str(top["asset_commitment"]) != man["asset_commitment"]:
        return False, "run.json does not match the top proof"
    return True, (f"{len(man['batches'])} batch proofs and the top proof verify; "
                  "the batches chain into the top proof")
