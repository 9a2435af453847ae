"""`zksolvency oracle ...`: EpochOracle (deploy with Chainlink feeds or pushed prices,
open epochs, status, pause / unpause / reset) and development feeds for local chains."""
from __future__ import annotations

import json

import click

from prover.chainopts import ChainContext, chain_options
from prover.cliparams import INT
from prover.output import JSON_OPTION, emit, json_mode
from prover.prices import price_list
from verifier_contracts import DeployState
from verifier_contracts import oracle as orc
from verifier_contracts.probe import expect_oracle
from zk import atomic
from zk.errors import EXIT_CLAIM, MalformedInput
from zk.parse import canonical_int, canonical_ints

INT256 = 1 << 255   # Chainlink answers are int256: [-2^255, 2^255)

_D = orc.OracleConfig()
#: click option -> (OracleConfig field, help)
_CONFIG = {
    "--min-epoch-interval": ("min_epoch_interval", "Seconds between two epochs, at least."),
    "--snapshot-validity": ("snapshot_validity", "Seconds a snapshot stays valid."),
    "--reference-window": ("reference_window",
                           "Seconds between two re-anchorings of the reference prices."),
    "--reset-delay": ("reset_delay", "Seconds after a trip before the guardian may reset."),
    "--max-deviation": ("max_deviation_bps", "Trip on a move beyond this from the "
                                             "reference, bps."),
    "--max-disagreement": ("max_disagreement_bps", "Trip when primary and secondary feeds "
                                                   "differ beyond this, bps."),
    "--lambda": ("lambda_bps", "EWMA decay of the squared returns, bps."),
    "--initial-var": ("initial_var_bps2", "Variance before the first return, bps^2."),
    "--sequencer-grace": ("sequencer_grace", "Seconds after the L2 sequencer is back "
                                             "before epochs open."),
}


def config_options(fn):
    """The EpochOracle.Config options (shared by `registry deploy --feeds/--pushed`)."""
    for opt, (name, help_) in reversed(_CONFIG.items()):
        fn = click.option(opt, name, type=INT, default=getattr(_D, name), show_default=True,
                          help=help_)(fn)
    return click.option("--sequencer-feed", default=None,
                        help="L2 sequencer uptime feed (Chainlink convention).")(fn)


@click.group("oracle")
def oracle() -> None:
    """Epoch oracle: price feeds, circuit breaker, volatility per epoch."""


@oracle.command("deploy")
@click.option("--feeds", "feeds_json", type=click.Path(exists=True, dir_okay=False),
              help='Feeds JSON: {"collateral": [{"primary", "heartbeat"[, "secondary", '
                   '"secondary_heartbeat"]}], "debt": [...]}.')
@click.option("--pushed", is_flag=True, help="Pushed-price mode: ORACLE_ROLE posts prices.")
@click.option("--collateral", "n_collateral", type=INT, help="Collateral assets (pushed).")
@click.option("--debt", "n_debt", type=INT, help="Debt assets (pushed).")
@config_options
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=INT, default=orc.DEFAULT_ADMIN_DELAY, show_default=True,
              help="Delay in seconds of the two-step admin transfer.")
@click.option("--guardian", default=None, help="GUARDIAN_ROLE holder (default: the admin).")
@click.option("--oracle-role", "oracle_role", default=None,
              help="ORACLE_ROLE holder (pushed mode; default: the admin).")
@chain_options(write=True)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file.")
@JSON_OPTION
def deploy_cmd(feeds_json, pushed, n_collateral, n_debt, sequencer_feed, admin, admin_delay,
               guardian, oracle_role, chain: ChainContext, state_file, **cfg) -> None:
    """Deploy an EpochOracle (--feeds FILE or --pushed); print its address."""
    if pushed and not feeds_json and (n_collateral is None or n_debt is None):
        raise MalformedInput("oracle deploy --pushed: give --collateral N and --debt N")
    address, n_collateral, n_debt = deploy_oracle_from_options(
        chain, feeds_json, pushed, n_collateral, n_debt, sequencer_feed=sequencer_feed,
        admin=admin, admin_delay=admin_delay, guardian=guardian, oracle_role=oracle_role,
        state=DeployState(state_file) if state_file else None, cfg=cfg,
        where="oracle deploy")
    emit({"address": address, "n_collateral": n_collateral, "n_debt": n_debt,
          "pushed": not feeds_json}, address)


