"""Connections to a chain: the embedded in-process EVM (py-evm) or any JSON-RPC node.

Transactions are signed locally. For a JSON-RPC node the private key comes from the
caller (the CLI: a keystore, a prompt or the environment variable ZKSOLVENCY_PRIVATE_KEY;
never a command line). Without a key the connection is read-only: calls work, sending
raises UsageError. Every failure becomes a `zk.errors.ChainError` naming the action and
its cause; reverts become `ContractRevert` with the custom error decoded.
"""
from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import EthereumTesterProvider, HTTPProvider, Web3

from verifier_contracts.revert import ContractRevert, decode_revert
from zk.errors import ChainError, UsageError

KEY_ENV = "ZKSOLVENCY_PRIVATE_KEY"
ZERO_ADDRESS = "0x" + "00" * 20
GAS_MARGIN = 1.25
GAS_EXTRA = 30_000


@dataclass
class Chain:
    """A web3 connection plus the account that signs transactions (None: read-only).

    `on_receipt(action, receipt)` is called for every mined transaction (the CLI prints
    hash, block, gas, status and events from it)."""

    w3: Web3
    account: LocalAccount | None
    tester: object | None = None  # the EthereumTester of the embedded EVM
    timeout: float = 120.0
    dev_keys: list[str] = field(default_factory=list)
    on_receipt: Callable[[str, dict], None] | None = None
    url: str | None = None

    @property
    def address(self) -> str:
        """The signing account, or the zero address for a read-only connection."""
        return self.account.address if self.account is not None else ZERO_ADDRESS

    @property
    def read_only(self) -> bool:
        return self.account is None

    @property
    def chain_id(self) -> int:
        return self._rpc("read chain id", lambda: self.w3.eth.chain_id)

    @property
    def embedded(self) -> bool:
        return self.tester is not None

    def with_key(self, private_key: str) -> Chain:
        """The same connection signing with another key."""
        return Chain(self.w3, Account.from_key(private_key), self.tester, self.timeout,
                     self.dev_keys, self.on_receipt, self.url)

    def _rpc(self, action: str, fn):
        try:
            return fn()
        except ChainError:
            raise
        except Exception as exc:  # noqa: BLE001 - every web3/provider failure is a ChainError
            data = revert_data(exc)
            if data is not None:
                name, args = decode_revert(data)
                raise ContractRevert(action, name, args, data) from None
            raise ChainError(f"{action}: {type(exc).__name__}: {exc}") from None

    def code_at(self, address: str) -> bytes:
        return bytes(self._rpc("read code", lambda: self.w3.eth.get_code(address)))

    def timestamp(self) -> int:
        return self._rpc("read block", lambda: self.w3.eth.get_block("latest")["timestamp"])

    def call(self, to: str, data: bytes, *, action: str = "call", gas: int | None = None) -> bytes:
        """eth_call from this account; reverts raise ContractRevert."""
        tx = {"from": self.address, "to": to, "data": data}
        if gas is not None:
            tx["gas"] = gas
        return bytes(self._rpc(action, lambda: self.w3.eth.call(tx)))

    def estimate(self, to: str | None, data: bytes, *, action: str = "estimate gas") -> int:
        tx = {"from": self.address, "data": data}
        if to is not None:
            tx["to"] = to
        return int(self._rpc(action, lambda: self.w3.eth.estimate_gas(tx)))

    def send(self, to: str | None, data: bytes, *, gas: int | None = None,
             action: str = "transaction", preflight: bool = True, nonce: int | None = None,
             on_sent=None) -> dict:
        """Sign and send with an explicit gas limit; wait for the receipt.

        Without `gas` the limit is the estimate * 1.25 + 30000 (capped by the block gas
        limit). With `gas` the transaction is first run as eth_call with that limit
        (estimates under-report calls whose inner failure is not a revert). Either way a
        revert raises ContractRevert before anything is sent. A receipt with status 0 is
        replayed as eth_call to decode the revert. `on_sent(tx_hash_hex, nonce)` is called
        before waiting (for resumable state files); `nonce` re-sends a recorded one.
        """
        if self.account is None:
            raise UsageError(f"{action}: this connection has no signing key (give --keystore, "
                             f"--interactive, or set {KEY_ENV})")
        if gas is None:
            estimate = self.estimate(to, data, action=action)
            limit = self._rpc(action, lambda: self.w3.eth.get_block("latest")["gasLimit"])
            gas = min(int(estimate * GAS_MARGIN) + GAS_EXTRA, int(limit))
        elif preflight:
            pre = {"from": self.address, "data": data, "gas": gas}
            if to is not None:
                pre["to"] = to
            self._rpc(action, lambda: self.w3.eth.call(pre))
        tx = {"from": self.address, "data": data, "gas": gas, "value": 0,
              "chainId": self.chain_id,
              "nonce": nonce if nonce is not None else self._rpc(
                  action, lambda: self.w3.eth.get_transaction_count(self.address, "pending")),
              "gasPrice": self._rpc(action, lambda: self.w3.eth.gas_price)}
        if to is not None:
            tx["to"] = to
        signed = self.account.sign_transaction(tx)
        tx_hash = self._rpc(action, lambda: self.w3.eth.send_raw_transaction(
            signed.raw_transaction))
        if on_sent is not None:
            on_sent("0x" + bytes(tx_hash).hex(), tx["nonce"])
        receipt = self.wait(tx_hash, action)
        if self.on_receipt is not None:
            self.on_receipt(action, dict(receipt))
        if receipt["status"] != 1:
            self._replay_failure(tx, receipt, action)
        return dict(receipt)

    def wait(self, tx_hash, action: str = "wait for receipt") -> dict:
        """The receipt of a sent transaction (ChainError on timeout)."""
        return self._rpc(action, lambda: self.w3.eth.wait_for_transaction_receipt(
            tx_hash, timeout=self.timeout))

    def receipt(self, tx_hash) -> dict | None:
        """The receipt if the transaction is mined, else None."""
        try:
            return dict(self.w3.eth.get_transaction_receipt(tx_hash))
        except Exception:  # noqa: BLE001 - unknown or pending
            return None

    def nonce(self, block: str = "latest") -> int:
        return int(self._rpc("read nonce", lambda: self.w3.eth.get_transaction_count(
            self.address, block)))

    def _replay_failure(self, tx: dict, receipt, action: str) -> None:
        replay = {k: tx[k] for k in ("from", "to", "data", "gas") if k in tx}
        block = receipt["blockNumber"] - 1
        self._rpc(action, lambda: self.w3.eth.call(replay, block))
        raise ChainError(f"{action}: transaction {receipt['transactionHash'].hex()} reverted "
                         f"(status 0, gas used {receipt['gasUsed']} of {tx['gas']}; "
                         "out of gas or a revert that does not reproduce)")

    def deploy(self, creation_code: bytes, *, gas: int | None = None, action: str = "deploy",
               **send_options) -> tuple[str, dict]:
        """Deploy creation code; return (address, receipt); checks that code was stored."""
        receipt = self.send(None, creation_code, gas=gas, action=action, **send_options)
        address = receipt["contractAddress"]
        if not address or not self.code_at(address):
            raise ChainError(f"{action}: no code at the new contract address {address}")
        return address, receipt

    def increase_time(self, seconds: int) -> None:
        """Advance the clock and mine a block (embedded EVM or anvil/hardhat only)."""
        if self.tester is not None:
            self.tester.time_travel(self.timestamp() + int(seconds))
            return
        self._rpc("increase time", lambda: self.w3.provider.make_request(
            "evm_increaseTime", [int(seconds)]))
        self._rpc("mine", lambda: self.w3.provider.make_request("evm_mine", []))


