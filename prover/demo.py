"""The whole story in one process: an attester signs, the borrower proves, the registry
accepts; a made-up portfolio is refused; a new epoch makes the old proof stale.

Prices come from an EpochOracle, which the registry reads: pushed-price by default (an
oracle account posts them; each post opens the next epoch), or, with ``feeds=True``
(``zksolvency demo --feeds``), Chainlink-compatible feeds (development MockV3Aggregators,
one per asset) that the oracle snapshots when anyone opens an epoch.
`zksolvency demo --scenario crash` (prover.crash) tells the market-crash story with
Chainlink mock feeds, the circuit breaker and a credit market.

Runs on the embedded EVM (nothing to start) and uses the demo portfolio shipped in
``prover/demo_data`` (the same files as ``examples/collateral``). Keys come from a
development setup, so the registry is deployed with ``dev_keys=True`` (demo only).
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

from circuits.attestation import TAG_POSITION, sign_attestation
from circuits.collateral import AttestedCollateralRatio
from prover import collateral
from verifier_contracts import (
    Chain,
    ContractRevert,
    add_attester,
    connect,
    deploy_attester_registry,
    deploy_verifier,
    verify_on_chain,
)
from verifier_contracts import oracle as epoch_oracle
from verifier_contracts.registry import ATTESTED, deploy_registry, is_solvent, submit
from zk import compile_circuit, curve, groth16
from zk.backend import get_backend
from zk.errors import WitnessError
from zk.formats import snarkjs_json as sj
from zk.std import eddsa

DATA = Path(__file__).resolve().parent / "demo_data"
GRACE = 600
EPOCH_INTERVAL = 60
HEARTBEAT = 3600


class Step:
    """Prints numbered steps with their wall time."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo, self.n, self.t0 = echo, 0, time.perf_counter()

    def __call__(self, text: str) -> None:
        self.n += 1
        self.echo(f"[{self.n}] {text}")

    def done(self, text: str, since: float) -> None:
        self.echo(f"    {text} ({time.perf_counter() - since:.2f}s)")


def _prove(cs, pk, policy, prices, portfolio, address: str, attestation):
    inputs = collateral.circuit_inputs(policy, prices, portfolio, int(address, 16))
    witness = cs.solve({**inputs, **attestation.circuit_inputs()})
    return groth16.prove(pk, witness), cs.public_values(witness)


def _refused(fn) -> str:
    try:
        fn()
    except ContractRevert as exc:
        return f"reverted with {exc.name}"
    except WitnessError as exc:
        return f"refused by the circuit: {exc}"
    return "NOT refused"


class _Prices:
    """The oracle's price source: a pushed-price poster, or one development feed per
    asset (8 decimals, as the circuit's prices) snapshotted by ``openEpoch``."""

    def __init__(self, chain: Chain, poster: Chain, n_collateral: int, n_debt: int,
                 prices: list[int], feeds: bool):
        self.chain, self.poster, self.prices = chain, poster, list(prices)
        self.feeds = [epoch_oracle.deploy_dev_feed(chain, 8, p) for p in prices] \
            if feeds else []
        self.oracle = epoch_oracle.deploy_oracle(
            chain, n_collateral, n_debt, oracle=None if feeds else poster.address,
            feeds=[epoch_oracle.FeedSpec(f, HEARTBEAT) for f in self.feeds] or None,
            admin_delay=0, config=epoch_oracle.OracleConfig(min_epoch_interval=EPOCH_INTERVAL))

    @property
    def kind(self) -> str:
        return "Chainlink-compatible feeds (development mocks)" if self.feeds \
            else "pushed prices"

    def open_epoch(self) -> dict:
        """Open the next epoch at the demo's prices (feeds: refreshed, then snapshotted by
        the borrower, as anyone may)."""
        if not self.feeds:
            return epoch_oracle.open_epoch_with_prices(self.poster, self.oracle, self.prices)
        for feed, price in zip(self.feeds, self.prices, strict=True):
            epoch_oracle.set_answer(self.chain, feed, price)
        return epoch_oracle.open_epoch(self.poster, self.oracle)


