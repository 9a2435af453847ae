"""RiskMath.sol on a real EVM against its Python mirror (verifier_contracts.risk), bit for
bit, over the full uint256 input ranges; no overflow in the oracle's domain; haircuts
monotone in sigma and inside their clamps."""
from __future__ import annotations

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier_contracts import connect, risk
from verifier_contracts.artifacts import SOL_DIR
from verifier_contracts.solc import collect_sources, compile_sources
from zk.errors import MalformedInput

HARNESS = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
import {RiskMath} from "./lib/RiskMath.sol";
contract RiskMathHarness {
    function normalise(uint256 a, uint8 d, bool up) external pure returns (uint256) {
        return RiskMath.normalise(a, d, up); }
    function returnBps(uint256 p, uint256 c) external pure returns (uint256) {
        return RiskMath.returnBps(p, c); }
    function deviationBps(uint256 r, uint256 p) external pure returns (uint256) {
        return RiskMath.deviationBps(r, p); }
    function ewma(uint256 v, uint256 r, uint256 l) external pure returns (uint256) {
        return RiskMath.ewma(v, r, l); }
    function sigmaBps(uint256 v) external pure returns (uint256) { return RiskMath.sigmaBps(v); }
    function haircutBps(uint256 b, uint256 k, uint256 c, uint256 s)
        external pure returns (uint256) { return RiskMath.haircutBps(b, k, c, s); }
    /// Runs each call on this contract; keeps (success, return or revert data) of each.
    function batch(bytes[] calldata calls) external view
        returns (bool[] memory ok, bytes[] memory out)
    {
        ok = new bool[](calls.length);
        out = new bytes[](calls.length);
        for (uint256 i; i < calls.length; ++i) {
            (ok[i], out[i]) = address(this).staticcall(calls[i]);
        }
    }
}
"""
SIGS = {"normalise": "normalise(uint256,uint8,bool)",
        "returnBps": "returnBps(uint256,uint256)",
        "deviationBps": "deviationBps(uint256,uint256)",
        "ewma": "ewma(uint256,uint256,uint256)", "sigmaBps": "sigmaBps(uint256)",
        "haircutBps": "haircutBps(uint256,uint256,uint256,uint256)"}
MIRROR = {"normalise": risk.normalise, "returnBps": risk.return_bps,
          "deviationBps": risk.deviation_bps, "ewma": risk.ewma, "sigmaBps": risk.sigma_bps,
          "haircutBps": risk.haircut_bps}
#: Revert selector -> the name the mirror's error message carries.
ERRORS = {keccak(text=s)[:4]: s.split("(")[0] for s in (
    "ZeroReference()", "LambdaOutOfRange(uint256,uint256)",
    "HaircutBoundsInvalid(uint256,uint256,uint256)")}
ERRORS[keccak(text="Panic(uint256)")[:4] + (0x11).to_bytes(32, "big")] = "Panic 0x11"
U256 = 2**256 - 1
FAST = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def harness():
    sources = collect_sources({"RiskMathHarness.sol": HARNESS}, SOL_DIR)
    code = compile_sources(sources)["RiskMathHarness"]["bytecode"]
    chain = connect()
    address, _ = chain.deploy(bytes.fromhex(code))
    return chain, address


def evm(harness, fn: str, cases: list[tuple]) -> list:
    """Run fn on every case in one eth_call; each result is an int or the error's name."""
    chain, address = harness
    sig = SIGS[fn]
    types = sig[sig.index("(") + 1:-1].split(",")
    calls = [keccak(text=sig)[:4] + abi_encode(types, list(c)) for c in cases]
    data = keccak(text="batch(bytes[])")[:4] + abi_encode(["bytes[]"], [calls])
    ok, out = abi_decode(["bool[]", "bytes[]"], chain.call(address, data, gas=30_000_000))
    return [abi_decode(["uint256"], o)[0] if k else ERRORS.get(o[:4], ERRORS.get(o, o.hex()))
            for k, o in zip(ok, out)]


def mirror(fn: str, cases: list[tuple]) -> list:
    out = []
    for c in cases:
        try:
            out.append(MIRROR[fn](*c))
        except MalformedInput as exc:
            out.append(next(n for n in ERRORS.values() if n in str(exc)))
    return out


def check(harness, fn, cases):
    got = evm(harness, fn, cases)
    assert got == mirror(fn, cases)
    return got


