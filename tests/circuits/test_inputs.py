"""Input files: every bad input gets a typed error naming file, row/field and rule."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from prover import collateral as C
from prover import reserves as Rv
from prover.inputs import (
    AmountOverBound,
    DuplicateUser,
    InputFileError,
    MissingPrice,
    NegativeAmount,
    TooManyDecimals,
    UnknownAsset,
    parse_decimal,
)
from prover.reserves.ingest import iter_users
from zk.errors import MalformedInput, WitnessError

EX = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def files(tmp_path):
    for sub in ("collateral", "reserves"):
        shutil.copytree(EX / sub, tmp_path / sub)
    return tmp_path


def load_ledger(path: Path, assets) -> list:
    """Every row of a ledger, checked (with a fresh duplicate index next to it)."""
    return list(iter_users(path, assets, path.parent / "index.sqlite"))


def edit(path: Path, fn) -> Path:
    obj = json.loads(path.read_text())
    fn(obj)
    path.write_text(json.dumps(obj))
    return path


def test_examples_load(files):
    pol = C.load_policy(files / "collateral/policy.json")
    pr = C.load_prices(files / "collateral/prices.json", pol)
    pf = C.load_portfolio(files / "collateral/portfolio.json", pol)
    C.precheck(pol, pr, pf)
    assert pr.collateral == (301245000000, 6425050000000) and pr.debt == (99985000,)
    assert pf.amounts == (1275 * 10**16, 35 * 10**6) and "hidden" in repr(pf)
    spec = Rv.load_assets(files / "reserves/assets.json")
    csv_ledger = load_ledger(files / "reserves/ledger.csv", spec)
    assert csv_ledger == load_ledger(files / "reserves/ledger.json", spec)
    jsonl = files / "reserves/ledger.jsonl"
    jsonl.write_text("".join(json.dumps(u) + "\n" for u in
                             json.loads((files / "reserves/ledger.json").read_text())["users"]))
    assert csv_ledger == load_ledger(jsonl, spec) and len(csv_ledger) == 12


@pytest.mark.parametrize("text,decimals,err", [
    ("-1", 6, NegativeAmount), ("1.0000001", 6, TooManyDecimals), ("1e5", 6, InputFileError),
    ("1,000", 6, InputFileError), (" 1", 6, InputFileError), ("+1", 6, InputFileError),
    ("18446744073709.551616", 6, AmountOverBound), (1.5, 6, InputFileError),
    ("١٢", 6, InputFileError), ("", 6, InputFileError),
])
def test_parse_decimal_rules(text, decimals, err):
    with pytest.raises(err) as exc:
        parse_decimal(text, decimals, "f.json", "field x", 64)
    assert "f.json: field x:" in str(exc.value)


def test_parse_decimal_exact():
    assert parse_decimal("18446744073709.551615", 6, "f", "x", 64) == 2**64 - 1
    assert parse_decimal("1.50000000", 2, "f", "x", 64) == 150   # trailing zeros are fine


def test_price_with_too_many_decimals(files):
    p = edit(files / "collateral/prices.json",
             lambda o: o["prices"].__setitem__("ETH", "1.0000000001"))
    pol = C.load_policy(files / "collateral/policy.json")
    with pytest.raises(TooManyDecimals, match=r"prices\.json: prices\.ETH: more than 8 "
                                              r"decimals of the price feed"):
        C.load_prices(p, pol)


def test_missing_and_unknown_price(files):
    pol = C.load_policy(files / "collateral/policy.json")
    p = edit(files / "collateral/prices.json", lambda o: o["prices"].pop("USDC"))
    with pytest.raises(MissingPrice, match="prices.USDC"):
        C.load_prices(p, pol)
    p = edit(p, lambda o: o["prices"].update(USDC="1", DOGE="0.1"))
    with pytest.raises(UnknownAsset, match="prices.DOGE"):
        C.load_prices(p, pol)


def test_portfolio_rules(files):
    pol = C.load_policy(files / "collateral/policy.json")
    path = files / "collateral/portfolio.json"
    for change, err, where in (
        (lambda o: o["collateral"].__setitem__("ETH", "-3"), NegativeAmount, "collateral.ETH"),
        (lambda o: o["debt"].__setitem__("USDC", "1.0000001"), TooManyDecimals, "debt.USDC"),
        (lambda o: o["collateral"].__setitem__("DOGE", "1"), UnknownAsset, "collateral.DOGE"),
        (lambda o: o["collateral"].__setitem__("WBTC", str(2**96)), AmountOverBound,
         "collateral.WBTC"),
        (lambda o: o.pop("salt"), InputFileError, "field 'salt'"),
    ):
        original = path.read_text()
        edit(path, change)
        with pytest.raises(err) as exc:
            C.load_portfolio(path, pol)
        assert where in str(exc.value) and "portfolio.json" in str(exc.value)
        path.write_text(original)


def test_error_messages_hide_private_values(files):
    pol = C.load_policy(files / "collateral/policy.json")
    path = edit(files / "collateral/portfolio.json",
                lambda o: o["collateral"].__setitem__("ETH", "-123456.789"))
    with pytest.raises(NegativeAmount) as exc:
        C.load_portfolio(path, pol)
    assert "123456" not in str(exc.value)


def test_below_ratio_precheck(files):
    pol = C.load_policy(files / "collateral/policy.json")
    pr = C.load_prices(files / "collateral/prices.json", pol)
    path = edit(files / "collateral/portfolio.json",
                lambda o: o["debt"].__setitem__("USDC", "40000"))
    with pytest.raises(WitnessError, match="below the policy's minimum"):
        C.precheck(pol, pr, C.load_portfolio(path, pol))


def test_ledger_rules(files):
    spec = Rv.load_assets(files / "reserves/assets.json")
    led = files / "reserves/ledger.csv"
    base = led.read_text().splitlines()
    cases = [
        (base + ["alice@example.com,1,1,1"], DuplicateUser, "row 14 user_id: duplicate user"),
        (base + ["zed,-1,0,0"], NegativeAmount, "row 14 column 'BTC'"),
        (base + ["zed,0.000000001,0,0"], TooManyDecimals, "row 14 column 'BTC'"),
        (base + ["zed,184467440737.09551616,0,0"], AmountOverBound, "row 14 column 'BTC'"),
        (base + ["zed,1,2"], InputFileError, "row 14: expected 4 columns"),
        (["user_id,BTC,DOGE"] + base[1:], UnknownAsset, "header column 'DOGE'"),
    ]
    for lines, err, where in cases:
        led.write_text("\n".join(lines) + "\n")
        with pytest.raises(err) as exc:
            load_ledger(led, spec)
        assert "ledger.csv" in str(exc.value) and where in str(exc.value), str(exc.value)


def test_json_ledger_rules(files):
    spec = Rv.load_assets(files / "reserves/assets.json")
    path = files / "reserves/ledger.json"
    edit(path, lambda o: o["users"].append({"id": "x", "balances": {"DOGE": "1"}}))
    with pytest.raises(UnknownAsset, match=r"users\[12\]\.balances\.DOGE"):
        load_ledger(path, spec)
    path.write_text('{"users": [{"id": "a", "balances": {"BTC": 1.5}}]}')
    with pytest.raises(MalformedInput, match="non-integer number"):
        load_ledger(path, spec)
    path.write_text('{"users": [], "users": []}')
    with pytest.raises(MalformedInput, match="duplicate key"):
        load_ledger(path, spec)


def test_long_salt_is_a_typed_error(files):
    """A 5,000-digit salt used to raise Python's int-conversion ValueError."""
    p = edit(files / "collateral/portfolio.json", lambda o: o.update(salt="9" * 5000))
    with pytest.raises(InputFileError, match=r"portfolio\.json: field 'salt': number too long"):
        C.load_portfolio(p, C.load_policy(files / "collateral/policy.json"))


