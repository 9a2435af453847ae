"""The ``[monitor]`` section of zksolvency.toml.

    [monitor]
    profile = "anvil"               # chain profile (default: $ZKSOLVENCY_CHAIN, else "default");
                                    # rpc_url ($ETH_RPC_URL beats it), chain_id, registry
    registry = "0x..."              # default: the profile's registry
    oracle = "0x..."                # optional: the EpochOracle the registry must read (a
                                    # cross-check; the registry's oracle is always watched)
    policy = "policy.json"          # asset names and decimals (the circuit shape)
    keys = "keys"                   # key folder (default: the profile's)
    state = "monitor.sqlite"        # submission intents (crash-safe)
    confirmations = 2               # act on blocks this deep only
    lookback = 1000                 # blocks of events read at most per cycle
    poll_interval = 5.0             # seconds between cycles
    deadline_margin = 120           # alert when a deadline is closer than this (seconds)
    stuck_after = 60                # replace a transaction unmined after this (seconds)
    provers = 1                     # proofs made at once, on threads, while this cycle
                                    # submits the ones already made (2 can help on 2+ idle cores)

    [[monitor.accounts]]
    name = "desk-1"
    key_env = "DESK1_KEY"           # signing key from this environment variable, or
    # keystore = "desk1.json"       # an encrypted keystore (password from $ZKSOLVENCY_PASSWORD)
    position = "desk1.json"         # portfolio JSON file, or
    # position_command = ["./export-position", "desk-1"]   # a command printing it (run
                                    # in this file's folder, 60 s at most)
    attestation = "desk1-att.json"  # optional: attestation file (attested registries)
    margin_buffer_pct = 15
    # kind = "credit"               # prove credit capacity instead (it also counts as the
                                    # account's solvency): the registry's submitCredit
    # target_credit = "5000000000000000000000000000"  # credit in the circuit's value unit,
                                    # or else: the largest provable minus credit_buffer_pct
    # credit_buffer_pct = 10
    # market = "0x..."              # a SolvencyGatedCredit: alert when the provable credit
                                    # is below what the account borrowed there

    [monitor.webhook]               # optional
    url = "https://alerts.example/hook"
    secret_env = "MONITOR_WEBHOOK_SECRET"   # HMAC-SHA256 key, from the environment
    timeout = 5.0
    retries = 3

    [monitor.metrics]               # optional
    port = 9464
    host = "127.0.0.1"
    per_account_margin = false

Secrets never live in the file: signing keys come from the environment or a keystore,
the webhook secret from the environment. Unknown keys are refused.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from prover.config import (
    CONFIG_NAME,
    DEFAULT_PROFILE,
    PROFILE_ENV,
    Profile,
    _toml,
    find_config,
    parse_config,
)
from zk.errors import MalformedInput, UsageError

RPC_ENV = "ETH_RPC_URL"     # beats the profile's rpc_url, as for every other command
_TOP = {"profile", "registry", "oracle", "policy", "keys", "state", "confirmations",
        "lookback", "poll_interval", "deadline_margin", "stuck_after", "provers", "accounts",
        "webhook", "metrics"}
_ACCOUNT = {"name", "key_env", "keystore", "position", "position_command", "attestation",
            "margin_buffer_pct", "kind", "target_credit", "credit_buffer_pct", "market"}
KINDS = ("solvency", "credit")
_WEBHOOK = {"url", "secret_env", "timeout", "retries"}
_METRICS = {"port", "host", "per_account_margin"}


@dataclass(frozen=True)
class AccountConfig:
    """One managed account: where its key, position and attestation come from."""

    name: str
    key_env: str | None = None
    keystore: Path | None = None
    position: Path | None = None
    position_command: tuple[str, ...] | None = None
    attestation: Path | None = None
    margin_buffer_pct: float = 10.0
    kind: str = "solvency"                  # or "credit": see the module docstring
    target_credit: int | None = None        # value units; None: largest minus the buffer
    credit_buffer_pct: float = 10.0
    market: str | None = None               # SolvencyGatedCredit to compare with


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret_env: str | None = None
    timeout: float = 5.0
    retries: int = 3


@dataclass(frozen=True)
class MetricsConfig:
    port: int
    host: str = "127.0.0.1"
    per_account_margin: bool = False


@dataclass(frozen=True)
class MonitorConfig:
    """The parsed ``[monitor]`` section (paths resolved against the file's folder)."""

    profile: Profile | None
    registry: str
    policy: Path
    keys: Path
    state: Path
    accounts: tuple[AccountConfig, ...]
    oracle: str | None = None
    confirmations: int = 2
    lookback: int = 1000
    poll_interval: float = 5.0
    deadline_margin: int = 120
    stuck_after: float = 60.0
    provers: int = 1
    webhook: WebhookConfig | None = None
    metrics: MetricsConfig | None = None
    rpc_url: str | None = field(default=None)
    folder: Path = field(default_factory=Path.cwd)   # the config file's folder


def _get(table: dict, key: str, kind, where: str, default=None, lo=None, hi=None):
    if key not in table:
        return default
    v = table[key]
    ok = isinstance(v, kind) and not isinstance(v, bool) if kind is not bool \
        else isinstance(v, bool)
    if kind is float:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    if not ok:
        raise MalformedInput(f"{where}: '{key}' must be a {kind.__name__}")
    if lo is not None and v < lo or hi is not None and v > hi:
        raise MalformedInput(f"{where}: '{key}' must be in [{lo}, {hi}], got {v}")
    if kind is str and (not v or len(v) > 4096
                        or any(ord(c) < 0x20 or ord(c) == 0x7f for c in v)):
        raise MalformedInput(f"{where}: '{key}' must be a non-empty string without "
                             "control characters")
    return float(v) if kind is float else v


def _unknown(table: dict, known: set, where: str) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise MalformedInput(f"{where}: unknown key(s) {', '.join(extra)} (known: "
                             f"{', '.join(sorted(known))})")


def _account(t, i: int, base: Path, src: str) -> AccountConfig:
    where = f"{src}: [[monitor.accounts]] #{i + 1}"
    if not isinstance(t, dict):
        raise MalformedInput(f"{where}: must be a table")
    _unknown(t, _ACCOUNT, where)
    name = _get(t, "name", str, where)
    if name is None:
        raise MalformedInput(f"{where}: 'name' is required")
    where = f"{src}: account '{name}'"
    key_env, keystore = _get(t, "key_env", str, where), _get(t, "keystore", str, where)
    if (key_env is None) == (keystore is None):
        raise MalformedInput(f"{where}: give exactly one of 'key_env' (an environment "
                             "variable holding the key) or 'keystore'")
    position, command = _get(t, "position", str, where), t.get("position_command")
    if (position is None) == (command is None):
        raise MalformedInput(f"{where}: give exactly one of 'position' (a file) or "
                             "'position_command' (a command printing the position JSON)")
    if command is not None and (not isinstance(command, list) or not command
                                or not all(isinstance(c, str) and c and "\x00" not in c
                                           for c in command)):
        raise MalformedInput(f"{where}: 'position_command' must be a list of strings")
    att = _get(t, "attestation", str, where)
    kind = _get(t, "kind", str, where, "solvency")
    if kind not in KINDS:
        raise MalformedInput(f"{where}: 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    credit_keys = [k for k in ("target_credit", "credit_buffer_pct", "market") if k in t]
    if kind != "credit" and credit_keys:
        raise MalformedInput(f"{where}: {', '.join(credit_keys)} need kind = \"credit\"")
    target = _get(t, "target_credit", str, where)
    if target is not None:
        from circuits.credit import CREDIT_BITS
        from prover.inputs import parse_int
        target = parse_int(target, src, f"account '{name}' target_credit", bits=CREDIT_BITS)
    market = _get(t, "market", str, where)
    if market is not None:
        from prover.chainopts import checked_address
        market = checked_address(market, f"{where} 'market'")
    return AccountConfig(
        name, key_env, (base / keystore).resolve() if keystore else None,
        (base / position).resolve() if position else None,
        tuple(command) if command else None, (base / att).resolve() if att else None,
        _get(t, "margin_buffer_pct", float, where, 10.0, 0, 10_000), kind, target,
        _get(t, "credit_buffer_pct", float, where, 10.0, 0, 100), market)


def parse_monitor(data: bytes, src: str, profile_name: str | None = None) -> MonitorConfig:
    """The [monitor] section of a zksolvency.toml given as bytes."""
    from prover.chainopts import checked_address

    doc = _toml(data, src)
    t = doc.get("monitor")
    where = f"{src}: [monitor]"
    if not isinstance(t, dict):
        raise MalformedInput(f"{src}: no [monitor] section")
    _unknown(t, _TOP, where)
    base = Path(src).resolve().parent
    profiles = parse_config(data, src)
    wanted = profile_name or _get(t, "profile", str, where) or os.environ.get(PROFILE_ENV) \
        or (DEFAULT_PROFILE if DEFAULT_PROFILE in profiles else None)
    profile = None
    if wanted is not None:
        if wanted not in profiles:
            raise UsageError(f"{where}: profile '{wanted}' is not defined (profiles: "
                             f"{', '.join(sorted(profiles)) or 'none'})")
        profile = profiles[wanted]
    registry = _get(t, "registry", str, where) or (profile.registry if profile else None)
    if registry is None:
        raise MalformedInput(f"{where}: 'registry' is required (or a profile with one)")
    registry = checked_address(registry, f"{where} 'registry'")
    oracle = _get(t, "oracle", str, where)
    if oracle is not None:
        oracle = checked_address(oracle, f"{where} 'oracle'")
    policy = _get(t, "policy", str, where)
    if policy is None:
        raise MalformedInput(f"{where}: 'policy' (the policy file: assets, decimals) is "
                             "required")
    keys = _get(t, "keys", str, where)
    keys_path = (base / keys).resolve() if keys else (profile.keys if profile else None)
    if keys_path is None:
        raise MalformedInput(f"{where}: 'keys' (the key folder) is required")
    accounts = t.get("accounts", [])
    if not isinstance(accounts, list) or not accounts:
        raise MalformedInput(f"{where}: at least one [[monitor.accounts]] is required")
    accs = tuple(_account(a, i, base, src) for i, a in enumerate(accounts))
    if len({a.name for a in accs}) != len(accs):
        raise MalformedInput(f"{where}: account names must be unique")
    webhook = metrics = None
    if "webhook" in t:
        w, ww = t["webhook"], f"{src}: [monitor.webhook]"
        if not isinstance(w, dict):
            raise MalformedInput(f"{ww}: must be a table")
        _unknown(w, _WEBHOOK, ww)
        url = _get(w, "url", str, ww)
        if url is None or not url.startswith(("http://", "https://")):
            raise MalformedInput(f"{ww}: 'url' must be an http(s) URL")
        webhook = WebhookConfig(url, _get(w, "secret_env", str, ww),
                                _get(w, "timeout", float, ww, 5.0, 0.1, 120),
                                _get(w, "retries", int, ww, 3, 0, 20))
    if "metrics" in t:
        m, mw = t["metrics"], f"{src}: [monitor.metrics]"
        if not isinstance(m, dict):
            raise MalformedInput(f"{mw}: must be a table")
        _unknown(m, _METRICS, mw)
        port = _get(m, "port", int, mw, None, 0, 65535)
        if port is None:
            raise MalformedInput(f"{mw}: 'port' is required")
        metrics = MetricsConfig(port, _get(m, "host", str, mw, "127.0.0.1"),
                                _get(m, "per_account_margin", bool, mw, False))
    return MonitorConfig(
        profile, registry, (base / policy).resolve(), keys_path,
        (base / (_get(t, "state", str, where) or "monitor.sqlite")).resolve(), accs, oracle,
        _get(t, "confirmations", int, where, 2, 0, 1000),
        _get(t, "lookback", int, where, 1000, 1, 1_000_000),
        _get(t, "poll_interval", float, where, 5.0, 0.0, 3600),
        _get(t, "deadline_margin", int, where, 120, 0, 86_400),
        _get(t, "stuck_after", float, where, 60.0, 0.1, 86_400),
        _get(t, "provers", int, where, 1, 1, 64), webhook, metrics,
        os.environ.get(RPC_ENV) or (profile.rpc_url if profile else None), base)


def load_monitor_config(path: str | Path | None = None,
                        profile: str | None = None) -> MonitorConfig:
    """Parse the [monitor] section of `path` (default: the nearest zksolvency.toml)."""
    path = Path(path) if path else find_config()
    if path is None:
        raise UsageError(f"monitor: no {CONFIG_NAME} found in this folder or its parents")
    if not path.is_file():
        raise UsageError(f"monitor: {path}: no such file")
    return parse_monitor(path.read_bytes(), str(path), profile)
