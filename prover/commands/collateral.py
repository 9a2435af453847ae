"""``zksolvency collateral setup|prove|verify``: private collateral-ratio proofs.

The position options and their loading (:func:`position_options`, :func:`load_position`,
:func:`anchor_options`, :func:`load_anchors`) serve the credit commands too.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from prover import collateral as lib
from prover.commands.core import verify_file_options
from prover.inputs import InputFileError, parse_address, parse_int
from prover.output import JSON_OPTION, emit, verdict
from zk.field import R

POLICY = click.option("--policy", required=True, type=click.Path(dir_okay=False),
                      help="Policy JSON (assets, decimals, haircuts, ratio, chain, registry).")
KEYS = click.option("--keys", "keys_dir", default="keys", show_default=True,
                    type=click.Path(file_okay=False), help="Folder holding keys per shape.")


def _address(value: str, what: str) -> int:
    return parse_address(value, f"--{what}", "value")


def _stack(f, *options):
    """Apply click options so that they list in the order given."""
    for opt in reversed(options):
        f = opt(f)
    return f


def position_options(f):
    """--policy, --prices, --portfolio, --prover, --attestation and --keys."""
    return _stack(
            f, POLICY,
            click.option("--prices", required=True, type=click.Path(dir_okay=False),
                         help="Epoch price snapshot JSON (8 decimals per whole token)."),
            click.option("--portfolio", required=True, type=click.Path(dir_okay=False),
                         help="PRIVATE portfolio JSON (amounts, debts, salt)."),
            click.option("--prover", "prover_address", required=True,
                         help="Prover address (0x-hex), bound into the proof."),
            click.option("--attestation", default=None, type=click.Path(dir_okay=False),
                         help="Attester's signature of this position (from `attest sign`); "
                              "proves the attested shape."),
            KEYS)


def load_position(policy: str, prices: str, portfolio: str, prover_address: str,
                  attestation: str | None) -> dict:
    """The files of :func:`position_options`, loaded and checked, as keyword arguments of
    the adapters' ``prove``."""
    pol = lib.load_policy(policy)
    att = None
    if attestation:
        from prover.attest import load_attestation
        att = load_attestation(attestation)
    return {"policy": pol, "prices": lib.load_prices(prices, pol),
            "portfolio": lib.load_portfolio(portfolio, pol),
            "prover_address": _address(prover_address, "prover"), "attestation": att,
            "attestation_src": attestation or ""}


def anchor_options(f):
    """The verify commands' optional expectations: policy, prices, prover, attester and
    registered commitment."""
    return _stack(
            f, click.option("--policy", default=None, type=click.Path(dir_okay=False),
                         help="Also check the public inputs against this policy ..."),
            click.option("--prices", default=None, type=click.Path(dir_okay=False),
                         help="... and this price snapshot."),
            click.option("--prover", "prover_address", default=None,
                         help="... and this prover address."),
            click.option("--attester", default=None, type=click.Path(dir_okay=False),
                         help="Attester public-key JSON the proof's attester key must "
                              "equal."),
            click.option("--commitment", default=None,
                         help="The commitment registered for the account (registered "
                              "mode): the proof's commitment must equal it."),
            JSON_OPTION)


def load_anchors(policy: str | None, prices: str | None, prover_address: str | None,
                 attester: str | None, commitment: str | None) -> tuple:
    """(policy, prices, prover, attester key, commitment) for the adapters' ``verify``."""
    pol = lib.load_policy(policy) if policy else None
    pr = lib.load_prices(prices, pol) if prices and pol else None
    who = _address(prover_address, "prover") if prover_address else None
    key = None
    if attester:
        from prover.attest import load_public_key
        key = load_public_key(attester)
    registered = None
    if commitment is not None:
        registered = parse_int(commitment, "--commitment", "value", bits=254)
        if registered >= R:
            raise InputFileError("--commitment", "value", "not a field element (>= r)")
    return pol, pr, who, key, registered


def report(ok: bool, reason: str) -> None:
    """Print OK or INVALID (JSON with --json); exit 1 when invalid."""
    verdict(ok, reason)


def setup_command(setup: Callable[..., tuple[Path, bool]], what: str) -> click.Command:
    """A ``setup`` command calling an adapter's ``setup(policy, keys_dir, force, attested)``."""
    @click.command("setup")
    @POLICY
    @KEYS
    @click.option("--force", is_flag=True, help="Replace existing keys (default: reuse).")
    @click.option("--attested", is_flag=True,
                  help="Keys for the attested shape (prove with --attestation).")
    @JSON_OPTION
    def setup_cmd(policy: str, keys_dir: str, force: bool, attested: bool) -> None:
        """DEVELOPMENT setup for the policy's circuit shape (made once, then reused)."""
        folder, reused = setup(lib.load_policy(policy), keys_dir, force=force,
                               attested=attested)
        emit({"keys": str(folder), "reused": reused, "development": True},
             ("reused existing keys (--force makes new ones)\n" if reused else "")
             + f"keys for this policy's {what} shape: {folder}")
        click.echo("warning: development keys only (whoever ran setup can forge proofs)",
                   err=True)
    return setup_cmd


@click.group("collateral")
def collateral() -> None:
    """Prove a private position meets a protocol's minimum collateral ratio."""


collateral.add_command(setup_command(lib.setup, "collateral"))


@collateral.command("prove")
@position_options
@click.option("--registry", "registry_address", default=None,
              help="Registry address to bind the proof to, instead of the policy's (the "
                   "address `registry deploy` printed).")
@click.option("-o", "--out", "out_dir", default="collateral-proof", show_default=True,
              type=click.Path(file_okay=False))
@JSON_OPTION
def prove_cmd(policy: str, prices: str, portfolio: str, prover_address: str,
              attestation: str | None, keys_dir: str, registry_address: str | None,
              out_dir: str) -> None:
    """Prove the portfolio meets the policy at these prices; writes proof.json, public.json."""
    args = load_position(policy, prices, portfolio, prover_address, attestation)
    if registry_address is not None:
        from dataclasses import replace

        from prover.chainopts import checked_address
        address = int(checked_address(registry_address, "--registry"), 16)
        args["policy"] = replace(args["policy"], registry=address)
    values = lib.prove(keys_dir=keys_dir, out_dir=out_dir, **args)
    emit({"proof": str(Path(out_dir) / "proof.json"),
          "public": str(Path(out_dir) / "public.json"),
          "registry": f"0x{args['policy'].registry:040x}",
          "commitment": hex(values["commitment"])},
         f"wrote {Path(out_dir) / 'proof.json'} and {Path(out_dir) / 'public.json'} "
         f"(commitment {hex(values['commitment'])})")


@collateral.command("commitment")
@POLICY
@click.option("--portfolio", required=True, type=click.Path(dir_okay=False),
              help="PRIVATE portfolio JSON (amounts, debts, salt).")
@JSON_OPTION
def commitment_cmd(policy: str, portfolio: str) -> None:
    """Print the position's commitment (public: what a venue records in registered mode)."""
    value = lib.load_portfolio(portfolio, lib.load_policy(policy)).commitment()
    emit({"commitment": str(value)}, str(value))


@collateral.command("verify")
@verify_file_options
@anchor_options
def verify_cmd(keys: str, proof_path: str, public_path: str, policy: str | None,
               prices: str | None, prover_address: str | None, attester: str | None,
               commitment: str | None) -> None:
    """Verify a collateral proof. Exit 0 valid, 1 invalid, 2 malformed input."""
    anchors = load_anchors(policy, prices, prover_address, attester, commitment)
    report(*lib.verify(keys, proof_path, public_path, *anchors))
