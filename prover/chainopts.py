"""Chain options shared by every command that talks to a chain (Foundry conventions).

``@chain_options(write=...)`` adds ``--rpc-url`` (or ``ETH_RPC_URL``), ``--chain NAME``
(a profile of ``zksolvency.toml``, or ``ZKSOLVENCY_CHAIN``), ``--ephemeral`` (a throwaway
in-process EVM) and, on commands that send transactions, the signer options
``--keystore FILE`` / ``--password-file FILE`` / ``--interactive``; the key may also come
from ``ZKSOLVENCY_PRIVATE_KEY`` or the profile's keystore. No option takes a secret.
Precedence: flag > environment > config file.

The command receives ``chain: ChainContext``; ``chain.connect()`` returns a connected
``verifier_contracts.Chain`` that reports every transaction (``prover.output.report_tx``).
Without a chain, a command refuses (exit 2) unless ``--ephemeral`` is given.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import click

from prover.config import ADDRESS_KEYS, Profile, load_profile
from zk.errors import MalformedInput, UsageError
from zk.parse import address, to_checksum

RPC_ENV = "ETH_RPC_URL"
KEY_ENV = "ZKSOLVENCY_PRIVATE_KEY"
MAX_KEYSTORE_BYTES = 1 << 16
_NO_CHAIN = ("no chain given: pass --rpc-url URL, set {env}, pass --chain NAME (a profile "
             "of zksolvency.toml), or --ephemeral for a throwaway in-process chain")


def checked_address(value: str, what: str) -> str:
    """A 20-byte 0x address in checksum form; mixed case must be a valid EIP-55
    checksum (all-lower and all-upper hex are accepted): zk.parse.address."""
    return to_checksum(address(value, what))


@dataclass
class ChainContext:
    """The chain a command was pointed at, resolved lazily (read-only commands never ask
    for a key)."""

    rpc_url: str | None
    profile: Profile | None
    ephemeral: bool
    write: bool
    keystore: str | None = None
    password_file: str | None = None
    interactive: bool = False
    chain_name: str | None = None
    _chain: object | None = None

    @property
    def url(self) -> str | None:
        """--rpc-url > $ETH_RPC_URL > the profile's rpc_url."""
        return (self.rpc_url or os.environ.get(RPC_ENV)
                or (self.profile.rpc_url if self.profile else None))

    def address(self, value: str, what: str = "address") -> str:
        """An address argument: 0x-hex, or @registry / @verifier / @attesters / @oracle from
        the profile."""
        if isinstance(value, str) and value.startswith("@"):
            key = value[1:]
            if key not in ADDRESS_KEYS:
                raise UsageError(f"{what}: {value}: known names are "
                                 f"{', '.join('@' + k for k in ADDRESS_KEYS)}")
            found = getattr(self.profile, key, None) if self.profile else None
            if not found:
                where = (f"[profile.{self.profile.name}] of {self.profile.source}"
                         if self.profile else "a zksolvency.toml profile")
                raise UsageError(f"{what}: {value} is not set in {where}")
            return found
        return checked_address(value, what)

    def contract(self, value: str, what: str, kind: str) -> str:
        """An address argument that must hold contract `kind` (e.g. "ReservesRegistry"):
        resolved, connected and checked (WrongContract, exit 2, otherwise)."""
        from verifier_contracts.probe import expect

        address = self.address(value, what)
        expect(self.connect(), address, kind)
        return address

    def connect(self):
        """The connected Chain (once per command)."""
        if self._chain is None:
            self._chain = self._connect()
        return self._chain

    def _connect(self):
        from prover.output import report_tx
        from verifier_contracts.chain import connect

        url = self.url
        if self.ephemeral:
            if self.rpc_url or self.chain_name:
                raise UsageError("--ephemeral starts an in-process chain; do not combine it "
                                 "with --rpc-url or --chain")
            click.echo("note: --ephemeral: using a throwaway in-process chain; nothing "
                       "is sent to a network and everything is gone when the command ends",
                       err=True)
            chain = connect(None)
        elif url is None:
            raise UsageError(_NO_CHAIN.format(env=RPC_ENV))
        else:
            chain = connect(url, account=self._signer() if self.write else None,
                            key_env=None)          # the key only comes from _signer()
            self._check_chain_id(chain)
        chain.on_receipt = report_tx
        return chain

    def _check_chain_id(self, chain) -> None:
        want = self.profile.chain_id if self.profile else None
        if want is not None and chain.chain_id != want:
            raise UsageError(f"the node at {chain.url} has chain id {chain.chain_id}; "
                             f"profile {self.profile.name} in {self.profile.source} says "
                             f"{want}")

    def _signer(self):
        """The signing account: --keystore > --interactive > $ZKSOLVENCY_PRIVATE_KEY >
        the profile's keystore."""
        if self.keystore:
            return load_keystore(self.keystore, self.password_file)
        if self.interactive:
            key = _prompt("private key")
            return _account(key, "the private key typed")
        key = os.environ.get(KEY_ENV)
        if key:
            return _account(key, f"${KEY_ENV}")
        if self.profile and self.profile.keystore:
            return load_keystore(str(self.profile.keystore), self.password_file)
        raise UsageError(f"this command sends transactions and needs a signing key: pass "
                         f"--keystore FILE (eth-account keystore), --interactive, or set "
                         f"{KEY_ENV}")


