"""SolvencyGatedCredit against a real EpochOracle and SolvencyRegistry with real Groth16
proofs (tests/verifier_contracts/credit_world.py), on the embedded EVM and on anvil. Every
revert is checked by its custom error and arguments."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak

from tests.verifier_contracts.anchored import commitment
from tests.verifier_contracts.conftest import ANVIL_KEYS
from tests.verifier_contracts.credit_world import (
    CREDIT,
    DP,
    GRACE,
    MIN_BOND,
    PER_USDC,
    REWARD,
    SCALE,
    USDC,
    VALIDITY,
    fresh_embedded_world,
    proven_world,
)
from verifier_contracts import ContractRevert, connect
from verifier_contracts import credit_market as M
from verifier_contracts import oracle as O
from verifier_contracts.artifacts import SOL_DIR
from verifier_contracts.registry import credit_of, is_solvent, record_position
from verifier_contracts.solc import collect_sources, compile_sources


@pytest.fixture(scope="module", params=["embedded", "anvil"])
def world(request):
    """alice and bob proven (solvency and CREDIT) in the current epoch, nobody bonded."""
    if request.param == "embedded":
        return fresh_embedded_world()
    chain = connect(request.getfixturevalue("anvil_url"), private_key=ANVIL_KEYS[0])
    chain.dev_keys = list(ANVIL_KEYS)
    return proven_world(chain)


def test_units_and_config(world):
    w = world
    assert M.read(w.chain, w.market, "valueScale") == SCALE
    assert M.read(w.chain, w.market, "priceIndex") == 2       # 2 collateral, then USDC
    assert M.read(w.chain, w.market, "debtPrice") == DP[0]
    assert M.read(w.chain, w.market, "lender") == w.chain.address.lower()


def test_borrow_up_to_the_proven_credit_exactly(world):
    w = world
    assert credit_of(w.chain, w.registry, w.alice.address) == CREDIT
    w.expect(w.alice, "borrow", 10 * USDC, error="BondTooSmall", values=(MIN_BOND, 0))
    w.act(w.alice, "postBond", MIN_BOND, label="postBond")
    w.act(w.alice, "borrow", 4000 * USDC, label="borrow first")
    over = 1000 * USDC + 1                                   # one base unit past the credit
    w.expect(w.alice, "borrow", over, error="CreditExceeded",
             values=(CREDIT, (5000 * USDC + 1) * PER_USDC))
    w.act(w.alice, "borrow", 1000 * USDC, label="borrow again")
    assert M.read(w.chain, w.market, "debtOf", w.alice.address) == 5000 * USDC
    assert M.read(w.chain, w.market, "creditUsed", w.alice.address) == CREDIT
    w.expect(w.alice, "withdrawBond", 1, error="BondLocked", values=(MIN_BOND, MIN_BOND - 1))
    w.expect(w.carol, "borrow", 1, error="NotSolvent", values=(w.carol.address,))
    assert M.balanced(w.totals())


def test_repay_by_anyone_and_not_more_than_owed(world):
    w = world
    debt = M.read(w.chain, w.market, "debtOf", w.alice.address)
    w.expect(w.bob, "repay", w.alice.address, debt + 1, error="RepayTooLarge",
             values=(debt, debt + 1))
    before = M.balance(w.chain, w.token, w.bob.address)
    w.act(w.bob, "repay", w.alice.address, 1500 * USDC, label="repay partial")
    assert M.balance(w.chain, w.token, w.bob.address) == before - 1500 * USDC
    w.act(w.alice, "repay", w.alice.address, debt - 1500 * USDC, label="repay to zero")
    assert M.read(w.chain, w.market, "debtOf", w.alice.address) == 0
    M.act(w.alice, w.market, "withdrawBond", MIN_BOND)
    t = w.totals()
    assert t["totalRepaid"] == debt and t["totalOutstanding"] == 0 and M.balanced(t)


def test_tripped_blocks_borrowing_and_liquidation_not_repayment(world):
    w = world
    M.act(w.alice, w.market, "postBond", MIN_BOND)
    M.act(w.alice, w.market, "borrow", 100 * USDC)
    O.pause(w.chain, w.oracle)
    try:
        assert M.read(w.chain, w.market, "debtOf", w.alice.address) == 100 * USDC
        w.expect(w.alice, "borrow", 1, error="Tripped", values=())
        w.expect(w.carol, "noticeLapse", w.alice.address, error="Tripped", values=())
        w.expect(w.carol, "liquidate", w.alice.address, error="Tripped", values=())
        M.act(w.alice, w.market, "repay", w.alice.address, 100 * USDC)
    finally:
        O.unpause(w.chain, w.oracle)
    assert M.read(w.chain, w.market, "debtOf", w.alice.address) == 0


def test_lender_and_bond_accounting(world):
    w = world
    w.expect(w.alice, "withdrawLiquidity", w.alice.address, 1, error="NotLender",
             values=(w.chain.address, w.alice.address))
    bonds = w.totals()["totalBonds"]
    balance = M.balance(w.chain, w.token, w.market)
    assert M.read(w.chain, w.market, "available") == balance - bonds
    w.expect(w.chain, "withdrawLiquidity", w.chain.address, balance - bonds + 1,
             error="InsufficientLiquidity", values=(balance - bonds, balance - bonds + 1))
    w.expect(w.alice, "postBond", 0, error="ZeroAmount", values=())


# ---- compiled at test time: the integration doc's example and a hostile token ------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"
HOSTILE = Path(__file__).resolve().parent / "contracts" / "ReentrantToken.sol"


@pytest.fixture(scope="session")
def compiled():
    """The doc's Solidity block and ReentrantToken, compiled with the pinned solc-js."""
    blocks = re.findall(r"```solidity\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    sources = {"CreditGate.sol": blocks[0],
               "ReentrantToken.sol": HOSTILE.read_text(encoding="utf-8")}
    return compile_sources(collect_sources(sources, SOL_DIR))