def deploy_oracle_from_options(chain: ChainContext, feeds_json: str | None, pushed: bool,
                               n_collateral: int | None, n_debt: int | None, *,
                               sequencer_feed: str | None, admin: str | None,
                               admin_delay: int, guardian: str | None,
                               oracle_role: str | None, state: DeployState | None,
                               cfg: dict, where: str) -> tuple[str, int, int]:
    """Deploy an EpochOracle from the options of `oracle deploy` (shared by `registry
    deploy --feeds/--pushed`): feeds from FEEDS_JSON, or pushed mode for the given asset
    counts. Returns (address, n_collateral, n_debt); a feeds file whose asset counts
    differ from given ones is refused naming the file."""
    if bool(feeds_json) == bool(pushed):
        raise MalformedInput(f"{where}: pass exactly one of --feeds FILE and --pushed")
    feeds = None
    if feeds_json:
        n_c, n_d, feeds = orc.parse_feeds(atomic.read_json(feeds_json), feeds_json)
        for given, got, side in ((n_collateral, n_c, "collateral"), (n_debt, n_d, "debt")):
            if given is not None and given != got:
                raise MalformedInput(f"{feeds_json}: field '{side}' lists {got} feeds, the "
                                     f"statement has {given} {side} assets")
        n_collateral, n_debt = n_c, n_d
    admin, guardian, oracle_role, sequencer_feed = (
        chain.address(v, name) if v else None for v, name in (
            (admin, "--admin"), (guardian, "--guardian"), (oracle_role, "--oracle-role"),
            (sequencer_feed, "--sequencer-feed")))
    config = orc.OracleConfig(**cfg, sequencer_feed=sequencer_feed or orc.ZERO)
    address = orc.deploy_oracle(chain.connect(), n_collateral, n_debt, feeds=feeds,
                                config=config, admin=admin, admin_delay=admin_delay,
                                guardian=guardian, oracle=oracle_role, state=state)
    return address, n_collateral, n_debt


@oracle.command("open-epoch")
@click.argument("address")
@click.option("--prices", default=None,
              help="Pushed mode: a prices.json (the file `collateral prove` reads; with "
                   "--policy for the asset order), or prices in dollars, collateral then "
                   "debt: 3012.45,1 (exact, at most 8 decimals).")
@click.option("--policy", default=None, type=click.Path(dir_okay=False),
              help="Policy JSON naming the assets in order (with --prices FILE).")
@chain_options(write=True)
@JSON_OPTION
def open_epoch_cmd(address: str, prices: str | None, policy: str | None,
                   chain: ChainContext) -> None:
    """Open the next epoch; prints the snapshot, or the breaker trip (exit code 1);
    --json for the whole record."""
    address = chain.address(address, "ADDRESS")
    c = chain.connect()
    shape = expect_oracle(c, address)
    if prices:
        values, epoch = price_list(prices, policy, shape["n_collateral"] + shape["n_debt"])
        following = int(orc.read(c, address, "latestEpoch")) + 1
        if epoch is not None and epoch != following:
            raise MalformedInput(f"{prices}: field 'epoch' is {epoch}, but the oracle's "
                                 f"next epoch is {following} (proofs bind the epoch)")
        out = orc.open_epoch_with_prices(c, address, values)
    else:
        out = orc.open_epoch(c, address)
    emit(out, _epoch_text(out))
    if not out["epoch"]:
        raise SystemExit(EXIT_CLAIM)


def _epoch_text(out: dict) -> str:
    """One line: the epoch opened (prices, sigma, expiry) or the breaker's trip."""
    if not out["epoch"]:
        return (f"breaker TRIPPED: {out.get('tripped')} (asset {out.get('asset')}, observed "
                f"{out.get('observed')}, bound {out.get('bound')}); no epoch opened")
    return (f"epoch {out['epoch']} opened: prices {','.join(map(str, out['prices']))} "
            f"(8 decimals), sigma {','.join(map(str, out['sigma_bps']))} bps, valid until "
            f"{out['valid_until']} (gas used {out['gas_used']})")


