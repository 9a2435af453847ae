"""Strict parsing of the solvency input files: portfolio, prices, policy, ledger.

Amounts and prices are decimal strings ("12.5"), converted exactly to integers of a
fixed number of decimals; nothing is rounded. Every error names the file, the row or
field, and the rule broken. Private values never appear in messages.
"""
from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path
from typing import Any, Iterator

from zk import atomic
from zk.errors import MalformedInput, WitnessError
from zk.parse import IntRuleError, address, canonical_int

MAX_JSON_BYTES = 64 << 20
MAX_LEDGER_JSON_BYTES = 512 << 20
MAX_LEDGER_ROWS = 1 << 24   # far beyond what one proof on the reference hardware holds
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(?:\.([0-9]+))?\Z")
_ASSET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}\Z")


class InputFileError(MalformedInput):
    """An input file breaks a rule; the message names file, row/field and rule."""

    def __init__(self, source: str, where: str, rule: str):
        self.source, self.where, self.rule = source, where, rule
        super().__init__(f"{source}: {where}: {rule}")


class NegativeAmount(InputFileError, WitnessError):
    """A negative amount, balance or price."""


class TooManyDecimals(InputFileError, WitnessError):
    """More decimals than the asset or the price feed has."""


class AmountOverBound(InputFileError, WitnessError):
    """A value at or above the circuit's bound (2^bits)."""


class UnknownAsset(InputFileError):
    """An asset that the policy/reserves file does not list."""


class DuplicateUser(InputFileError):
    """The same user id twice in a ledger."""


class MissingPrice(InputFileError):
    """An asset of the policy without a price in the prices file."""


