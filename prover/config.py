"""``zksolvency.toml``: named chain profiles, found the way Foundry finds ``foundry.toml``.

The file is looked up in the current directory, then each parent (``ZKSOLVENCY_CONFIG``
names it explicitly). Each ``[profile.NAME]`` table may hold::

    rpc_url = "http://127.0.0.1:8545"
    chain_id = 31337            # checked against the node on every connection
    registry = "0x..."          # used where a command takes a registry address ("@registry")
    verifier = "0x..."          # "@verifier"
    attesters = "0x..."         # "@attesters"
    oracle = "0x..."            # the registry's EpochOracle ("@oracle")
    keys = "keys"               # key folder
    keystore = "admin.json"     # encrypted signing key (eth-account keystore), relative to the file

Other top-level sections (for other tools and later features) are ignored; unknown keys
inside a profile are refused, so a typo cannot silently fall back to a default. Secrets
(private keys, passwords) have no place in the file. Precedence, as in Foundry: command-line
flag > environment > this file.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from zk.errors import MalformedInput, UsageError

CONFIG_NAME = "zksolvency.toml"
CONFIG_ENV = "ZKSOLVENCY_CONFIG"
PROFILE_ENV = "ZKSOLVENCY_CHAIN"
DEFAULT_PROFILE = "default"
MAX_CONFIG_BYTES = 1 << 20
_STR_KEYS = ("rpc_url", "registry", "verifier", "attesters", "oracle", "keys", "keystore")
ADDRESS_KEYS = ("registry", "verifier", "attesters", "oracle")


@dataclass(frozen=True)
class Profile:
    """One ``[profile.NAME]`` table; paths are resolved against the file's folder."""

    name: str
    source: Path
    rpc_url: str | None = None
    chain_id: int | None = None
    registry: str | None = None
    verifier: str | None = None
    attesters: str | None = None
    oracle: str | None = None
    keys: Path | None = None
    keystore: Path | None = None


def find_config(start: str | os.PathLike | None = None) -> Path | None:
    """$ZKSOLVENCY_CONFIG, else the nearest zksolvency.toml in ``start`` (default: the
    current directory) or one of its parents; None if there is none."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(f"{CONFIG_ENV}={explicit}: no such file")
        return path
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _toml(data: bytes, src: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"{src}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MalformedInput(f"{src}: not valid TOML ({exc})") from None


def parse_config(data: bytes, src: str) -> dict[str, Profile]:
    """The profiles of a zksolvency.toml given as bytes (MalformedInput naming the field)."""
    if len(data) > MAX_CONFIG_BYTES:
        raise MalformedInput(f"{src}: larger than {MAX_CONFIG_BYTES} bytes")
    doc = _toml(data, src)
    tables = doc.get("profile", {})
    if not isinstance(tables, dict):
        raise MalformedInput(f"{src}: 'profile' must be a table of [profile.NAME] tables")
    base = Path(src).resolve().parent
    out = {}
    for name, table in tables.items():
        where = f"{src}: [profile.{name}]"
        if not isinstance(table, dict):
            raise MalformedInput(f"{where}: must be a table")
        unknown = sorted(set(table) - set(_STR_KEYS) - {"chain_id"})
        if unknown:
            raise MalformedInput(f"{where}: unknown key(s) {', '.join(unknown)} (known: "
                                 f"{', '.join(('chain_id',) + _STR_KEYS)})")
        values: dict = {}
        for key in _STR_KEYS:
            if key in table:
                value = table[key]
                if not isinstance(value, str) or not value or len(value) > 4096:
                    raise MalformedInput(f"{where}: '{key}' must be a non-empty string")
                if not value.isprintable():
                    raise MalformedInput(f"{where}: '{key}' holds a control character")
                values[key] = value
        for key in ADDRESS_KEYS:
            if key in values:
                from prover.chainopts import checked_address
                values[key] = checked_address(values[key], f"{where} '{key}'")
        for key in ("keys", "keystore"):
            if key in values:
                values[key] = (base / values[key]).resolve()
        if "chain_id" in table:
            cid = table["chain_id"]
            if isinstance(cid, bool) or not isinstance(cid, int) or not 0 < cid < 1 << 64:
                raise MalformedInput(f"{where}: 'chain_id' must be an integer in [1, 2^64)")
            values["chain_id"] = cid
        out[name] = Profile(name=name, source=Path(src), **values)
    return out


def load_profile(name: str | None = None, start: str | os.PathLike | None = None
                 ) -> Profile | None:
    """The profile ``name`` (else $ZKSOLVENCY_CHAIN, else "default") of the nearest
    config file; None when no file or no default profile exists. A profile asked for by
    name that does not exist is a UsageError."""
    wanted = name or os.environ.get(PROFILE_ENV) or None
    path = find_config(start)
    if path is None:
        if wanted:
            raise UsageError(f"--chain {wanted}: no {CONFIG_NAME} found in this folder or "
                             "its parents")
        return None
    data = path.read_bytes()
    profiles = parse_config(data, str(path))
    if wanted:
        if wanted not in profiles:
            raise UsageError(f"--chain {wanted}: no [profile.{wanted}] in {path} (profiles: "
                             f"{', '.join(sorted(profiles)) or 'none'})")
        return profiles[wanted]
    return profiles.get(DEFAULT_PROFILE)