def _deploy(chain, out: dict, types: list[str], args: list) -> str:
    code = bytes.fromhex(out["bytecode"]) + abi_encode(types, args)
    return chain.deploy(code, action="deploy test contract")[0]


def _call(chain, to: str, signature: str, types: list[str], args: list, out: list[str]):
    data = keccak(text=signature)[:4] + abi_encode(types, args)
    return abi_decode(out, chain.call(to, data))


def test_integration_doc_example_compiles_and_reads_the_registry(world, compiled):
    w = world
    gate = _deploy(w.chain, compiled["CreditGate"], ["address"], [w.registry])
    ok = _call(w.chain, gate, "requireCredit(address,uint256)", ["address", "uint256"],
               [w.alice.address, CREDIT], [])
    assert ok == ()
    with pytest.raises(ContractRevert):          # one value unit above the proven credit
        _call(w.chain, gate, "requireCredit(address,uint256)", ["address", "uint256"],
              [w.alice.address, CREDIT + 1], [])
    assert _call(w.chain, gate, "canLiquidate(address)", ["address"], [w.alice.address],
                 ["bool"]) == (False,)


def test_reentrancy_guard_stops_a_hostile_token(world, compiled):
    """A token calling back into the market mid-transfer hits ReentrancyGuard."""
    w = world
    token = _deploy(w.chain, compiled["ReentrantToken"], [], [])
    market = M.deploy_market(w.chain, w.registry, w.oracle, token, M.MarketConfig.for_decimals(
        18, 6, min_bond=MIN_BOND, liquidator_reward=REWARD, liquidation_grace=GRACE))
    send = w.chain.send
    send(token, keccak(text="mint(address,uint256)")[:4]
         + abi_encode(["address", "uint256"], [w.carol.address, 10 * MIN_BOND]))
    M.approve(w.carol, token, market, 2**256 - 1)
    guard = keccak(text="ReentrancyGuardReentrantCall()")[:4]
    for inner in (M.encode("withdrawBond", 1), M.encode("borrow", 1),
                  M.encode("liquidate", w.carol.address)):
        send(token, keccak(text="arm(address,bytes)")[:4]
             + abi_encode(["address", "bytes"], [market, inner]))
        M.act(w.carol, market, "postBond", MIN_BOND)          # transferFrom re-enters
        (last,) = _call(w.chain, token, "lastRevert()", [], [], ["bytes"])
        assert last == guard
    assert M.read(w.chain, market, "bondOf", w.carol.address) == 3 * MIN_BOND


