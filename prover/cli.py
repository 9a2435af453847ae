"""The ``zksolvency`` command line: one group, one module per command family."""
from __future__ import annotations

import sys

import click

from prover.commands.ceremony import ceremony
from prover.commands.collateral import collateral
from prover.commands.contract import contract
from prover.commands.core import circuit_group, prove_cmd, setup_cmd, verify_cmd
from prover.commands.demo import demo
from prover.commands.registry import registry
from prover.commands.reserves import reserves
from zk.errors import ChainError, ZkError


def exit_code(exc: ZkError) -> int:
    """1 when the chain refused or failed (e.g. a reverted submit), 2 for bad input/usage."""
    return 1 if isinstance(exc, ChainError) else 2


class _Main(click.Group):
    """Turns ZkError into one line on stderr and an exit code (--debug: full traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ZkError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(exit_code(exc))


@click.group(cls=_Main)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="zk-solvency")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """zk-solvency: private solvency proofs (Groth16/BN254) verified on-chain."""
    ctx.obj = {"debug": debug}


for _cmd in (demo, circuit_group, setup_cmd, prove_cmd, verify_cmd, collateral, reserves,
             contract, registry, ceremony):
    main.add_command(_cmd)

if __name__ == "__main__":  # pragma: no cover
    main()
