"""The whole story in one process: circuit, setup, prove, verify, deploy, verify on-chain.

Runs on the embedded EVM (nothing to start) and uses the demo portfolio shipped in
``prover/demo_data`` (the same files as ``examples/collateral``).
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

from prover import collateral
from verifier_contracts import (
    REGISTERED,
    Chain,
    ContractRevert,
    connect,
    deploy_registry,
    deploy_verifier,
    is_solvent,
    post_prices,
    record_position,
    submit,
    verify_on_chain,
)
from zk import compile_circuit, curve, groth16
from zk.backend import get_backend
from zk.errors import WitnessError
from zk.formats import snarkjs_json as sj

DATA = Path(__file__).resolve().parent / "demo_data"
GRACE = 600


class Step:
    """Prints numbered steps with their wall time."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo, self.n, self.t0 = echo, 0, time.perf_counter()

    def __call__(self, text: str) -> None:
        self.n += 1
        self.echo(f"[{self.n}] {text}")

    def done(self, text: str, since: float) -> None:
        self.echo(f"    {text} ({time.perf_counter() - since:.2f}s)")


def _prove(cs, pk, policy, prices, portfolio, address: str):
    inputs = collateral.circuit_inputs(policy, prices, portfolio, int(address, 16))
    witness = cs.solve(inputs)
    return groth16.prove(pk, witness), cs.public_values(witness)


def run(echo: Callable[[str], None] = print, chain: Chain | None = None) -> dict:
    """Run the demo (on ``chain``, else a fresh embedded EVM); returns its outcomes.

    ``chain`` needs four funded development keys in ``chain.dev_keys``.
    """
    step = Step(echo)
    policy = collateral.load_policy(DATA / "policy.json")
    prices = collateral.load_prices(DATA / "prices.json", policy)
    portfolio = collateral.load_portfolio(DATA / "portfolio.json", policy)
    echo(f"backend: {get_backend().name}")

    step(f"build the collateral-ratio circuit ({len(policy.collateral)} collateral, "
         f"{len(policy.debt)} debt assets, min ratio {policy.min_ratio_bps / 100:.0f}%)")
    t = time.perf_counter()
    cs = compile_circuit(policy.circuit())
    step.done(f"{cs.num_constraints} constraints, {cs.num_public} public inputs", t)

    step("development setup (toxic waste from the OS CSPRNG, then discarded)")
    t = time.perf_counter()
    pk = groth16.setup(cs)
    vk_json = sj.vk_to_json(pk.vk)
    step.done(f"vk hash {pk.vk.hash()[:16]}...", t)

    step("connect to the chain (default: a fresh embedded EVM); deploy the verifier and "
         "a SolvencyRegistry in REGISTERED mode (development keys, demo only)")
    t = time.perf_counter()
    chain = chain or connect()
    oracle = chain.with_key(chain.dev_keys[1])
    borrower = chain.with_key(chain.dev_keys[2])
    verifier = deploy_verifier(chain, vk_json)
    registry = deploy_registry(chain, verifier, vk_json, cs.statement, mode=REGISTERED,
                               haircuts_bps=list(policy.haircuts_bps),
                               min_ratio_bps=policy.min_ratio_bps, oracle=oracle.address,
                               grace=GRACE, max_validity=3600, dev_keys=True)
    policy = dataclasses.replace(policy, chain_id=chain.chain_id, registry=int(registry, 16))
    post_prices(oracle, registry, prices.epoch, list(prices.collateral), list(prices.debt),
                chain.timestamp() + 3600)
    step.done(f"verifier {verifier}, registry {registry}, epoch {prices.epoch} prices posted",
              t)

    step("the venue (position manager) records the borrower's position commitment on-chain")
    record_position(chain, registry, borrower.address, portfolio.commitment())
    echo("    only the commitment (a Poseidon hash) is public; amounts stay off-chain")

    step(f"prove the borrower {borrower.address} is solvent (amounts stay private)")
    t = time.perf_counter()
    proof, public = _prove(cs, pk, policy, prices, portfolio, borrower.address)
    step.done(f"proof made, {len(public)} public inputs", t)

    step("verify in Python")
    t = time.perf_counter()
    ok = groth16.verify(pk.vk, proof, public)
    step.done(f"valid: {ok}", t)

    step("verify on-chain (eth_call to the verifier) and submit to the registry")
    t = time.perf_counter()
    proof_json = sj.proof_to_json(proof)
    on_chain = verify_on_chain(chain, verifier, proof_json, public)
    before = is_solvent(chain, registry, borrower.address)
    receipt = submit(borrower, registry, proof_json, public)
    after = is_solvent(chain, registry, borrower.address)
    step.done(f"verifyProof: {on_chain}; submit gas {receipt['gasUsed']}; "
              f"isSolvent before {before}, after {after}", t)

    step("a made-up portfolio (same collateral, debt 0, new salt) is refused on-chain")
    made_up = dataclasses.replace(portfolio, debts=tuple(0 for _ in portfolio.debts),
                                  salt=portfolio.salt ^ 0x5EED)
    fake_proof, fake_public = _prove(cs, pk, policy, prices, made_up, borrower.address)
    try:
        submit(borrower, registry, sj.proof_to_json(fake_proof), fake_public)
        made_up_result = "NOT refused"
    except ContractRevert as exc:
        made_up_result = f"reverted with {exc.name}"
    echo(f"    {made_up_result}; isSolvent still {is_solvent(chain, registry, borrower.address)}")

    step("an insolvent position cannot be proven (debt doubled)")
    poor = dataclasses.replace(portfolio, debts=tuple(2 * d for d in portfolio.debts))
    refused = "NOT refused"
    try:
        collateral.precheck(policy, prices, poor)
    except WitnessError as exc:
        echo(f"    the pre-check refuses: {exc}")
    try:                                   # and with the pre-check bypassed, the circuit does
        _prove(cs, pk, policy, prices, poor, borrower.address)
    except WitnessError as exc:
        refused = f"refused by the circuit: {exc}"
    echo(f"    {refused}")

    step("a tampered proof is rejected on-chain")
    other = chain.with_key(chain.dev_keys[3])
    record_position(chain, registry, other.address, portfolio.commitment())
    proof2, public2 = _prove(cs, pk, policy, prices, portfolio, other.address)
    tampered = dataclasses.replace(proof2, a=curve.g1_add(proof2.a, curve.G1_GEN))
    try:
        submit(other, registry, sj.proof_to_json(tampered), public2)
        rejected = "NOT rejected"
    except ContractRevert as exc:
        rejected = f"reverted with {exc.name}"
    echo(f"    {rejected}; isSolvent({other.address[:10]}...) = "
         f"{is_solvent(chain, registry, other.address)}")

    step(f"the oracle opens epoch {prices.epoch + 1}; after {GRACE}s of grace the old proof "
         "no longer counts")
    post_prices(oracle, registry, prices.epoch + 1, list(prices.collateral),
                list(prices.debt), chain.timestamp() + 3600)
    in_grace = is_solvent(chain, registry, borrower.address)
    chain.increase_time(GRACE + 1)
    after_grace = is_solvent(chain, registry, borrower.address)
    echo(f"    isSolvent within grace {in_grace}, after grace {after_grace}")
    total = time.perf_counter() - step.t0
    echo(f"done in {total:.1f}s")
    return {"valid": ok, "on_chain": on_chain, "solvent_before": before,
            "solvent_after": after, "insolvent": refused, "tampered": rejected,
            "submit_gas": receipt["gasUsed"], "made_up": made_up_result,
            "in_grace": in_grace, "after_grace": after_grace, "seconds": total}