def _prompt(text: str) -> str:
    """A hidden prompt on the terminal; Ctrl-C stays an interrupt (exit 130), a closed
    stdin is a usage error (exit 2)."""
    try:
        return click.prompt(text, hide_input=True, err=True)
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise UsageError(f"{text}: nothing to read (stdin is closed); use --password-file "
                         "or a keystore, or run on a terminal") from None


def _account(key: str, what: str):
    from eth_account import Account

    try:
        return Account.from_key(key.strip())
    except Exception:  # noqa: BLE001 - never echo the key
        raise UsageError(f"{what} is not a valid private key") from None


def load_keystore(path: str, password_file: str | None):
    """Decrypt an eth-account (Web3 Secret Storage) keystore file; the password comes
    from ``password_file`` (first line) or a prompt."""
    from eth_account import Account

    from zk import atomic

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"--keystore {path}: no such file")
    obj = atomic.loads_strict(p.read_bytes()[:MAX_KEYSTORE_BYTES + 1], path) \
        if p.stat().st_size <= MAX_KEYSTORE_BYTES else None
    if not isinstance(obj, dict) or "crypto" not in {k.lower() for k in obj}:
        raise MalformedInput(f"{path}: not an encrypted keystore (Web3 Secret Storage JSON)")
    if password_file:
        lines = Path(password_file).read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = _prompt(f"password for {path}")
    try:
        key = Account.decrypt(obj, password)
    except ValueError:
        raise UsageError(f"{path}: wrong password (or a corrupt keystore)") from None
    except Exception as exc:  # noqa: BLE001 - unsupported kdf/cipher, missing fields
        raise MalformedInput(f"{path}: cannot read this keystore "
                             f"({type(exc).__name__})") from None
    return Account.from_key(key)


def chain_options(write: bool):
    """Decorator: the chain options, passed to the command as ``chain: ChainContext``."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, rpc_url, chain_name, ephemeral, keystore=None,
                    password_file=None, interactive=False, **kwargs):
            if keystore and interactive:
                raise UsageError("give --keystore or --interactive, not both")
            ctx = ChainContext(rpc_url=rpc_url, profile=load_profile(chain_name),
                               ephemeral=ephemeral, write=write, keystore=keystore,
                               password_file=password_file, interactive=interactive,
                               chain_name=chain_name)
            return f(*args, chain=ctx, **kwargs)

        options = [
            click.option("--rpc-url", default=None, metavar="URL",
                         help=f"JSON-RPC endpoint [env {RPC_ENV}; config rpc_url]."),
            click.option("--chain", "chain_name", default=None, metavar="NAME",
                         help="Profile of zksolvency.toml [env ZKSOLVENCY_CHAIN; default: "
                              "[profile.default]]."),
            click.option("--ephemeral", is_flag=True,
                         help="Use a throwaway in-process EVM (gone when the command ends)."),
        ]
        if write:
            options += [
                click.option("--keystore", default=None, type=click.Path(dir_okay=False),
                             help="Encrypted signing key (eth-account keystore) [config "
                                  f"keystore]; else ${KEY_ENV}."),
                click.option("--password-file", default=None,
                             type=click.Path(exists=True, dir_okay=False),
                             help="File whose first line is the keystore password "
                                  "(default: prompt)."),
                click.option("--interactive", is_flag=True,
                             help="Prompt for the private key (hidden input)."),
            ]
        for opt in reversed(options):
            wrapper = opt(wrapper)
        return wrapper
    return decorate
