"""``zksolvency reserves plan|setup|prove|verify|verify-inclusion``: sharded proof of
reserves (batch proofs + a top proof) and users' inclusion checks."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from prover import reserves as lib
from prover.chainopts import chain_options
from prover.cliparams import INT
from prover.commands.reserves_chain import registry as chain_registry
from prover.inputs import InputFileError
from prover.output import JSON_OPTION, emit, verdict
from prover.reserves import ingest, pipeline
from prover.reserves.verify import verify_inclusion

ASSETS = click.option("--assets", "assets_path", required=True,
                      type=click.Path(dir_okay=False),
                      help="Public asset list JSON: {\"assets\": [{\"asset\", \"decimals\"}]}.")
LEDGER = click.option("--ledger", required=True, type=click.Path(dir_okay=False),
                      help="PRIVATE ledger: .csv (user_id,<asset>...), .jsonl or .json.")
KEYS = click.option("--keys", "keys_dir", default="keys", show_default=True,
                    type=click.Path(file_okay=False), help="Folder holding keys per shape.")
BATCH_BITS = click.option("--batch-bits", type=INT, default=None,
                          help="Batches of 2^b users [default: planned from the constraint "
                               "budget and the RAM].")
WORKERS = click.option("--workers", type=INT, default=1, show_default=True,
                       help="Parallel batch provers (Ray); 1 runs here without Ray.")


def _plan(assets_path: str, ledger: str, batch_bits: int | None, workers: int):
    """Check the whole ledger (duplicate index in a temporary folder) and plan it."""
    assets = lib.load_assets(assets_path)
    with tempfile.TemporaryDirectory(prefix="zksolvency-ledger-") as tmp:
        n = ingest.count_users(ledger, assets, Path(tmp) / "users.sqlite")
    return assets, lib.plan(n, len(assets.assets), batch_bits, workers)


@click.group("reserves")
def reserves() -> None:
    """Prove reserves liabilities in batches; users check their inclusion."""


@reserves.command("plan")
@ASSETS
@LEDGER
@BATCH_BITS
@WORKERS
@JSON_OPTION
def plan_cmd(assets_path: str, ledger: str, batch_bits: int | None, workers: int) -> None:
    """Check the ledger and show how it would be split."""
    _, p = _plan(assets_path, ledger, batch_bits, workers)
    emit(p.__dict__, p.describe())


@reserves.command("setup")
@ASSETS
@LEDGER
@BATCH_BITS
@WORKERS
@KEYS
@click.option("--force", is_flag=True, help="Replace existing keys (default: reuse them).")
@JSON_OPTION
def setup_cmd(assets_path: str, ledger: str, batch_bits: int | None, workers: int,
              keys_dir: str, force: bool) -> None:
    """DEVELOPMENT setup: one key pair for every batch of this shape, one for the top."""
    assets, p = _plan(assets_path, ledger, batch_bits, workers)
    reused = not force and pipeline.has_keys(keys_dir, p, len(assets.assets))
    bfolder, tfolder = lib.setup(keys_dir, p, len(assets.assets), force=force)
    emit({"plan": p.__dict__, "batch_keys": str(bfolder), "top_keys": str(tfolder),
          "reused": reused},
         f"{p.describe()}\n" + ("reused existing keys (--force makes new ones)\n"
                                if reused else "") +
         f"batch keys: {bfolder}\ntop keys: {tfolder}")
    click.echo("warning: development keys only (whoever ran setup can forge proofs)", err=True)


@reserves.command("prove")
@ASSETS
@LEDGER
@KEYS
@click.option("-o", "--out", "out_dir", default="reserves-proof", show_default=True,
              type=click.Path(file_okay=False))
@click.option("--chain-id", type=INT, required=True, help="Chain of the ReservesRegistry.")
@click.option("--registry", required=True, help="ReservesRegistry address (0x...).")
@click.option("--exchange", required=True, help="The exchange's address (0x...).")
@click.option("--epoch", type=INT, required=True, help="Epoch the proof is for.")
@BATCH_BITS
@WORKERS
@click.option("--threads", type=INT, default=1, show_default=True,
              help="Cores per worker (each task sets ZK_THREADS to it).")
@click.option("--ray-address", default=None, help="Join this Ray cluster instead of "
              "starting one on this machine.")
@click.option("--ray", "use_ray", is_flag=True, help="Use Ray even for one worker.")
@JSON_OPTION
def prove_cmd(assets_path: str, ledger: str, keys_dir: str, out_dir: str, chain_id: int,
              registry: str, exchange: str, epoch: int, batch_bits: int | None,
              workers: int, threads: int, ray_address: str | None, use_ray: bool) -> None:
    """Prove every batch, the top proof and every user's inclusion file."""
    assets = lib.load_assets(assets_path)
    ctx = lib.Context(chain_id, registry, exchange, epoch)
    res = lib.run(assets, ledger, keys_dir, out_dir, ctx, batch_bits, workers, threads,
                  ray_address, use_ray=use_ray)
    data = {"ok": res.ok, "root": str(res.root), "n_batches": res.plan.n_batches,
            "proven": sorted(res.proven), "skipped": sorted(res.skipped),
            "failed": {str(k): v for k, v in sorted(res.failed.items())},
            "seconds": res.seconds, "batch_seconds": res.batch_seconds}
    if not res.ok:
        emit(data, "failed batches: " + "; ".join(f"{k}: {v}" for k, v in
                                                 sorted(res.failed.items())))
        sys.exit(1)
    emit(data, f"{res.plan.describe()}\nproved {len(res.proven)} batch(es), skipped "
               f"{len(res.skipped)} already proven; root {hex(res.root)[:18]}...; wrote "
               f"{Path(out_dir) / 'top'}, {Path(out_dir) / 'inclusion'} and "
               f"{Path(out_dir) / 'private' / 'user-secrets'} (PRIVATE: give each user "
               "their own line)")


