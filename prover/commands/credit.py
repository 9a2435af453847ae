"""``zksolvency credit setup|capacity|prove|verify``: private credit-capacity proofs."""
from __future__ import annotations

from pathlib import Path

import click

from prover import credit as lib
from prover.commands.collateral import (
    anchor_options,
    load_anchors,
    load_position,
    position_options,
    report,
    setup_command,
)
from prover.commands.core import verify_file_options
from prover.inputs import parse_int
from prover.output import JSON_OPTION, emit

CREDIT_HELP = ("Credit to prove, in value units (10^-(8 + largest token decimals) USD), "
               "or 'max' for the largest provable.")


@click.group("credit")
def credit() -> None:
    """Prove a private position can carry a chosen amount of extra debt (credit)."""


credit.add_command(setup_command(lib.setup, "credit"))


def _fixed(value: int, decimals: int) -> str:
    """An integer with ``decimals`` implied decimals as a plain decimal string."""
    whole, frac = divmod(value, 10**decimals)
    return f"{whole}.{frac:0{decimals}d}".rstrip("0").rstrip(".") if decimals else str(whole)


def _describe(args: dict, value: int) -> str:
    """``value`` in USD and in each debt asset, rounded down (no private amount)."""
    pol, pr = args["policy"], args["prices"]
    tokens = ", ".join(f"{_fixed(base, d)} {name}" for (name, base), d in
                       zip(lib.in_debt_tokens(pol, pr, value).items(), pol.debt_decimals,
                           strict=True))
    return f"{value} value units = {_fixed(value, lib.value_unit_decimals(pol))} USD = {tokens}"


@credit.command("capacity")
@position_options
@JSON_OPTION
def capacity_cmd(policy: str, prices: str, portfolio: str, prover_address: str,
                 attestation: str | None, keys_dir: str) -> None:
    """Pre-check: the largest credit provable at these prices and haircuts."""
    args = load_position(policy, prices, portfolio, prover_address, attestation)
    limit = lib.max_credit(args["policy"], args["prices"], args["portfolio"])
    lib.check_credit(0, limit)
    emit({"max_credit": str(limit)}, f"largest provable credit: {_describe(args, limit)}")


@credit.command("prove")
@position_options
@click.option("--credit", "credit_text", required=True, help=CREDIT_HELP)
@click.option("-o", "--out", "out_dir", default="credit-proof", show_default=True,
              type=click.Path(file_okay=False))
@JSON_OPTION
def prove_cmd(policy: str, prices: str, portfolio: str, prover_address: str,
              attestation: str | None, keys_dir: str, credit_text: str, out_dir: str) -> None:
    """Prove the portfolio carries CREDIT more debt; writes proof.json, public.json."""
    args = load_position(policy, prices, portfolio, prover_address, attestation)
    limit = lib.max_credit(args["policy"], args["prices"], args["portfolio"])
    amount = lib.parse_credit(credit_text, limit)
    values = lib.prove(credit=amount, keys_dir=keys_dir, out_dir=out_dir, **args)
    emit({"proof": str(Path(out_dir) / "proof.json"),
          "public": str(Path(out_dir) / "public.json"), "credit": str(values["credit"])},
         f"wrote {Path(out_dir) / 'proof.json'} and {Path(out_dir) / 'public.json'}: "
         f"credit {_describe(args, values['credit'])}")


@credit.command("verify")
@verify_file_options
@anchor_options
@click.option("--credit", "credit_text", default=None,
              help="The credit (value units) the proof must state.")
def verify_cmd(keys: str, proof_path: str, public_path: str, policy: str | None,
               prices: str | None, prover_address: str | None, attester: str | None,
               commitment: str | None, credit_text: str | None) -> None:
    """Verify a credit proof. Exit 0 valid, 1 invalid, 2 malformed input."""
    anchors = load_anchors(policy, prices, prover_address, attester, commitment)
    amount = None if credit_text is None else parse_int(credit_text, "--credit", "value")
    report(*lib.verify(keys, proof_path, public_path, *anchors, credit=amount))
