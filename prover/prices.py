"""Prices as a human gives them to a chain command: the prices.json that `collateral prove`
reads (one source of truth), or dollars typed on the command line. Both become the
8-decimal fixed point of price feeds, exactly (more than 8 decimals is refused)."""
from __future__ import annotations

from pathlib import Path

from prover.inputs import InputFileError, parse_decimal
from zk.errors import UsageError

PRICE_DECIMALS = 8
PRICE_BITS = 64


def parse_prices(text: str, option: str = "--prices") -> list[int]:
    """'3012.45,1' -> [301245000000, 100000000]."""
    items = text.split(",")
    if not text.strip() or len(items) > 256:
        raise InputFileError(option, "value", "expected 1 to 256 comma-separated prices")
    return [parse_decimal(v.strip(), PRICE_DECIMALS, option, f"price #{i + 1}", PRICE_BITS,
                          "decimals of a price feed")
            for i, v in enumerate(items)]


def price_list(value: str, policy: str | None, count: int,
               option: str = "--prices") -> tuple[list[int], int | None]:
    """(collateral then debt prices, the file's epoch or None) from a prices.json (with the
    policy naming the asset order) or a comma-separated list; `count` prices are needed."""
    epoch = None
    if Path(value).is_file():
        if not policy:
            raise UsageError(f"{option} {value}: give --policy policy.json too (it names "
                             "the assets in order)")
        from prover import collateral

        pol = collateral.load_policy(policy)
        pr = collateral.load_prices(value, pol)
        prices, epoch = [*pr.collateral, *pr.debt], pr.epoch
    else:
        if policy:
            raise UsageError(f"{option}: --policy goes with a prices file, not a list")
        prices = parse_prices(value, option)
    if len(prices) != count:
        raise InputFileError(value if epoch is not None else option, "prices",
                             f"{len(prices)} prices given; the contract takes {count} "
                             "(collateral then debt)")
    return prices, epoch
