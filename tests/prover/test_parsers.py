"""One parser per idea: canonical integers and EIP-55 addresses, and the raw-exception
inputs of the issue as one-line errors with exit 2 from the real command line."""
from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from eth_utils import to_checksum_address

from prover.inputs import AmountOverBound, InputFileError, NegativeAmount, parse_int
from prover.loader import parse_params
from zk.errors import CircuitDefinitionError, MalformedInput
from zk.field import R
from zk.parse import IntRuleError, address, canonical_int, to_checksum

EX = Path(__file__).resolve().parents[2] / "examples"
ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.mark.parametrize("text", ["0b1", "1_000", "0o7", "+1", "-0", " 1", "1 ", "01", "00",
                                  "1e3", "1.0", "٣", "0x", "0X1f", "0x1_f", "", "0x-1",
                                  "\u00b2", "1\n"])
def test_non_canonical_integers_are_refused_everywhere(text):
    with pytest.raises(IntRuleError):
        canonical_int(text, "x")
    with pytest.raises(InputFileError):
        parse_int(text, "f.json", "field 'x'")
    with pytest.raises(CircuitDefinitionError):
        parse_params((f"n={text}",))


@pytest.mark.parametrize(("value", "want"), [
    ("0", 0), ("7", 7), (7, 7), ("0x1f", 31), ("0x001F", 31), (str(R - 1), R - 1),
    ("9" * 78, None),
])
def test_canonical_integers(value, want):
    if want is None:
        with pytest.raises(IntRuleError) as e:
            canonical_int(value, "x")                    # 78 nines >= 2^256
        assert e.value.kind == "bound"
        return
    assert canonical_int(value, "x") == want


def test_kinds_sizes_and_forms():
    with pytest.raises(IntRuleError, match="too long") as e:
        canonical_int("9" * 5000, "salt")                # refused before any conversion
    assert e.value.kind == "length"
    with pytest.raises(NegativeAmount):
        parse_int("-5", "f.json", "x")
    with pytest.raises(AmountOverBound):
        parse_int("256", "f.json", "x", bits=8)
    for bad in (True, 1.5, None, [1], b"1"):
        with pytest.raises(IntRuleError, match="expected"):
            canonical_int(bad, "x")
    with pytest.raises(IntRuleError, match="canonical decimal integer"):
        canonical_int("0x1", "x", hex_ok=False)          # snarkjs files are decimal only
    with pytest.raises(IntRuleError, match="expected a decimal string"):
        canonical_int(5, "x", int_ok=False)


def test_checksums_match_eth_utils():
    for _ in range(100):
        x = secrets.randbits(160)
        assert to_checksum(x) == to_checksum_address(f"0x{x:040x}")


def test_addresses():
    x = int(ADDR, 16)
    for ok in (ADDR, ADDR.lower(), "0x" + ADDR[2:].upper(), x, x.to_bytes(20, "big")):
        assert address(ok, "a") == x
    bad_sum = ADDR.replace("C", "c", 1)
    with pytest.raises(MalformedInput, match=f"EIP-55 checksum.*{ADDR}"):
        address(bad_sum, "a")
    for bad in ("0x1234", ADDR[2:], ADDR + "0", "0X" + ADDR[2:], b"\x01" * 19, 1 << 160, -1,
                True, None):
        with pytest.raises(MalformedInput):
            address(bad, "a")


# --- the raw-exception inputs of the issue, through the installed command ---------------
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prover.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    d = tmp_path_factory.mktemp("ex")
    for sub in ("collateral", "reserves"):
        shutil.copytree(EX / sub, d / sub)
    return d


def _portfolio(ex: Path, name: str, text: str) -> Path:
    p = ex / name
    p.write_text(text)
    return p


def _salted(ex: Path, salt_json: str) -> str:
    obj = json.loads((ex / "collateral/portfolio.json").read_text())
    obj["salt"] = "@SALT@"
    return json.dumps(obj).replace('"@SALT@"', salt_json)


