"""`zksolvency init [DIR]`: scaffold a project (config, policy, prices, portfolio, README)."""
from __future__ import annotations

import click

from prover.output import JSON_OPTION, emit


@click.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@JSON_OPTION
def init_cmd(folder: str, force: bool) -> None:
    """Scaffold a project: zksolvency.toml, policy, prices, portfolio and a README."""
    from prover.scaffold import init_project

    written = init_project(folder, force)
    emit({"folder": folder, "files": [str(p) for p in written]},
         "\n".join(f"wrote {p}" for p in written)
         + f"\nnext: read {folder.rstrip('/')}/README.md (keys -> accepted proof on anvil)")
