"""Crash-safe submission intents in SQLite (stdlib sqlite3).

An intent is written (and committed) before a transaction is broadcast: the statement it
proves (registry, account, epoch, policy version, commitment), the nonce, and then every
transaction hash sent for it (a replacement at the same nonce adds one). A statement is a
primary key: it can be submitted once. On restart `open_intents` lists what must be
reconciled with receipts and the registry before anything new is sent.
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS intents (
    statement TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    nonce INTEGER NOT NULL,
    calldata TEXT NOT NULL,
    gas INTEGER NOT NULL,
    tx_hashes TEXT NOT NULL DEFAULT '[]',
    gas_price INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS cursor (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
OPEN, DONE, FAILED = "open", "done", "failed"


class IntentStore:
    """The monitor's SQLite state file; every write is committed before returning."""

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(self, statement: str, account: str, epoch: int, nonce: int, calldata: bytes,
               gas: int) -> None:
        """The intent, before the transaction is sent; IntegrityError if it exists."""
        now = time.time()
        self.db.execute("INSERT INTO intents (statement, account, epoch, nonce, calldata, gas,"
                        " status, created, updated) VALUES (?,?,?,?,?,?,?,?,?)",
                        (statement, account, epoch, nonce, calldata.hex(), gas, OPEN, now,
                         now))

    def add_hash(self, statement: str, tx_hash: str, gas_price: int) -> None:
        hashes = self.get(statement)["tx_hashes"] + [tx_hash]
        self.db.execute("UPDATE intents SET tx_hashes=?, gas_price=?, updated=? "
                        "WHERE statement=?", (json.dumps(hashes), gas_price, time.time(),
                                              statement))

    def finish(self, statement: str, status: str) -> None:
        self.db.execute("UPDATE intents SET status=?, updated=? WHERE statement=?",
                        (status, time.time(), statement))

    def forget(self, statement: str) -> None:
        """Drop an intent none of whose transactions was mined (its nonce went to another
        transaction): the statement was never submitted, so it may be sent again."""
        self.db.execute("DELETE FROM intents WHERE statement=?", (statement,))

    def get(self, statement: str) -> dict | None:
        row = self.db.execute("SELECT statement, account, epoch, nonce, calldata, gas, "
                              "tx_hashes, gas_price, status, created, updated FROM intents "
                              "WHERE statement=?", (statement,)).fetchone()
        return None if row is None else _row(row)

    def open_intents(self, account: str | None = None) -> list[dict]:
        q = ("SELECT statement, account, epoch, nonce, calldata, gas, tx_hashes, gas_price, "
             "status, created, updated FROM intents WHERE status=?")
        args: tuple = (OPEN,)
        if account is not None:
            q, args = q + " AND account=?", (OPEN, account)
        return [_row(r) for r in self.db.execute(q + " ORDER BY nonce", args)]

    def count(self, status: str | None = None) -> int:
        if status is None:
            return self.db.execute("SELECT COUNT(*) FROM intents").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM intents WHERE status=?",
                               (status,)).fetchone()[0]

    def cursor(self, name: str) -> int | None:
        row = self.db.execute("SELECT value FROM cursor WHERE name=?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def set_cursor(self, name: str, value: int) -> None:
        self.db.execute("INSERT INTO cursor (name, value) VALUES (?, ?) ON CONFLICT(name) "
                        "DO UPDATE SET value=excluded.value", (name, value))


def _row(r) -> dict:
    keys = ("statement", "account", "epoch", "nonce", "calldata", "gas", "tx_hashes",
            "gas_price", "status", "created", "updated")
    out = dict(zip(keys, r))
    out["tx_hashes"] = json.loads(out["tx_hashes"])
    out["calldata"] = bytes.fromhex(out["calldata"])
    return out