def edgy(lo: int, hi: int):
    """Integers in [lo, hi] with extra weight on both ends and powers of two."""
    near = st.sampled_from([v for v in (lo, lo + 1, hi - 1, hi, 2**64 - 1, 2**64, 2**56,
                                         2**112, 2**128, 10_000, 10_001) if lo <= v <= hi])
    return st.one_of(near, st.integers(lo, hi), st.integers(lo, min(hi, 2**70)))


U = edgy(0, U256)
PRICE = edgy(1, 2**64 - 1)
BATCH = dict(min_size=1, max_size=25)


@FAST
@given(st.lists(st.tuples(U, st.integers(0, 255), st.booleans()), **BATCH))
def test_normalise_matches_mirror_full_range(harness, cases):
    for (answer, dec, _), p in zip(cases, check(harness, "normalise", cases)):
        assert p == 0 or 1 <= p < 2**64
        if p and dec <= 8:
            assert p == answer * 10 ** (8 - dec)


def test_normalise_rounds_collateral_down_and_debt_up(harness):
    cases = [(123456789, 10, False), (123456789, 10, True), (123456700, 10, True),
             (5, 18, False), (5, 18, True), (0, 18, True), (2**64 - 1, 8, False),
             (2**64, 8, False), (2**64 // 100, 6, False), (1, 255, True), (U256, 255, True)]
    assert check(harness, "normalise", cases) == [
        1234567, 1234568, 1234567, 0, 1, 0, 2**64 - 1, 0, 2**64 // 100 * 100, 1, 1]


@FAST
@given(st.lists(st.tuples(U, U), **BATCH))
def test_returns_and_deviations_match_mirror_full_range(harness, cases):
    check(harness, "returnBps", cases)
    check(harness, "deviationBps", cases)


@FAST
@given(st.lists(st.tuples(PRICE, PRICE), **BATCH))
def test_returns_never_revert_for_prices(harness, cases):
    assert all(isinstance(r, int) and r < 10_000 * 2**64 for r in
               check(harness, "returnBps", cases))


@FAST
@given(st.lists(st.tuples(U, U, edgy(0, 20_000)), **BATCH))
def test_ewma_matches_mirror_full_range(harness, cases):
    for (_, _, lam), v in zip(cases, check(harness, "ewma", cases)):
        assert (v == "LambdaOutOfRange") == (lam > 10_000)
        assert lam > 10_000 or v <= risk.VAR_CAP


@FAST
@given(st.lists(st.tuples(edgy(0, risk.VAR_CAP), PRICE, PRICE, edgy(0, 10_000)), **BATCH))
def test_ewma_step_of_prices_never_overflows(harness, cases):
    """The oracle's step: r = returnBps(prev, cur) of prices < 2^64, var <= VAR_CAP."""
    steps = [(v, risk.return_bps(a, b), lam) for v, a, b, lam in cases]
    out = check(harness, "ewma", steps)
    assert all(isinstance(v, int) and v <= risk.VAR_CAP for v in out)
    assert all(isinstance(s, int) and s <= 2**56
               for s in check(harness, "sigmaBps", [(v,) for v in out]))


@FAST
@given(st.lists(st.tuples(U), **BATCH))
def test_sigma_matches_mirror_full_range(harness, cases):
    check(harness, "sigmaBps", cases)


@FAST
@given(st.lists(st.tuples(edgy(0, 10_001), U, edgy(0, 10_001), U), **BATCH))
def test_haircut_matches_mirror_full_range(harness, cases):
    for (b, _, c, _), h in zip(cases, check(harness, "haircutBps", cases)):
        if b <= c <= 10_000:
            assert b <= h <= c
        else:
            assert h == "HaircutBoundsInvalid"


@FAST
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10**7),
       st.lists(edgy(0, 2**56), min_size=2, max_size=25))
def test_haircut_monotone_in_sigma_and_clamped(harness, a, b, k, sigmas):
    base, cap = min(a, b), max(a, b)
    sigmas = sorted(sigmas)
    out = check(harness, "haircutBps", [(base, k, cap, s) for s in sigmas])
    assert out == sorted(out) and base <= out[0] and out[-1] <= cap


def test_haircut_examples(harness):
    # k = 20000: 2 bps of haircut per bps of sigma.
    assert check(harness, "haircutBps", [(500, 20_000, 3000, 0), (500, 20_000, 3000, 100),
                                         (500, 20_000, 3000, 1250), (500, 20_000, 3000, 1251),
                                         (500, U256, 3000, U256), (0, 1, 0, U256)]) == [
        500, 700, 3000, 3000, 3000, 0]
