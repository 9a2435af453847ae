"""``zksolvency reserves setup|prove|verify|verify-inclusion``: proof of reserves."""
from __future__ import annotations

from pathlib import Path

import click

from prover import reserves as lib
from prover.commands.core import verify_file_options
from prover.inputs import InputFileError
from prover.output import JSON_OPTION, verdict

SPEC = click.option("--reserves", "spec_path", required=True, type=click.Path(dir_okay=False),
                    help="Public reserves JSON (assets, decimals, reserves, min_ratio_bps).")
KEYS = click.option("--keys", "keys_dir", default="keys", show_default=True,
                    type=click.Path(file_okay=False), help="Folder holding keys per shape.")
CAPACITY = click.option("--capacity", type=int, default=None,
                        help="Tree size (power of two) fixing the circuit shape; default: "
                             "the next power of two above the user count.")


@click.group("reserves")
def reserves() -> None:
    """Prove reserves cover a committed ledger; users check their inclusion."""


@reserves.command("setup")
@SPEC
@CAPACITY
@click.option("--ledger", default=None, type=click.Path(dir_okay=False),
              help="Size the tree for this ledger instead of --capacity.")
@KEYS
@click.option("--force", is_flag=True, help="Replace existing keys (default: reuse them).")
def setup_cmd(spec_path: str, capacity: int | None, ledger: str | None, keys_dir: str,
              force: bool) -> None:
    """DEVELOPMENT setup for (capacity users x assets), made once and reused."""
    spec = lib.load_spec(spec_path)
    if capacity is None and ledger is None:
        raise click.UsageError("give --capacity or --ledger")
    n = len(lib.load_ledger(ledger, spec).ids) if ledger else capacity
    cap = lib.capacity_for(n, capacity)
    folder, reused = lib.setup(spec, cap, keys_dir, force=force)
    if reused:
        click.echo("reused existing keys (--force makes new ones)")
    click.echo(f"keys for {cap} users x {len(spec.assets)} assets: {folder}")
    click.echo("warning: development keys only (whoever ran setup can forge proofs)", err=True)


@reserves.command("prove")
@SPEC
@click.option("--ledger", required=True, type=click.Path(dir_okay=False),
              help="PRIVATE ledger (.csv with user_id,<asset>... or .json).")
@CAPACITY
@KEYS
@click.option("-o", "--out", "out_dir", default="reserves-proof", show_default=True,
              type=click.Path(file_okay=False))
def prove_cmd(spec_path: str, ledger: str, capacity: int | None, keys_dir: str,
              out_dir: str) -> None:
    """Prove; writes proof.json, public.json and one inclusion proof per user."""
    spec = lib.load_spec(spec_path)
    led = lib.load_ledger(ledger, spec)
    values = lib.prove(spec, led, keys_dir, out_dir, capacity)
    click.echo(f"wrote {Path(out_dir) / 'proof.json'}, public.json (root "
               f"{hex(values['root'])[:18]}...), statement.json "
               f"and {len(led.ids)} inclusion proofs in {Path(out_dir) / 'inclusion'}")


@reserves.command("verify")
@verify_file_options
@click.option("--reserves", "spec_path", default=None, type=click.Path(dir_okay=False),
              help="Also check the public reserves and ratio against this file.")
@JSON_OPTION
def verify_cmd(keys: str, proof_path: str, public_path: str, spec_path: str | None) -> None:
    """Verify a reserves proof. Exit 0 valid, 1 invalid, 2 malformed input."""
    spec = lib.load_spec(spec_path) if spec_path else None
    ok, reason = lib.verify(keys, proof_path, public_path, spec)
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
@click.option("--public", "public_path", required=True, type=click.Path(dir_okay=False),
              help="public.json of the reserves proof (root and liabilities).")
@click.option("--balance", "balances", multiple=True, metavar="ASSET=AMOUNT",
              help="Also check the tree holds this balance for you (repeatable).")
@click.option("--statement", "statement_path", default=None, type=click.Path(dir_okay=False),
              help="statement.json naming the public inputs [default: next to --public].")
@JSON_OPTION
def verify_inclusion_cmd(inclusion: str, public_path: str, balances: tuple[str, ...],
                         statement_path: str | None) -> None:
    """Check locally that your balances are included in the proven liabilities."""
    ok, reason = lib.verify_inclusion(inclusion, public_path, _expect(balances),
                                      statement_path)
    verdict(ok, reason)
