"""The ``zksolvency`` command line: one group, one module per command family."""
from __future__ import annotations

import sys

import click

from prover.commands.core import circuit_group, prove_cmd, setup_cmd, verify_cmd
from zk.errors import ZkError


class _Main(click.Group):
    """Turns ZkError into one line on stderr and exit code 2 (--debug: full traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ZkError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Main)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="zk-solvency")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """zk-solvency: private solvency proofs (Groth16/BN254) verified on-chain."""
    ctx.obj = {"debug": debug}


for _cmd in (circuit_group, setup_cmd, prove_cmd, verify_cmd):
    main.add_command(_cmd)


def _register_optional() -> None:
    """Command families that live in their own modules."""
    import importlib
    for mod, attr in (("prover.commands.collateral", "collateral"),
                      ("prover.commands.reserves", "reserves"),
                      ("prover.commands.contract", "contract"),
                      ("prover.commands.registry", "registry"),
                      ("prover.commands.ceremony", "ceremony"),
                      ("prover.commands.demo", "demo")):
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
            continue
        main.add_command(getattr(module, attr))


_register_optional()

if __name__ == "__main__":  # pragma: no cover
    main()
