"""Proof of reserves at exchange scale: a ledger in batches of 2^b users, one Groth16
proof per batch (ranges, batch root, per-asset sums, chain link), one top proof over the
batch list (global root, liabilities, the asset-list commitment, bound to chain,
registry, exchange and epoch), and a v3 inclusion file per user. See
docs/reserves-format.md for the hashes and files, :mod:`prover.reserves.pipeline` for
the run, :mod:`prover.reserves.executor` for Ray.
"""
from prover.reserves.ingest import AssetList, load_assets
from prover.reserves.pipeline import Context, RunResult, run, setup, verify_run
from prover.reserves.planner import Plan, plan

__all__ = ["AssetList", "Context", "Plan", "RunResult", "load_assets", "plan", "run",
           "setup", "verify_run"]