def test_csv_ledger_not_utf8_names_the_line(files):
    """Invalid UTF-8 used to raise UnicodeDecodeError out of the csv reader."""
    p = files / "reserves/ledger.csv"
    p.write_bytes(p.read_bytes() + b"eve\xff,1,2,3\n")
    spec = Rv.load_assets(files / "reserves/assets.json")
    lines = p.read_bytes().count(b"\n")
    with pytest.raises(InputFileError, match=rf"ledger\.csv: line {lines}: not valid UTF-8"):
        load_ledger(p, spec)
    p.write_bytes(b"user_id,BTC\nal\xc3")          # ends inside a two-byte character
    with pytest.raises(InputFileError, match=r"line 2: not valid UTF-8 \(the file ends"):
        load_ledger(p, spec)


def test_lone_surrogate_user_id_is_a_typed_error(files):
    """A lone surrogate in a JSON user id used to raise UnicodeEncodeError."""
    p = files / "reserves/ledger.json"
    p.write_text('{"users": [{"id": "\\ud800", "balances": {"BTC": "1"}}]}')
    with pytest.raises(InputFileError, match=r"users\[0\] user_id: .*lone surrogate"):
        load_ledger(p, Rv.load_assets(files / "reserves/assets.json"))


def test_jsonl_ledger_rules(files):
    spec = Rv.load_assets(files / "reserves/assets.json")
    p = files / "reserves/ledger.jsonl"
    p.write_text('{"id": "a", "balances": {"BTC": "1"}}\n\n'
                 '{"id": "b", "balances": {"DOGE": "1"}}\n')
    with pytest.raises(UnknownAsset, match=r"ledger\.jsonl: line 3\.balances\.DOGE"):
        load_ledger(p, spec)
    p.write_text('{"id": "a", "balances": {}}\nnot json\n')
    with pytest.raises(InputFileError, match=r"ledger\.jsonl: line 2: .*invalid JSON"):
        load_ledger(p, spec)
    p.write_text('{"id": "a", "balances": {"BTC": "-1"}}\n')
    with pytest.raises(NegativeAmount, match=r"line 1 column 'BTC'"):
        load_ledger(p, spec)
