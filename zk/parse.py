"""One parser per idea: canonical integers and Ethereum addresses, used by every reader.

Canonical integer, the only textual form any reader accepts:

- a JSON integer (never a bool), or a string of ASCII decimal digits with no sign,
  whitespace, separator or leading zero (``0`` itself is fine): ``0|[1-9][0-9]*``;
- where a reader documents it (``hex_ok``), ``0x`` (lower-case x) and 1 to 64 hex
  digits of either case; leading zeros are allowed there, as in fixed-width words;
- never ``0b``/``0o`` prefixes, ``_`` separators, ``+``/``-`` signs, exponents,
  surrounding spaces or non-ASCII digits; at most 78 decimal digits (2^256 has 78),
  checked before any conversion;
- where a reader takes signed values (``signed``, e.g. Chainlink answers, int256), one
  leading ``-`` before a canonical non-zero decimal (never ``-0``, ``+`` or ``-0x``).

Addresses: ``0x`` + 40 hex digits, all lower-case or all upper-case, or mixed case that
is a valid EIP-55 checksum; also 20 raw bytes or an integer < 2^160.
"""
from __future__ import annotations

import re
from typing import Any

from zk.errors import MalformedInput

MAX_DECIMAL_DIGITS = 78
MAX_HEX_DIGITS = 64
_DEC = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")


class IntRuleError(MalformedInput):
    """A value that is not a canonical integer in range; ``kind`` is one of "type",
    "syntax", "length", "negative", "bound", and ``rule`` the broken rule in words."""

    def __init__(self, what: str, kind: str, rule: str):
        self.what, self.kind, self.rule = what, kind, rule
        super().__init__(f"{what}: {rule}")


def _bound_text(bound: int) -> str:
    from zk.field import Q, R
    if bound in (R, Q):
        return "r" if bound == R else "q"
    if bound & (bound - 1) == 0:
        return f"2^{bound.bit_length() - 1}"
    return str(bound)


def _from_text(s: str, what: str, hex_ok: bool, signed: bool = False) -> int:
    if signed and s[:1] == "-" and s[1:2] not in ("", "0"):
        return -_from_text(s[1:], what, hex_ok=False)
    if len(s) > MAX_DECIMAL_DIGITS + 2:                  # before any regex or conversion
        raise IntRuleError(what, "length", f"number too long (more than "
                                           f"{MAX_DECIMAL_DIGITS} digits)")
    if _DEC.match(s):
        if len(s) > MAX_DECIMAL_DIGITS:
            raise IntRuleError(what, "length", f"number too long (more than "
                                               f"{MAX_DECIMAL_DIGITS} digits)")
        return int(s)
    if hex_ok and _HEX.match(s):
        if len(s) - 2 > MAX_HEX_DIGITS:
            raise IntRuleError(what, "length", f"number too long (more than "
                                               f"{MAX_HEX_DIGITS} hex digits)")
        return int(s[2:], 16)
    if s[:1] == "-" and not signed and _DEC.match(s[1:MAX_DECIMAL_DIGITS + 1]):
        raise IntRuleError(what, "negative", "negative values are not allowed")
    forms = "decimal or 0x-hex" if hex_ok else "decimal"
    sign = "one leading '-' at most" if signed else "no sign"
    raise IntRuleError(what, "syntax", f"not a canonical {forms} integer (digits only: "
                                       f"{sign}, no spaces, separators or leading zeros)")


def canonical_int(value: Any, what: str, bound: int = 1 << 256, *, hex_ok: bool = True,
                  int_ok: bool = True, str_ok: bool = True, signed: bool = False) -> int:
    """The integer ``value`` denotes, in [0, bound) (``signed``: in [-bound, bound));
    IntRuleError (a MalformedInput naming ``what``) for anything else. ``int_ok``/
    ``str_ok``: accept JSON integers/strings."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or \
            (isinstance(value, int) and not int_ok) or (isinstance(value, str) and not str_ok):
        forms = " or ".join(f for f, ok in (("an integer", int_ok),
                                            ("a decimal string", str_ok)) if ok)
        raise IntRuleError(what, "type", f"expected {forms}, got {type(value).__name__}")
    x = _from_text(value, what, hex_ok, signed) if isinstance(value, str) else value
    if x < 0 and not signed:
        raise IntRuleError(what, "negative", "negative values are not allowed")
    if x < -bound:
        raise IntRuleError(what, "bound", f"value out of range (< -{_bound_text(bound)})")
    if x >= bound:
        raise IntRuleError(what, "bound", f"value out of range (>= {_bound_text(bound)})")
    return x


def canonical_ints(text: str, what: str, bound: int = 1 << 256, *,
                   signed: bool = False) -> list[int]:
    """Comma-separated canonical integers typed on a command line (``1,2,3``); empty items
    and items with spaces are refused, each item is checked by canonical_int."""
    items = text.split(",")
    if "" in items:
        raise MalformedInput(f"{what}: expected comma-separated integers (e.g. 1,2,3), "
                             "with no empty item")
    return [canonical_int(v, f"{what} item {i}", bound, signed=signed)
            for i, v in enumerate(items, 1)]


def to_checksum(address: int) -> str:
    """The EIP-55 form of a 160-bit address."""
    from zk.statement import keccak256
    hexits = f"{address:040x}"
    digest = keccak256(hexits.encode()).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c
                          for c, d in zip(hexits, digest[:40], strict=True))


def address(value: Any, what: str) -> int:
    """An Ethereum address as an integer < 2^160: a ``0x`` string of 40 hex digits (mixed
    case must be a valid EIP-55 checksum), 20 bytes, or an integer."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 20:
            raise MalformedInput(f"{what}: an address is 20 bytes, got {len(value)}")
        return int.from_bytes(value, "big")
    if isinstance(value, int) and not isinstance(value, bool):
        return canonical_int(value, what, 1 << 160)
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise MalformedInput(f"{what}: expected an address: 0x and 40 hex digits")
    digits = value[2:]
    x = int(digits, 16)
    if digits != digits.lower() and digits != digits.upper() and to_checksum(x) != value:
        raise MalformedInput(f"{what}: bad EIP-55 checksum (mixed case must match "
                             f"{to_checksum(x)}; all lower-case is accepted unchecked)")
    return x
