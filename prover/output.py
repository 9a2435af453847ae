"""What every command prints: text for people, one JSON object with ``--json`` for
scripts, and the exit code from the one table in ``zk.errors`` (README, "Exit codes").

A command adds ``@JSON_OPTION`` and ends with :func:`emit` (a result) or :func:`verdict`
(a claim checked: exit 0 or 1). Transactions sent during the command are reported as they
are mined (:func:`report_tx`: hash, block, gas, status, decoded events on stderr) and, with
``--json``, listed under ``"transactions"`` in the command's JSON object.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping

import click

from zk.errors import EXIT_CLAIM, exit_code

_JSON = "zksolvency.json"
_TXS = "zksolvency.transactions"


def _json_flag(ctx: click.Context, _param, value: bool) -> bool:
    if value:
        ctx.meta[_JSON] = True
    return value


JSON_OPTION = click.option("--json", is_flag=True, callback=_json_flag, is_eager=True,
                           expose_value=False,
                           help="Print one JSON object on stdout (for scripts).")


def _meta() -> dict:
    ctx = click.get_current_context(silent=True)
    return ctx.meta if ctx is not None else {}


def json_mode() -> bool:
    """True when the running command was given --json."""
    return bool(_meta().get(_JSON))


def jsonable(value):
    """Plain JSON types: bytes become 0x-hex, mappings dicts, tuples lists."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def dumps(data) -> str:
    return json.dumps(jsonable(data), indent=2)


def emit(data: Mapping, text: str | None = None) -> None:
    """Print the command's result: ``data`` as JSON (plus the transactions sent) with
    --json, else ``text`` (nothing if None)."""
    if json_mode():
        out = dict(data)
        txs = _meta().get(_TXS)
        if txs:
            out.setdefault("transactions", txs)
        click.echo(dumps(out))
    elif text is not None:
        click.echo(text)


def verdict(ok: bool, reason: str, **data) -> None:
    """Report a checked claim: ``OK: reason`` (exit 0) or ``INVALID: reason`` on stderr
    (exit 1); with --json ``{"valid": ok, "reason": ..., **data}`` on stdout."""
    if json_mode():
        emit({"valid": ok, "reason": reason, **data})
    elif ok:
        click.echo(f"OK: {reason}")
    else:
        click.echo(f"INVALID: {reason}", err=True)
    if not ok:
        sys.exit(EXIT_CLAIM)


def tx_record(action: str, receipt: Mapping) -> dict:
    """The receipt fields a user needs, with the events decoded."""
    from verifier_contracts.events import decode_logs

    return jsonable({
        "action": action,
        "hash": receipt.get("transactionHash"),
        "block": receipt.get("blockNumber"),
        "status": receipt.get("status"),
        "gas_used": receipt.get("gasUsed"),
        "effective_gas_price": receipt.get("effectiveGasPrice"),
        "from": receipt.get("from"),
        "to": receipt.get("to"),
        "contract_address": receipt.get("contractAddress"),
        "events": decode_logs(receipt),
    })


def report_tx(action: str, receipt: Mapping) -> dict:
    """Record a mined transaction for --json and print it for people (stderr, so stdout
    stays the command's result: an address can be captured with $(...))."""
    rec = tx_record(action, receipt)
    meta = _meta()
    meta.setdefault(_TXS, []).append(rec)
    if not json_mode():
        ok = "ok" if rec["status"] == 1 else "FAILED"
        where = f", created {rec['contract_address']}" if rec["contract_address"] else ""
        click.echo(f"tx {action}: {rec['hash']} block {rec['block']} gas used "
                   f"{rec['gas_used']} status {rec['status']} ({ok}){where}", err=True)
        for ev in rec["events"]:
            args = ", ".join(f"{k}={v}" for k, v in ev["args"].items())
            click.echo(f"  event {ev['name']}({args})", err=True)
    return rec


def report_error(exc: BaseException, message: str) -> int:
    """Print a failure (one line on stderr; with --json also a JSON object on stdout) and
    return its exit code."""
    code = exit_code(exc)
    click.echo(f"error: {message}", err=True)
    if json_mode():
        out = {"error": message, "kind": type(exc).__name__, "exit_code": code}
        for attr in ("name", "args_"):
            if getattr(exc, attr, None) is not None:
                out["revert" if attr == "name" else "revert_args"] = getattr(exc, attr)
        txs = _meta().get(_TXS)
        if txs:
            out["transactions"] = txs
        click.echo(dumps(out))
    return code