@oracle.command("status")
@click.argument("address")
@chain_options(write=False)
@JSON_OPTION
def status_cmd(address: str, chain: ChainContext) -> None:
    """Mode, configuration, latest snapshot, breaker and per-asset state as JSON."""
    address = chain.address(address, "ADDRESS")
    c = chain.connect()
    expect_oracle(c, address)
    out = orc.status(c, address)
    emit(out, json.dumps(out, indent=2))


def _guardian_cmd(name: str, fn, help_: str):
    @oracle.command(name, help=help_)
    @click.argument("address")
    @chain_options(write=True)
    @JSON_OPTION
    def cmd(address: str, chain: ChainContext) -> None:
        address = chain.address(address, "ADDRESS")
        c = chain.connect()
        expect_oracle(c, address)
        receipt = fn(c, address)
        emit({"action": name}, f"{name}: done (gas used {receipt['gasUsed']})")
    return cmd


_guardian_cmd("pause", orc.pause, "GUARDIAN: halt epochs (manual trip).")
_guardian_cmd("unpause", orc.unpause, "GUARDIAN: lift a manual pause.")
_guardian_cmd("reset", orc.reset, "GUARDIAN, reset-delay after a trip: clear it and "
                                  "re-anchor the reference prices at the feeds.")


@oracle.command("dev-feeds")
@click.option("--answers", required=True,
              help="Initial answers, collateral then debt, in each feed's decimals.")
@click.option("--decimals", default=None, help="Decimals per feed (default: 8 each).")
@click.option("--collateral", "n_collateral", type=INT, required=True,
              help="How many of the feeds are collateral (the rest are debt).")
@click.option("--heartbeat", type=INT, default=3600, show_default=True,
              help="Heartbeat written to the feeds file, seconds.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the feeds file for `oracle deploy --feeds`.")
@chain_options(write=True)
@JSON_OPTION
def dev_feeds_cmd(answers, decimals, n_collateral, heartbeat, output,
                  chain: ChainContext) -> None:
    """DEVELOPMENT: deploy Chainlink mock feeds (anyone can move them).

    With --ephemeral the in-process EVM lives only for this command, so it also deploys an
    oracle on them and opens one epoch to show the result."""
    values = canonical_ints(answers, "--answers", INT256, signed=True)
    decs = canonical_ints(decimals, "--decimals") if decimals else [8] * len(values)
    if len(decs) != len(values) or not 0 <= n_collateral <= len(values):
        raise MalformedInput("oracle dev-feeds: one decimals value per answer, and "
                             "--collateral at most the number of answers")
    c = chain.connect()
    addrs = [orc.deploy_dev_feed(c, d, a) for d, a in zip(decs, values)]
    spec = [{"primary": a, "heartbeat": heartbeat} for a in addrs]
    feeds = {"collateral": spec[:n_collateral], "debt": spec[n_collateral:]}
    if output:
        atomic.write_json(output, feeds)
    out: dict = dict(feeds)
    if c.embedded:
        n_c, n_d, specs = orc.parse_feeds(feeds)
        address = orc.deploy_oracle(c, n_c, n_d, feeds=specs)
        out["demo"] = {"oracle": address, **orc.open_epoch(c, address)}
    if json_mode():
        emit(out)
        return
    click.echo(json.dumps(feeds, indent=2))
    if "demo" in out:
        click.echo(json.dumps(out["demo"], indent=2))


@oracle.command("dev-answer")
@click.argument("feed")
@click.argument("answer")
@chain_options(write=True)
@JSON_OPTION
def dev_answer_cmd(feed: str, answer: str, chain: ChainContext) -> None:
    """DEVELOPMENT: post ANSWER (in the feed's decimals) to a development feed now."""
    feed = chain.address(feed, "FEED")
    value = canonical_int(answer, "ANSWER", INT256, signed=True)
    c = chain.connect()
    from verifier_contracts.probe import require_code
    require_code(c, feed, "development feed")
    receipt = orc.set_answer(c, feed, value)
    emit({"feed": feed}, f"answer posted (gas used {receipt['gasUsed']})")
