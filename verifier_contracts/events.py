"""Decode the logs of a receipt into event names and named arguments (shipped ABIs)."""
from __future__ import annotations

from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from verifier_contracts.abi import abi_type
from verifier_contracts.artifacts import CONTRACTS, load_artifact


@lru_cache(maxsize=1)
def event_table() -> dict[bytes, dict]:
    """topic0 -> ABI entry, for every event of every shipped contract."""
    out: dict[bytes, dict] = {}
    for contract in CONTRACTS:
        for item in load_artifact(contract)["abi"]:
            if item.get("type") == "event" and not item.get("anonymous"):
                sig = f"{item['name']}({','.join(abi_type(i) for i in item['inputs'])})"
                out[keccak(text=sig)] = item
    return out


def _plain(value, typ: str):
    if typ == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_plain(v, typ.rsplit("[", 1)[0]) for v in value]
    return value


def decode_log(log) -> dict | None:
    """{"name", "address", "args"} of one log, or None for an event we do not ship."""
    topics = [bytes(t) for t in log["topics"]]
    item = event_table().get(topics[0]) if topics else None
    if item is None:
        return None
    indexed = [i for i in item["inputs"] if i.get("indexed")]
    plain = [i for i in item["inputs"] if not i.get("indexed")]
    try:
        args = {}
        for inp, topic in zip(indexed, topics[1:], strict=True):
            (args[inp["name"]],) = abi_decode([abi_type(inp)], topic)
        values = abi_decode([abi_type(i) for i in plain], bytes(log["data"]))
        args.update({i["name"]: v for i, v in zip(plain, values, strict=True)})
    except Exception:  # noqa: BLE001 - a log that does not fit its ABI: show it raw
        return None
    types = {i["name"]: abi_type(i) for i in item["inputs"]}
    return {"name": item["name"], "address": to_checksum_address(log["address"]),
            "args": {k: _plain(v, types[k]) for k, v in args.items()}}


def decode_logs(receipt) -> list[dict]:
    """The decoded events of a receipt, in log order (unknown logs left out)."""
    return [e for e in (decode_log(log) for log in receipt.get("logs", [])) if e]
