"""Click parameter types that route command-line text through :mod:`zk.parse`, so an
option like ``--epoch`` follows the same canonical-integer rule as every file reader
(no ``0b``/``0o``, ``_``, ``+``, spaces or leading zeros), with exit 2 naming the option."""
from __future__ import annotations

from typing import Any

import click

from zk.parse import IntRuleError, canonical_int


class CanonicalInt(click.ParamType):
    """A non-negative canonical decimal integer below 2^256."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value                                 # a default from the code
        what = param.opts[0] if param is not None and param.opts else "value"
        try:
            return canonical_int(value, what, hex_ok=False, int_ok=False)
        except IntRuleError as e:
            self.fail(e.rule, param, ctx)


INT = CanonicalInt()