_TESTER_REVERT = re.compile(r"reverted: (b'.*'|b\".*\")\s*$", re.S)


def revert_data(exc: BaseException) -> bytes | None:
    """Revert data carried by a web3 / eth-tester exception, if any."""
    if type(exc).__name__ == "TransactionFailed":  # eth-tester: bytes repr in the message
        m = _TESTER_REVERT.search(str(exc))
        if m:
            try:
                return bytes(ast.literal_eval(m.group(1)))
            except (ValueError, SyntaxError):
                return None
        return None
    for attr in ("data", "args"):
        value = getattr(exc, attr, None)
        candidates = value if isinstance(value, tuple) else (value,)
        for v in candidates:
            if isinstance(v, dict):
                v = v.get("data")
            if isinstance(v, (bytes, bytearray)) and attr == "data":
                return bytes(v)
            if isinstance(v, str) and v.startswith("0x") and len(v) >= 10:
                try:
                    return bytes.fromhex(v[2:])
                except ValueError:
                    continue
    if "revert" in str(exc).lower() and getattr(exc, "data", None) in (None, "0x", b""):
        return b""
    return None


def connect(rpc_url: str | None = None, *, private_key: str | None = None,
            account: LocalAccount | None = None, key_env: str | None = KEY_ENV,
            timeout: float = 120.0) -> Chain:
    """Connect to `rpc_url` or, without a URL, start a fresh embedded EVM (newest py-evm
    fork) signing with its first account.

    The signer of a node connection is `account`, else `private_key`, else the key in
    $ZKSOLVENCY_PRIVATE_KEY (`key_env`; None: never from the environment); with none of
    them the connection is read-only."""
    if rpc_url is None:
        from eth_tester import EthereumTester, PyEVMBackend

        tester = EthereumTester(PyEVMBackend())
        w3 = Web3(EthereumTesterProvider(tester))
        keys = [k.to_hex() for k in tester.backend.account_keys]
        signer = account or Account.from_key(private_key or keys[0])
        return Chain(w3, signer, tester, timeout, keys)
    if account is None:
        key = private_key or (os.environ.get(key_env) if key_env else None)
        account = _account(key, key_env) if key else None
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    chain = Chain(w3, account, None, timeout, url=rpc_url)
    chain._rpc(f"connect to {rpc_url}", lambda: w3.eth.chain_id)
    return chain


def _account(key: str, key_env: str) -> LocalAccount:
    try:
        return Account.from_key(key.strip())
    except Exception:  # noqa: BLE001 - never echo the key
        raise UsageError(f"connect: {key_env} does not hold a valid private key") from None
