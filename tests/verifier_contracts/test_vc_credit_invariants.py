"""Stateful invariants of SolvencyGatedCredit (hypothesis RuleBasedStateMachine) against
the real oracle, registry and Groth16 credit proofs of credit_world, on anvil (a real EVM
node; every example starts from an evm_snapshot of the proven world). anvil rather than
the embedded EVM: re-proving verifies a pairing, which takes seconds on the latter.

Every step predicts the outcome from a plain-Python model (which custom error, or
success) and compares with the chain. After every step: badDebt + repaid + outstanding
== borrowed, to the wei. While tripped, no liquidation succeeds (the liquidate rule
asserts Tripped), and after it none before the grace has run again from the trip's end.
At the end of each run: the counters equal the sums over the accounts and the market's
token balance is idle liquidity plus posted bonds.
"""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.verifier_contracts.conftest import ANVIL_KEYS
from tests.verifier_contracts.credit_world import (
    CREDIT,
    GRACE,
    MIN_BOND,
    PER_USDC,
    REWARD,
    USDC,
    VALIDITY,
    World,
    open_epoch,
    prove,
    proven_world,
)
from verifier_contracts import ContractRevert, connect
from verifier_contracts import credit_market as M
from verifier_contracts import oracle as O

RUNS = {"examples": 0, "steps": 0}
NAMES = st.sampled_from(("alice", "bob"))
OUTCOMES: dict[tuple[str, str | None], int] = {}
SETTINGS = settings(max_examples=10, stateful_step_count=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _rpc(w: World, method: str, *params):
    return w.chain.w3.provider.make_request(method, list(params))["result"]


class CreditMarket(RuleBasedStateMachine):
    """Model: which accounts are solvent, whether the breaker is tripped and when it was
    last cleared; debts, bonds and notices are read from the chain before each step."""

    world: World
    snapshot: str

    @initialize()
    def start(self):
        self.w = w = CreditMarket.world
        assert _rpc(w, "evm_revert", CreditMarket.snapshot) is True
        CreditMarket.snapshot = _rpc(w, "evm_snapshot")
        for who, usdc in ((self.w.alice, 3000), (self.w.bob, 1000)):
            M.act(who, self.w.market, "postBond", MIN_BOND + 5 * USDC)
            M.act(who, self.w.market, "borrow", usdc * USDC)
        self.names = ("alice", "bob")
        self.solvent = {n: True for n in self.names}
        self.tripped = False
        self.cleared_at = 0         # when the last trip ended (the oracle's clearedAt)
        self.expired = False
        RUNS["examples"] += 1

    def who(self, name):
        return getattr(self.w, name)

    def outcome(self, chain, name, *args) -> str | None:
        """None on success, else the custom error's name."""
        RUNS["steps"] += 1
        try:
            M.act(chain, self.w.market, name, *args)
        except ContractRevert as exc:
            got = exc.name
        else:
            got = None
        OUTCOMES[name, got] = OUTCOMES.get((name, got), 0) + 1
        return got

    def read(self, name, *args) -> int:
        return M.read(self.w.chain, self.w.market, name, *args)

    def wait(self, seconds: int) -> None:
        """Let time pass. A wait that reaches the epoch's snapshot expiry steps a minute
        past it, so the model knows which side of the expiry the next call lands on:
        every proof stops counting there."""
        if not self.expired:
            epoch = O.read(self.w.chain, self.w.oracle, "latestEpoch")
            valid_until = O.read(self.w.chain, self.w.oracle, "snapshot", epoch)[1]
            now = self.w.chain.timestamp()
            if now + seconds + 60 >= valid_until:
                seconds = max(seconds, valid_until - now + 60)
                self.solvent = {n: False for n in self.names}
                self.expired = True
        self.w.chain.increase_time(seconds)

    @rule(name=NAMES, usdc=st.sampled_from((1, 1000, 2500, 4999, 5000, 5001, 9000)))
    def borrow(self, name, usdc):
        acct = self.who(name)
        debt = self.read("debtOf", acct.address) + usdc * USDC
        if self.tripped:
            want = "Tripped"
        elif not self.solvent[name]:
            want = "NotSolvent"
        elif self.read("bondOf", acct.address) < MIN_BOND:
            want = "BondTooSmall"
        elif debt * PER_USDC > CREDIT:
            want = "CreditExceeded"
        else:
            want = None
        assert self.outcome(acct, "borrow", usdc * USDC) == want

    @rule(name=NAMES, share=st.integers(1, 4))
    def repay(self, name, share):
        acct = self.who(name)
        debt = self.read("debtOf", acct.address)
        amount = debt // share
        want = "ZeroAmount" if amount == 0 else None
        assert self.outcome(self.w.carol, "repay", acct.address, amount) == want

    @rule()
    def toggle_breaker(self):
        """The guardian pauses the oracle (a manual trip), or lifts the pause."""
        (O.unpause if self.tripped else O.pause)(self.w.chain, self.w.oracle)
        self.tripped = not self.tripped
        if not self.tripped:
            self.cleared_at = self.w.chain.timestamp()
        assert O.read(self.w.chain, self.w.oracle, "clearedAt") == self.cleared_at

    @precondition(lambda self: not self.expired and not self.tripped)
    @rule(name=NAMES)
    def lapse(self, name):
        """The epoch's snapshot expires (every proof stops counting); carol notices `name`."""
        self.w.chain.increase_time(VALIDITY + 1)
        self.solvent = {n: False for n in self.names}
        self.expired = True
        self.notice(name)

    @precondition(lambda self: not self.tripped and not all(self.solvent.values()))
    @rule(name=NAMES)
    def reprove(self, name):
        """A new proof (in a new epoch once the old snapshot expired)."""
        if self.solvent[name] and not self.expired:
            return
        if self.expired:
            open_epoch(self.w)
            self.expired = False
        prove(self.w, self.who(name), O.read(self.w.chain, self.w.oracle, "latestEpoch"))
        self.solvent[name] = True

    @rule(name=NAMES)
    def notice(self, name):
        acct = self.who(name)
        if self.tripped:
            want = "Tripped"
        elif (not self.solvent[name] and self.read("lapsedSince", acct.address) == 0
              and self.read("debtOf", acct.address) == 0):
            want = "NoDebt"
        else:
            want = None
        assert self.outcome(self.w.carol, "noticeLapse", acct.address) == want
        if want is None:        # started (or kept) when lapsed, cleared when solvent
            assert (self.read("lapsedSince", acct.address) != 0) == (not self.solvent[name])

    @rule(name=NAMES, wait=st.booleans())
    def liquidate(self, name, wait):
        """Carol liquidates `name`, after the grace period when `wait`."""
        if wait:
            self.wait(GRACE + 1)
        acct = self.who(name)
        since = self.read("lapsedSince", acct.address)
        at = self.read("liquidatableAt", acct.address)
        debt, bond = self.read("debtOf", acct.address), self.read("bondOf", acct.address)
        before = self.w.totals()
        got = self.outcome(self.w.carol, "liquidate", acct.address)
        if self.tripped:
            assert got == "Tripped"
            return
        if self.solvent[name]:
            assert got == "StillSolvent"
        elif since == 0:
            assert got == "LapseNotNoticed"
        else:               # the grace counts from the notice and from the trip's end
            now, due = self.w.chain.timestamp(), max(since, self.cleared_at) + GRACE
            assert at == due
            if now >= due:
                assert got == ("NoDebt" if debt == 0 else None)
            elif now + 60 < due:
                assert got == "GraceNotOver"
        if got is None:
            reward = min(bond, REWARD)
            recovered = min(bond - reward, debt)
            after = self.w.totals()
            assert after["totalBadDebt"] - before["totalBadDebt"] == debt - recovered
            assert after["totalRepaid"] - before["totalRepaid"] == recovered
            assert self.read("bondOf", acct.address) == bond - reward - recovered

    @invariant()
    def books_balance(self):
        """badDebt + repaid + outstanding == borrowed, after every step."""
        if hasattr(self, "w"):
            assert M.balanced(self.w.totals())

    def teardown(self):
        """At the end of each run: the counters equal the sums over the accounts, and the
        token balance is idle liquidity plus bonds."""
        if not hasattr(self, "w"):
            return
        t, accounts = self.w.totals(), (self.w.alice, self.w.bob, self.w.carol)
        assert t["totalOutstanding"] == sum(self.read("debtOf", a.address) for a in accounts)
        bonds = sum(self.read("bondOf", a.address) for a in accounts)
        assert t["totalBonds"] == bonds
        assert M.balance(self.w.chain, self.w.token, self.w.market) == \
            self.read("available") + bonds


def _waits_reach_the_expiry():
    """Regression (a CI run's falsifying example): waits for the liquidation grace add up
    to the snapshot's expiry, after which nobody is solvent any more."""
    m = CreditMarket()
    m.start()
    for _ in range(VALIDITY // GRACE + 2):
        m.liquidate(name="bob", wait=True)
        m.books_balance()
    assert m.expired and not any(m.solvent.values())
    m.teardown()


def _a_trip_restarts_the_grace():
    """Regression: a lapse noticed before a trip kept its time through the end of the
    trip, so the borrower was liquidatable at once, without a chance to re-prove."""
    m = CreditMarket()
    m.start()
    m.lapse(name="alice")                        # expired, noticed
    m.toggle_breaker()                           # tripped
    m.liquidate(name="alice", wait=True)         # the whole grace passes while tripped
    m.toggle_breaker()                           # cleared
    m.liquidate(name="alice", wait=False)        # GraceNotOver: counts from the clearing
    m.liquidate(name="alice", wait=True)         # then liquidated
    assert M.read(m.w.chain, m.w.market, "debtOf", m.w.alice.address) == 0
    m.books_balance()
    m.teardown()


def test_credit_market_invariants(anvil_url):
    chain = connect(anvil_url, private_key=ANVIL_KEYS[0])
    chain.dev_keys = list(ANVIL_KEYS)
    CreditMarket.world = w = proven_world(chain)
    CreditMarket.snapshot = _rpc(w, "evm_snapshot")
    try:
        _waits_reach_the_expiry()
        _a_trip_restarts_the_grace()
        run_state_machine_as_test(CreditMarket, settings=SETTINGS)
    finally:
        _rpc(w, "evm_revert", CreditMarket.snapshot)
    assert RUNS["examples"] >= SETTINGS.max_examples and RUNS["steps"] > 0
    print(f"credit market state machine: {RUNS['examples']} examples, "
          f"{RUNS['steps']} market calls; outcomes {sorted(OUTCOMES.items(), key=str)}")
