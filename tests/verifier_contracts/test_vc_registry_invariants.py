"""Stateful invariants of SolvencyRegistry on the EpochOracle (hypothesis
RuleBasedStateMachine against the embedded EVM, real proofs from our prover):

* `isSolvent` is never true for a stale proof: after every step it equals a model of
  freshness (proven epoch is the latest, or the one before within `grace` of the latest's
  opening; the snapshot unexpired; the recorded commitment unchanged);
* no proof is accepted while the breaker is tripped (deviation trip or guardian pause).

Setup is module-scoped: one registry, one oracle, one key; the machine restarts from the
state the previous run left (it models whatever it finds).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.verifier_contracts import anchored as A
from verifier_contracts import ContractRevert, connect, deploy_verifier
from verifier_contracts import oracle as O
from verifier_contracts.registry import (
    REGISTERED,
    deploy_registry,
    is_solvent,
    record_position,
    submit,
)

GRACE, VALIDITY = 300, 1800
RUNS = {"examples": 0, "steps": 0, "accepted": 0, "refused_tripped": 0}


@pytest.fixture(scope="module")
def world():
    chain = connect()
    admin, borrower = chain, chain.with_key(chain.dev_keys[1])
    keys = A.collateral_keys()
    oracle = A.make_oracle(admin, snapshot_validity=VALIDITY, reset_delay=60)
    reg = deploy_registry(admin, deploy_verifier(chain, keys.vk_json, self_test=False),
                          keys.vk_json, keys.statement, oracle=oracle, mode=REGISTERED,
                          haircuts_bps=A.HAIRCUTS, min_ratio_bps=A.RATIO, grace=GRACE,
                          timelock_delay=60, dev_keys=True)
    record_position(admin, reg, borrower.address, A.commitment())
    return dict(chain=chain, admin=admin, borrower=borrower, keys=keys, oracle=oracle, reg=reg,
                proofs={})


class RegistryMachine(RuleBasedStateMachine):
    world: dict = {}

    def __init__(self):
        super().__init__()
        w = self.world
        self.c, self.reg, self.oracle = w["chain"], w["reg"], w["oracle"]
        self.acct = w["borrower"].address
        self.proven_epoch, self.valid_until = _recorded(self)
        RUNS["examples"] += 1

    # ---- the model -----------------------------------------------------------------
    def latest(self) -> int:
        return int(O.read(self.c, self.oracle, "latestEpoch"))

    def tripped(self) -> bool:
        return O.breaker_state(self.c, self.oracle)["tripped"]

    def fresh(self) -> bool:
        e, now, latest = self.proven_epoch, self.c.timestamp(), self.latest()
        if e == 0 or now > self.valid_until:
            return False
        if e == latest:
            return True
        opened = O.snapshot(self.c, self.oracle, e + 1)["opened_at"]
        return now < opened + GRACE

    # ---- rules ---------------------------------------------------------------------
    @rule(seconds=st.sampled_from([1, 100, GRACE, A.EPOCH_INTERVAL, VALIDITY]))
    def wait(self, seconds):
        RUNS["steps"] += 1
        self.c.increase_time(seconds)

    @rule(crash=st.booleans())
    def open_epoch(self, crash):
        RUNS["steps"] += 1
        if self.tripped():
            return
        self.c.increase_time(A.EPOCH_INTERVAL)
        cp = [A.CP[0] // 2, A.CP[1]] if crash else A.CP      # -50 %: a deviation trip
        O.open_epoch_with_prices(self.world["admin"], self.oracle, [*cp, *A.DP])

    @rule()
    def pause_or_unpause(self):
        RUNS["steps"] += 1
        state = O.breaker_state(self.c, self.oracle)["cause"]
        if state == "MANUAL":
            O.unpause(self.world["admin"], self.oracle)
        elif state == "NONE":
            O.pause(self.world["admin"], self.oracle)

    @precondition(lambda self: self.tripped())
    @rule()
    def reset(self):
        RUNS["steps"] += 1
        state = O.breaker_state(self.c, self.oracle)
        if state["cause"] in ("DEVIATION", "STALE_FEED", "DISAGREEMENT"):
            self.c.increase_time(60)
            O.reset(self.world["admin"], self.oracle)

    @rule()
    def prove_and_submit(self):
        RUNS["steps"] += 1
        e = self.latest()
        if e == 0:
            return
        proof = self.world["proofs"].get(e)
        if proof is None:
            prices = O.snapshot(self.c, self.oracle, e)["prices"]   # a reset re-anchors
            proof = self.world["keys"].prove(A.collateral_inputs(
                self.acct, self.c.chain_id, self.reg, epoch=e, cp=prices[:2], dp=prices[2:]))
            self.world["proofs"][e] = proof
        tripped = self.tripped()
        try:
            submit(self.world["borrower"], self.reg, *proof)
        except ContractRevert as exc:
            if tripped:
                assert exc.name == "BreakerIsTripped"
                RUNS["refused_tripped"] += 1
            else:
                RUNS.setdefault(exc.name, 0)
                RUNS[exc.name] += 1
                assert exc.name in ("AsOfNotLater", "PricesExpired"), exc.name
            return
        assert not tripped, "a proof was accepted while the breaker is tripped"
        RUNS["accepted"] += 1
        self.proven_epoch = e
        self.valid_until = O.snapshot(self.c, self.oracle, e)["valid_until"]

    @invariant()
    def solvent_only_when_fresh(self):
        assert is_solvent(self.c, self.reg, self.acct) == self.fresh()


def _recorded(machine) -> tuple[int, int]:
    """(epoch, validUntil) of the borrower's accepted proof, as the registry records it."""
    from verifier_contracts.registry import solvency_of

    got = solvency_of(machine.c, machine.reg, machine.acct)
    return int(got["epoch"]), int(got["valid_until"])


def test_registry_invariants(world, record_property):
    RegistryMachine.world = world
    run_state_machine_as_test(RegistryMachine, settings=settings(
        max_examples=12, stateful_step_count=10, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
    record_property("invariant_runs", dict(RUNS))
    print(f"\nregistry state machine: {RUNS}")
    assert RUNS["examples"] >= 12 and RUNS["accepted"] > 0 and RUNS["refused_tripped"] > 0