def run(echo: Callable[[str], None] = print, chain: Chain | None = None,
        feeds: bool = False) -> dict:
    """Run the demo (on ``chain``, else a fresh embedded EVM); returns its outcomes.

    ``chain`` needs four funded development keys in ``chain.dev_keys``; ``feeds`` puts
    the oracle on development Chainlink feeds instead of pushed prices.
    """
    step = Step(echo)
    policy = collateral.load_policy(DATA / "policy.json")
    prices = collateral.load_prices(DATA / "prices.json", policy)
    portfolio = collateral.load_portfolio(DATA / "portfolio.json", policy)
    echo(f"backend: {get_backend().name}")

    step(f"build the attested collateral-ratio circuit ({len(policy.collateral)} collateral, "
         f"{len(policy.debt)} debt assets, min ratio {policy.min_ratio_bps / 100:.0f}%)")
    t = time.perf_counter()
    c = policy.circuit()
    cs = compile_circuit(AttestedCollateralRatio(
        c.n_collateral, c.n_debt, c.collateral_decimals, c.debt_decimals, c.amount_bits,
        c.price_bits, c.ratio_bits))
    step.done(f"{cs.num_constraints} constraints, {cs.num_public} public inputs", t)

    step("development setup (toxic waste from the OS CSPRNG, then discarded)")
    t = time.perf_counter()
    pk = groth16.setup(cs)
    vk_json = sj.vk_to_json(pk.vk)
    step.done(f"vk hash {pk.vk.hash()[:16]}...", t)

    step("connect to the chain (default: a fresh embedded EVM); deploy the verifier, an "
         f"EpochOracle on {'feeds' if feeds else 'pushed prices'}, the AttesterRegistry "
         "and an ATTESTED SolvencyRegistry reading the oracle (development keys: demo only)")
    t = time.perf_counter()
    chain = chain or connect()
    poster = chain.with_key(chain.dev_keys[1])
    borrower = chain.with_key(chain.dev_keys[2])
    verifier = deploy_verifier(chain, vk_json)
    source = _Prices(chain, poster, len(policy.collateral), len(policy.debt),
                     [*prices.collateral, *prices.debt], feeds)
    oracle = source.oracle
    attesters = deploy_attester_registry(chain, admin_delay=0)
    registry = deploy_registry(chain, verifier, vk_json, cs.statement, oracle=oracle,
                               mode=ATTESTED, haircuts_bps=list(policy.haircuts_bps),
                               min_ratio_bps=policy.min_ratio_bps, attester_registry=attesters,
                               grace=GRACE, max_attestation_age=3600, dev_keys=True)
    policy = dataclasses.replace(policy, chain_id=chain.chain_id, registry=int(registry, 16))
    opened = source.open_epoch()
    if opened.get("tripped") or opened["prices"] != source.prices:
        raise RuntimeError(f"demo: the oracle did not open an epoch at the demo's prices "
                           f"({opened})")
    prices = dataclasses.replace(prices, epoch=opened["epoch"])
    step.done(f"verifier {verifier}, oracle {oracle} ({source.kind}), registry {registry}; "
              f"the oracle opened epoch {prices.epoch} with its prices", t)

    step("the attester (the borrower's custodian) is allow-listed and signs the position")
    custodian = eddsa.new_secret()
    add_attester(chain, attesters, *eddsa.public_key(custodian))
    as_of = chain.timestamp() - 60

    def attest(secret: int, account: str, position) -> object:
        return sign_attestation(secret, TAG_POSITION, chain.chain_id, int(registry, 16),
                                int(account, 16), position.commitment(), as_of)

    attestation = attest(custodian, borrower.address, portfolio)
    echo(f"    EdDSA-Poseidon over (TAG, chain, registry, borrower, commitment, as_of={as_of}); "
         "the amounts stay between custodian and borrower")

    step(f"the borrower {borrower.address} proves it is solvent (amounts stay private)")
    t = time.perf_counter()
    proof, public = _prove(cs, pk, policy, prices, portfolio, borrower.address, attestation)
    ok = groth16.verify(pk.vk, proof, public)
    step.done(f"proof made, {len(public)} public inputs; valid in Python: {ok}", t)

    step("verify on-chain (eth_call to the verifier) and submit to the registry")
    t = time.perf_counter()
    proof_json = sj.proof_to_json(proof)
    on_chain = verify_on_chain(chain, verifier, proof_json, public)
    before = is_solvent(chain, registry, borrower.address)
    receipt = submit(borrower, registry, proof_json, public)
    after = is_solvent(chain, registry, borrower.address)
    step.done(f"verifyProof: {on_chain}; submit gas {receipt['gasUsed']}; "
              f"isSolvent before {before}, after {after}", t)

    step("a made-up portfolio (same collateral, debt 0, new salt) is refused")
    made_up = dataclasses.replace(portfolio, debts=tuple(0 for _ in portfolio.debts),
                                  salt=portfolio.salt ^ 0x5EED)
    mallory = eddsa.new_secret()           # the borrower signs it with its own key
    self_signed = _prove(cs, pk, policy, prices, made_up, borrower.address,
                         attest(mallory, borrower.address, made_up))
    made_up_result = _refused(lambda: submit(borrower, registry,
                                             sj.proof_to_json(self_signed[0]),
                                             self_signed[1]))
    echo(f"    self-signed: {made_up_result}")
    forged = _refused(lambda: _prove(cs, pk, policy, prices, made_up, borrower.address,
                                     attestation))
    echo(f"    with the custodian's signature of the real position: {forged}")

    step("an insolvent position cannot be proven (debt doubled)")
    poor = dataclasses.replace(portfolio, debts=tuple(2 * d for d in portfolio.debts))
    try:
        collateral.precheck(policy, prices, poor)
    except WitnessError as exc:
        echo(f"    the pre-check refuses: {exc}")
    # with the pre-check bypassed (and even with the custodian's signature), the circuit does
    refused = _refused(lambda: _prove(cs, pk, policy, prices, poor, borrower.address,
                                      attest(custodian, borrower.address, poor)))
    echo(f"    {refused}")

    step("a tampered proof is rejected on-chain")
    other = chain.with_key(chain.dev_keys[3])
    proof2, public2 = _prove(cs, pk, policy, prices, portfolio, other.address,
                             attest(custodian, other.address, portfolio))
    tampered = dataclasses.replace(proof2, a=curve.g1_add(proof2.a, curve.G1_GEN))
    rejected = _refused(lambda: submit(other, registry, sj.proof_to_json(tampered), public2))
    echo(f"    {rejected}; isSolvent({other.address[:10]}...) = "
         f"{is_solvent(chain, registry, other.address)}")

    step(f"the oracle opens epoch {prices.epoch + 1}; after {GRACE}s of grace the old proof "
         "no longer counts")
    chain.increase_time(EPOCH_INTERVAL)
    next_epoch = source.open_epoch()["epoch"]
    in_grace = is_solvent(chain, registry, borrower.address)
    chain.increase_time(GRACE + 1)
    after_grace = is_solvent(chain, registry, borrower.address)
    echo(f"    epoch {next_epoch}: isSolvent within grace {in_grace}, after grace "
         f"{after_grace}")
    total = time.perf_counter() - step.t0
    echo(f"done in {total:.1f}s")
    return {"valid": ok, "on_chain": on_chain, "solvent_before": before,
            "solvent_after": after, "insolvent": refused, "tampered": rejected,
            "submit_gas": receipt["gasUsed"], "made_up": made_up_result, "forged": forged,
            "in_grace": in_grace, "after_grace": after_grace, "seconds": total,
            "price_source": "feeds" if feeds else "pushed", "epochs": [prices.epoch,
                                                                     next_epoch]}
