"""SolvencyGatedCredit (a credit market gated by solvency and credit proofs) and DevToken
(a DEVELOPMENT-ONLY mintable ERC-20): deploy, act, read.

Every function takes the chain whose account acts (``chain.with_key(...)`` for another
account). Reverts raise ContractRevert with the market's custom error decoded.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from verifier_contracts.abi import deploy_code, encode_fn, read_fn, send_fn
from verifier_contracts.chain import Chain
from zk.errors import MalformedInput

MARKET = "SolvencyGatedCredit"
TOKEN = "DevToken"
#: The counters of the accounting invariant, by getter name.
TOTALS = ("totalBorrowed", "totalRepaid", "totalBadDebt", "totalOutstanding", "totalBonds")


@dataclass(frozen=True)
class MarketConfig:
    """Constructor parameters besides the registry, oracle and token addresses.

    value_scale = 10^(D - debt token decimals), D the largest decimals of the registry's
    assets (the credit circuit's value unit); debt_slot: the token's index among the
    oracle's debt assets."""

    value_scale: int
    min_bond: int
    liquidator_reward: int
    liquidation_grace: int
    debt_slot: int = 0

    @staticmethod
    def for_decimals(max_decimals: int, token_decimals: int, **kw) -> MarketConfig:
        if not 0 <= token_decimals <= max_decimals:
            raise MalformedInput("token decimals must be between 0 and the registry's "
                                 "largest asset decimals")
        return MarketConfig(value_scale=10 ** (max_decimals - token_decimals), **kw)


def deploy_token(chain: Chain, name: str, symbol: str, decimals: int) -> str:
    """Deploy a DEVELOPMENT-ONLY DevToken (anyone can mint); returns its address."""
    address, _ = chain.deploy(deploy_code(TOKEN, [name, symbol, decimals]),
                              action="deploy DevToken")
    return address


def deploy_market(chain: Chain, registry: str, oracle: str, token: str,
                  cfg: MarketConfig) -> str:
    """Deploy SolvencyGatedCredit (the sender becomes its lender); returns its address."""
    args = [to_checksum_address(registry), to_checksum_address(oracle),
            to_checksum_address(token), cfg.debt_slot, cfg.value_scale, cfg.min_bond,
            cfg.liquidator_reward, cfg.liquidation_grace]
    address, _ = chain.deploy(deploy_code(MARKET, args), action="deploy SolvencyGatedCredit")
    return address


def mint(chain: Chain, token: str, to: str, amount: int) -> dict:
    return send_fn(chain, TOKEN, token, "mint", to_checksum_address(to), amount)


def approve(chain: Chain, token: str, spender: str, amount: int) -> dict:
    return send_fn(chain, TOKEN, token, "approve", to_checksum_address(spender), amount)


def balance(chain: Chain, token: str, account: str) -> int:
    return int(read_fn(chain, TOKEN, token, "balanceOf", to_checksum_address(account)))


def _args(args: tuple) -> list:
    return [to_checksum_address(a) if isinstance(a, str) else a for a in args]


def encode(name: str, *args) -> bytes:
    """Calldata of market.<name>(args)."""
    return encode_fn(MARKET, name, _args(args))


def act(chain: Chain, market: str, name: str, *args) -> dict:
    """Send market.<name>(args) (supply, withdrawLiquidity, postBond, withdrawBond,
    borrow, repay, noticeLapse, liquidate); addresses are checksummed."""
    return send_fn(chain, MARKET, market, name, *_args(args))


def read(chain: Chain, market: str, name: str, *args):
    """Call a market view (debtOf, bondOf, lapsedSince, debtPrice, available, ...)."""
    return read_fn(chain, MARKET, market, name, *_args(args))


def totals(chain: Chain, market: str) -> dict[str, int]:
    """The accounting counters by name (see :data:`TOTALS`)."""
    return {name: int(read(chain, market, name)) for name in TOTALS}


def balanced(t: dict[str, int]) -> bool:
    """badDebt + repaid + outstanding == borrowed, to the wei."""
    return t["totalBadDebt"] + t["totalRepaid"] + t["totalOutstanding"] == t["totalBorrowed"]


__all__ = ["MARKET", "TOKEN", "TOTALS", "MarketConfig", "deploy_token", "deploy_market",
           "mint", "approve", "balance", "encode", "act", "read", "totals", "balanced"]
