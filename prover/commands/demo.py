"""`zksolvency demo`: the whole story on the embedded EVM."""
from __future__ import annotations

import sys

import click


@click.command("demo")
def demo() -> None:
    """Attester signs, borrower proves, registry accepts; made-up and stale proofs fail."""
    from prover.demo import run
    click.echo("chain: an in-process EVM (py-evm) started for this demo; nothing is sent to "
               "a network and it is gone when the demo ends")
    result = run(click.echo)
    good = (result["valid"] and result["on_chain"] and result["solvent_after"]
            and not result["solvent_before"] and result["insolvent"].startswith("refused")
            and result["tampered"].startswith("reverted")
            and result["made_up"].startswith("reverted")
            and result["forged"].startswith("refused") and not result["after_grace"])
    if not good:
        click.echo("demo: an expected outcome did not happen", err=True)
        sys.exit(1)
