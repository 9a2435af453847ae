"""`zksolvency demo`: the whole story on the embedded EVM (`--scenario crash`: a market
crash, the circuit breaker and a credit market)."""
from __future__ import annotations

import functools
import json
import sys

import click

from prover.output import JSON_OPTION, emit, json_mode


@click.command("demo")
@click.option("--scenario", type=click.Choice(["story", "crash"]), default="story",
              show_default=True,
              help="story: attester, proof, registry; crash: feeds, breaker, volatility "
                   "haircuts, credit proofs, borrowing and liquidation through a crash.")
@click.option("--records", "records_json", default=None, type=click.Path(dir_okay=False),
              help="crash: also write the step records (breaker, sigma, haircuts, "
                   "solvency, outcomes) as JSON.")
@click.option("--feeds", is_flag=True,
              help="story: the oracle reads Chainlink-compatible feeds (development "
                   "MockV3Aggregators) instead of pushed prices.")
@JSON_OPTION
def demo(scenario: str, records_json: str | None, feeds: bool) -> None:
    """Attester signs, borrower proves, registry accepts; made-up and stale proofs fail.

    With --json the story goes to stderr and stdout gets one JSON object of the outcomes."""
    say = functools.partial(click.echo, err=json_mode())
    say("chain: an in-process EVM (py-evm) started for this demo; nothing is sent to "
        "a network and it is gone when the demo ends")
    if scenario == "crash":
        from prover import crash

        records = crash.run(say)
        if records_json:
            from zk import atomic

            atomic.write_json(records_json, json.loads(json.dumps(records)))
        ok = crash.as_expected(records)
        emit({"scenario": scenario, "as_expected": ok, "records": records})
        if not ok:
            click.echo("demo: an expected outcome did not happen", err=True)
            sys.exit(1)
        return
    from prover.demo import run
    result = run(say, feeds=feeds)
    good = (result["valid"] and result["on_chain"] and result["solvent_after"]
            and not result["solvent_before"] and result["insolvent"].startswith("refused")
            and result["tampered"].startswith("reverted")
            and result["made_up"].startswith("reverted")
            and result["forged"].startswith("refused") and not result["after_grace"])
    emit({"scenario": scenario, "as_expected": good, "outcomes": result})
    if not good:
        click.echo("demo: an expected outcome did not happen", err=True)
        sys.exit(1)