@pytest.mark.parametrize(("case", "match"), [
    ("salt_5000_digit_string", "field 'salt': number too long"),
    ("salt_5000_digit_number", "integer literal longer than 80 digits"),
    ("prover_bad_checksum", "bad EIP-55 checksum"),
    ("csv_invalid_utf8", "not valid UTF-8"),
    ("user_id_lone_surrogate", "lone surrogate"),
])
def test_raw_exception_inputs_are_one_line_errors_exit_2(ex, case, match):
    c = ex / "collateral"
    prove = ["collateral", "prove", "--policy", c / "policy.json", "--prices",
             c / "prices.json", "--keys", ex / "keys", "-o", ex / "out"]
    if case.startswith("salt"):
        salt = f'"{"9" * 5000}"' if case.endswith("string") else "9" * 5000
        pf = _portfolio(ex, f"{case}.json", _salted(ex, salt))
        out = _cli(*prove, "--portfolio", pf, "--prover", ADDR)
    elif case == "prover_bad_checksum":
        out = _cli(*prove, "--portfolio", c / "portfolio.json", "--prover",
                   ADDR.replace("C", "c", 1))
    else:
        r = ex / "reserves"
        if case == "csv_invalid_utf8":
            ledger = ex / "bad.csv"
            ledger.write_bytes((r / "ledger.csv").read_bytes() + b"eve\xff,1,2,3\n")
        else:
            ledger = ex / "surrogate.json"
            ledger.write_text('{"users": [{"id": "\\ud800", "balances": {"BTC": "1"}}]}')
        out = _cli("reserves", "plan", "--assets", r / "assets.json", "--ledger", ledger)
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1, out.stderr
    assert match in out.stderr and "Traceback" not in out.stderr


# --- integers typed on the command line: the same rule, exit 2 naming the option ------
DEAD = "0x000000000000000000000000000000000000dEaD"
_CLI_INTS = [
    (["oracle", "dev-answer", DEAD, "{v}"], "ANSWER"),
    (["oracle", "dev-feeds", "--answers", "5,{v}", "--collateral", "1"], "--answers item 2"),
    (["oracle", "dev-feeds", "--answers", "5,6", "--decimals", "8,{v}", "--collateral", "1"],
     "--decimals item 2"),
    (["oracle", "dev-feeds", "--answers", "5,6", "--collateral", "{v}"], "'--collateral'"),
    (["registry", "set-policy", DEAD, "--haircuts", "{v},1", "--min-ratio", "1"],
     "--haircuts item 1"),
    (["registry", "set-policy", DEAD, "--haircuts", "1", "--min-ratio", "{v}"],
     "'--min-ratio'"),
    (["registry", "add-attester", DEAD, "1", "{v}"], "AY"),
    (["registry", "record-position", DEAD, DEAD, "{v}"], "COMMITMENT"),
    (["reserves", "prove", "--epoch", "{v}"], "'--epoch'"),
]


@pytest.mark.parametrize("value", ["0b1", "0o7", "1_000", "+1", "01", " 1", "1 "])
@pytest.mark.parametrize(("args", "names"), _CLI_INTS,
                         ids=[" ".join(a[:2]) + f" {n}" for a, n in _CLI_INTS])
def test_cli_integers_follow_the_canonical_rule(args, names, value):
    from click.testing import CliRunner

    from prover.cli import main
    argv = [a.replace("{v}", value) for a in args] + ["--ephemeral"] * (args[0] != "reserves")
    res = CliRunner().invoke(main, argv)
    assert res.exit_code == 2, res.output
    assert names in res.output and "canonical" in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_signed_answers():
    assert canonical_int("-5", "a", 1 << 255, signed=True) == -5
    assert canonical_int(str(-(1 << 255)), "a", 1 << 255, signed=True) == -(1 << 255)
    for bad in ("-0", "-01", "--1", "-0x5", "+5", "- 5", str(1 << 255)):
        with pytest.raises(IntRuleError):
            canonical_int(bad, "a", 1 << 255, signed=True)
    with pytest.raises(IntRuleError, match="negative"):
        canonical_int("-5", "a")                         # unsigned readers still refuse