def test_a_trip_restarts_the_liquidation_grace(world):
    """Regression: a lapse noticed before a trip used to keep its time through the reset,
    so the borrower could be liquidated right after it without a chance to re-prove (no
    proof is accepted while tripped). The grace now counts from the end of the trip."""
    w = world
    M.act(w.alice, w.market, "postBond", MIN_BOND)
    M.act(w.alice, w.market, "borrow", 100 * USDC)
    record_position(w.chain, w.registry, w.alice.address, commitment() + 1)  # binding gone
    try:
        assert not is_solvent(w.chain, w.registry, w.alice.address)
        M.act(w.carol, w.market, "noticeLapse", w.alice.address)
        since = M.read(w.chain, w.market, "lapsedSince", w.alice.address)
        O.pause(w.chain, w.oracle)
        w.chain.increase_time(GRACE + 1)              # the whole grace passes while tripped
        O.unpause(w.chain, w.oracle)
        cleared = w.chain.timestamp()
        assert cleared > since + GRACE
        with pytest.raises(ContractRevert) as info:
            M.act(w.carol, w.market, "liquidate", w.alice.address)
        assert info.value.name == "GraceNotOver", info.value
        assert info.value.args_[0] == cleared + GRACE
        assert O.read(w.chain, w.oracle, "clearedAt") == cleared
        assert M.read(w.chain, w.market, "liquidatableAt", w.alice.address) == cleared + GRACE
        assert M.read(w.chain, w.market, "lapsedSince", w.alice.address) == since
        w.chain.increase_time(GRACE)
        t0 = w.totals()
        M.act(w.carol, w.market, "liquidate", w.alice.address)
        assert M.read(w.chain, w.market, "debtOf", w.alice.address) == 0
        assert w.totals()["totalOutstanding"] == t0["totalOutstanding"] - 100 * USDC
        assert M.balanced(w.totals())
    finally:
        record_position(w.chain, w.registry, w.alice.address, commitment())
    assert is_solvent(w.chain, w.registry, w.alice.address)


def test_lapse_grace_liquidation_and_bad_debt_to_the_wei(world):
    w = world
    bond = MIN_BOND + 7
    M.act(w.bob, w.market, "postBond", bond)
    M.act(w.bob, w.market, "borrow", 3000 * USDC)
    w.expect(w.carol, "liquidate", w.bob.address, error="StillSolvent", values=(w.bob.address,))
    w.chain.increase_time(VALIDITY + 1)                     # the snapshot expires: lapsed
    assert not is_solvent(w.chain, w.registry, w.bob.address)
    w.expect(w.carol, "liquidate", w.bob.address, error="LapseNotNoticed",
             values=(w.bob.address,))
    w.act(w.carol, "noticeLapse", w.bob.address, label="noticeLapse")
    since = M.read(w.chain, w.market, "lapsedSince", w.bob.address)
    with pytest.raises(ContractRevert) as info:
        M.act(w.carol, w.market, "liquidate", w.bob.address)
    assert info.value.name == "GraceNotOver" and info.value.args_[0] == since + GRACE
    w.chain.increase_time(GRACE)
    before, t0 = M.balance(w.chain, w.token, w.carol.address), w.totals()
    receipt = w.act(w.carol, "liquidate", w.bob.address, label="liquidate")
    assert M.balance(w.chain, w.token, w.carol.address) == before + REWARD
    recovered = bond - REWARD
    t1 = w.totals()
    assert t1["totalRepaid"] - t0["totalRepaid"] == recovered
    assert t1["totalBadDebt"] - t0["totalBadDebt"] == 3000 * USDC - recovered
    assert t1["totalOutstanding"] == t0["totalOutstanding"] - 3000 * USDC
    assert M.read(w.chain, w.market, "debtOf", w.bob.address) == 0
    assert M.read(w.chain, w.market, "bondOf", w.bob.address) == 0
    assert M.balanced(t1)
    assert receipt["status"] == 1
    w.expect(w.carol, "liquidate", w.bob.address, error="LapseNotNoticed",
             values=(w.bob.address,))


def test_gas_figures_in_the_integration_doc(world):
    """docs/integration.md's gas table is what these tests measured (within 2 %)."""
    rows = dict(re.findall(r"^\| `([^`]+)` \|[^|]*\| ([\d,]+) \|$", DOC.read_text(),
                           re.M))
    assert set(rows) == set(world.gas), (sorted(rows), sorted(world.gas))
    for name, measured in world.gas.items():
        documented = int(rows[name].replace(",", ""))
        assert abs(measured - documented) <= documented // 50, (name, measured, documented)
