"""The ``zksolvency`` command line: one group, one module per command family.

Commands are registered lazily: ``COMMANDS`` names the module that holds each one and its
one-line help, so ``--help`` lists every command without importing any, and a command's
module (with its dependencies: web3 for the chain commands) loads only when it runs.
"""
from __future__ import annotations

import importlib
import signal
import sys

import click

from zk.errors import EXIT_SIGINT, EXIT_SIGTERM, Terminated, ZkError
from zk.errors import exit_code as exit_code

# name -> ("module:attribute", one-line help); tests check each help against the command
COMMANDS: dict[str, tuple[str, str]] = {
    "attest": ("prover.commands.attest:attest", "Attester keys; sign and verify attestations."),
    "init": ("prover.commands.init:init_cmd",
             "Scaffold a project: zksolvency.toml, policy, prices, portfolio and a README."),
    "demo": ("prover.commands.demo:demo",
             "Attester signs, borrower proves, registry accepts; made-up and stale proofs fail."),
    "circuit": ("prover.commands.core:circuit_group", "Inspect circuits."),
    "setup": ("prover.commands.core:setup_cmd",
              "DEVELOPMENT setup for CIRCUIT (whoever runs it can forge proofs)."),
    "prove": ("prover.commands.core:prove_cmd",
              "Prove CIRCUIT for JSON inputs, or a circom circuit from --zkey and --wtns."),
    "verify": ("prover.commands.core:verify_cmd",
               "Verify PROOF with PUBLIC inputs against VK (snarkjs order: VK PUBLIC PROOF)."),
    "collateral": ("prover.commands.collateral:collateral",
                   "Prove a private position meets a protocol's minimum collateral ratio."),
    "credit": ("prover.commands.credit:credit",
               "Prove a private position can carry a chosen amount of extra debt (credit)."),
    "reserves": ("prover.commands.reserves:reserves",
                 "Prove reserves liabilities in batches; users check their inclusion."),
    "inclusion-page": ("prover.commands.page:inclusion_page",
                       "Write the static page where users check their reserves inclusion file."),
    "contract": ("prover.commands.contract:contract",
                 "Groth16 verifier contract: export, calldata, deploy, verify."),
    "registry": ("prover.commands.registry:registry",
                 "Attesters and SolvencyRegistry: deploy on an oracle, policy, submit, status."),
    "oracle": ("prover.commands.oracle:oracle",
               "Epoch oracle: price feeds, circuit breaker, volatility per epoch."),
    "monitor": ("prover.commands.monitor:monitor",
                "Keep positions proven each epoch; alert on margins, breaker, deadlines."),
    "ceremony": ("prover.commands.ceremony:ceremony",
                 "Phase-2 trusted setup for production keys (interoperable with snarkjs)."),
}


def load_command(name: str) -> click.Command:
    """Import the module holding command ``name`` (from COMMANDS) and return the command."""
    module, _, attr = COMMANDS[name][0].partition(":")
    return getattr(importlib.import_module(module), attr)


class _Main(click.Group):
    """Lazy command registry; turns ZkError into one line on stderr and an exit code
    (--debug: full traceback)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(load_command(cmd_name), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from COMMANDS' one-line helps, importing no command module."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, click.utils.make_default_short_help(COMMANDS[name][1],
                                                                       limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        from prover.output import report_error

        previous = _on_sigterm()
        try:
            return super().invoke(ctx)
        except ZkError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            sys.exit(report_error(exc, str(exc)))
        except KeyboardInterrupt as exc:
            sys.exit(report_error(exc, "interrupted") if not _debug(ctx) else EXIT_SIGINT)
        except Terminated as exc:
            sys.exit(report_error(exc, "terminated") if not _debug(ctx) else EXIT_SIGTERM)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.obj and ctx.obj.get("debug"))


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


def _on_sigterm():
    """Turn SIGTERM into `Terminated` (so finally blocks run) while a command runs; returns
    the previous handler (None off the main thread, where handlers cannot be set)."""
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:
        return None


@click.group(cls=_Main)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="zk-solvency")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """zk-solvency: private solvency proofs (Groth16/BN254) verified on-chain."""
    ctx.obj = {"debug": debug}


if __name__ == "__main__":  # pragma: no cover
    main()