def parse_decimal(text: Any, decimals: int, source: str, where: str, bits: int,
                  unit: str = "decimals of the asset") -> int:
    """'12.5' with decimals=6 -> 12500000; refuses negatives, excess decimals, >= 2^bits."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise InputFileError(source, where, "expected a decimal string such as \"12.5\"")
    s = str(text).strip() if isinstance(text, str) else str(text)
    if isinstance(text, str) and s != text:
        raise InputFileError(source, where, "surrounding spaces are not allowed")
    if len(s) > 100:
        raise InputFileError(source, where, "number too long")
    if s.startswith("-"):
        raise NegativeAmount(source, where, "negative amounts are not allowed")
    m = _DECIMAL.match(s)
    if not m:
        raise InputFileError(source, where, "not a plain decimal number (digits, optional "
                                            "'.' fraction; no sign, exponent or separators)")
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac.rstrip("0")) > decimals:
        raise TooManyDecimals(source, where, f"more than {decimals} {unit}")
    value = int(whole) * 10 ** decimals + int((frac + "0" * decimals)[:decimals] or "0")
    if value >= 1 << bits:
        raise AmountOverBound(source, where, f"value is at or above the bound 2^{bits} "
                                             "base units")
    return value


def parse_int(value: Any, source: str, where: str, bits: int = 256) -> int:
    """A canonical integer (zk.parse: an int, decimal string or 0x-hex string), < 2^bits."""
    try:
        return canonical_int(value, where, 1 << bits)
    except IntRuleError as exc:
        cls = {"negative": NegativeAmount, "bound": AmountOverBound}.get(exc.kind,
                                                                         InputFileError)
        raise cls(source, where, exc.rule) from None


def parse_address(value: Any, source: str, where: str) -> int:
    """An Ethereum address (zk.parse.address: EIP-55 checked when mixed case)."""
    try:
        return address(value, where)
    except MalformedInput as exc:
        raise InputFileError(source, where, str(exc).removeprefix(f"{where}: ")) from None


def check_asset_name(name: Any, source: str, where: str) -> str:
    if not isinstance(name, str) or not _ASSET.match(name):
        raise InputFileError(source, where, "asset names are 1-32 letters, digits, '.', '_', "
                                            "'-'")
    return name


def read_object(path: str | Path, keys: set[str], required: set[str]) -> dict:
    """A strict JSON object with only the given keys and all the required ones."""
    obj = atomic.read_json(path, MAX_JSON_BYTES)
    if not isinstance(obj, dict):
        raise InputFileError(str(path), "top level", "expected a JSON object")
    for k in obj:
        if k not in keys:
            raise InputFileError(str(path), f"field '{k}'", "unknown field")
    for k in sorted(required):
        if k not in obj:
            raise InputFileError(str(path), f"field '{k}'", "missing")
    return obj


def field_map(obj: Any, source: str, where: str) -> dict:
    if not isinstance(obj, dict):
        raise InputFileError(source, where, "expected a JSON object")
    return obj


# --- ledgers ----------------------------------------------------------------------------
def iter_ledger(path: str | Path, assets: list[str]) -> Iterator[tuple[str, str, dict]]:
    """Yield (where, user_id, {asset: decimal string}) rows from a CSV or JSON ledger.

    CSV: header ``user_id,<asset>,...`` (asset columns in any order, all listed in the
    reserves file). JSON: {"users": [{"id": ..., "balances": {asset: amount}}]}. JSON
    lines (.jsonl): one {"id": ..., "balances": {...}} per line. CSV and JSON lines are
    read row by row, so large ledgers stream.
    """
    p = Path(path)
    if not p.is_file():
        raise MalformedInput(f"{p}: no such file")
    if p.suffix.lower() == ".csv":
        rows = _iter_csv(p, assets)
    elif p.suffix.lower() == ".json":
        rows = _iter_json(p, assets)
    elif p.suffix.lower() == ".jsonl":
        rows = _iter_jsonl(p, assets)
    else:
        raise MalformedInput(f"{p}: ledger must be a .csv, .jsonl or .json file")
    for n, row in enumerate(rows):
        if n >= MAX_LEDGER_ROWS:
            raise InputFileError(str(p), row[0], f"more than {MAX_LEDGER_ROWS} users")
        yield row


def _bad_utf8(p: Path, exc: UnicodeDecodeError) -> InputFileError:
    """The error for a ledger that is not UTF-8, naming the first bad line and byte."""
    dec = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with open(p, "rb") as fh:
        while chunk := fh.read(1 << 16):
            pending = len(dec.getstate()[0])     # bytes of a sequence split by the chunk
            try:
                dec.decode(chunk)
            except UnicodeDecodeError as bad:
                pos = bad.start - pending        # may be negative: started in last chunk
                line += chunk.count(b"\n", 0, max(pos, 0))
                offset += pos
                break
            line += chunk.count(b"\n")
            offset += len(chunk)
        else:
            return InputFileError(str(p), f"line {line}", "not valid UTF-8 (the file ends "
                                                          "inside a character)")
    return InputFileError(str(p), f"line {line}", f"not valid UTF-8 (byte offset {offset})")


def _iter_csv(p: Path, assets: list[str]) -> Iterator[tuple[str, str, dict]]:
    try:
        yield from _iter_csv_text(p, assets)
    except UnicodeDecodeError as exc:
        raise _bad_utf8(p, exc) from None


def _iter_csv_text(p: Path, assets: list[str]) -> Iterator[tuple[str, str, dict]]:
    src = str(p)
    with open(p, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise InputFileError(src, "header", "empty file") from None
        except csv.Error as exc:
            raise InputFileError(src, "header", f"bad CSV: {exc}") from None
        header = [h.strip() for h in header]
        if not header or header[0] != "user_id":
            raise InputFileError(src, "header", "first column must be 'user_id'")
        cols = header[1:]
        for i, name in enumerate(cols):
            check_asset_name(name, src, f"header column {i + 2}")
            if name not in assets:
                raise UnknownAsset(src, f"header column '{name}'",
                                   "asset not listed in the reserves file")
        if len(set(cols)) != len(cols):
            raise InputFileError(src, "header", "an asset column appears twice")
        try:
            for row in reader:
                where = f"row {reader.line_num}"
                if not row or all(not c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    raise InputFileError(src, where, f"expected {len(header)} columns, got "
                                                     f"{len(row)}")
                yield where, row[0], dict(zip(cols, row[1:], strict=False))
        except csv.Error as exc:
            raise InputFileError(src, f"row {reader.line_num}", f"bad CSV: {exc}") from None


def _iter_json(p: Path, assets: list[str]) -> Iterator[tuple[str, str, dict]]:
    src = str(p)
    obj = atomic.read_json(p, MAX_LEDGER_JSON_BYTES)
    if not isinstance(obj, dict) or set(obj) - {"users"} or "users" not in obj:
        raise InputFileError(src, "top level", "expected {\"users\": [...]}")
    users = obj["users"]
    if not isinstance(users, list):
        raise InputFileError(src, "field 'users'", "expected a list")
    for i, u in enumerate(users):
        yield _user(u, src, f"users[{i}]", assets)


MAX_JSONL_LINE = 1 << 20


def _user(u: Any, src: str, where: str, assets: list[str]) -> tuple[str, str, dict]:
    """(where, id, balances) of one {"id", "balances"} ledger entry, its assets checked."""
    if not isinstance(u, dict) or set(u) != {"id", "balances"}:
        raise InputFileError(src, where, "expected {\"id\": ..., \"balances\": {...}}")
    bal = field_map(u["balances"], src, f"{where}.balances")
    for name in bal:
        if name not in assets:
            raise UnknownAsset(src, f"{where}.balances.{name}",
                               "asset not listed in the reserves file")
    return where, u["id"], bal


def _iter_jsonl(p: Path, assets: list[str]) -> Iterator[tuple[str, str, dict]]:
    src = str(p)
    with open(p, "rb") as fh:
        for n, raw in enumerate(iter(lambda: fh.readline(MAX_JSONL_LINE + 1), b""), 1):
            if len(raw) > MAX_JSONL_LINE:
                raise InputFileError(src, f"line {n}", f"longer than {MAX_JSONL_LINE} bytes")
            if not raw.strip():
                continue
            try:
                obj = atomic.loads_strict(raw, f"{src}: line {n}")
            except MalformedInput as exc:
                raise InputFileError(src, f"line {n}", str(exc)) from None
            yield _user(obj, src, f"line {n}", assets)