@reserves.command("verify")
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--batch-vk", default=None, type=click.Path(dir_okay=False),
              help="Batch verification key [default: OUT/batch_vk.json].")
@click.option("--top-vk", default=None, type=click.Path(dir_okay=False),
              help="Top verification key [default: OUT/top/verification_key.json].")
@JSON_OPTION
def verify_cmd(out_dir: str, batch_vk: str | None, top_vk: str | None) -> None:
    """Verify every batch proof, the chain and the top proof of an output folder."""
    out = Path(out_dir)
    ok, reason = pipeline.verify_run(out, batch_vk or out / "batch_vk.json",
                                     top_vk or out / "top" / "verification_key.json")
    verdict(ok, reason)


def _expect(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for p in pairs:
        asset, sep, amount = p.partition("=")
        if not sep or not asset:
            raise InputFileError("--balance", p, "expected ASSET=AMOUNT")
        out[asset] = amount
    return out


@reserves.command("verify-inclusion")
@click.argument("inclusion", type=click.Path(dir_okay=False))
@click.option("--registry", default=None, help="The ReservesRegistry you trust (0x...); "
              "read on-chain with --rpc-url [default: the one the file names].")
@click.option("--statement", "statement_path", default=None, type=click.Path(dir_okay=False),
              help="Instead of the chain: the top proof's statement.json (its hash must be "
                   "the file's).")
@click.option("--public", "public_path", default=None, type=click.Path(dir_okay=False),
              help="The top proof's public.json [default: next to --statement].")
@click.option("--balance", "balances", multiple=True, metavar="ASSET=AMOUNT",
              help="Also check the tree holds this balance for you (repeatable).")
@chain_options(write=False)
@JSON_OPTION
def verify_inclusion_cmd(inclusion: str, registry: str | None, statement_path: str | None,
                         public_path: str | None, balances: tuple[str, ...], chain) -> None:
    """Check your inclusion file: path, asset list, and the root registered on-chain
    (``rootOf``) or in the top proof's statement files."""
    if statement_path is not None:
        public_path = public_path or str(Path(statement_path).parent / "public.json")
        ok, reason = verify_inclusion(inclusion, None, statement_path, public_path,
                                      _expect(balances))
    else:
        reg = chain.address(registry, "--registry") if registry else None
        ok, reason = verify_inclusion(inclusion, expect=_expect(balances),
                                      chain=chain.connect(), registry=reg)
        if ok and reg is None:
            reason += " (registry as named by the file; pass --registry to pin yours)"
    verdict(ok, reason)


reserves.add_command(chain_registry)      # `reserves registry ...`: the on-chain side
