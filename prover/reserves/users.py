"""Per-run secrets: each user's salt and file secret derive from one PRIVATE run secret.

``salt = HMAC-SHA512(run_secret, "salt" 0x00 id) mod r`` and
``user_secret = HMAC-SHA256(run_secret, "user" 0x00 id)``: a re-run over the same output
folder rebuilds the same leaves (so finished batches are recognised and skipped), and
neither value tells a user anything about the run secret or other users.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from zk import atomic
from zk.errors import MalformedInput
from zk.field import R

SECRET_NAME = "run-secret"


def private_dir(out_dir: str | Path) -> Path:
    """``<out>/private`` (mode 0700): the run secret, the user index, user secrets."""
    p = Path(out_dir) / "private"
    p.mkdir(parents=True, exist_ok=True)
    os.chmod(p, 0o700)
    return p


def run_secret(out_dir: str | Path) -> bytes:
    """The run secret of this output folder, made on first use (32 bytes, ``secrets``)."""
    path = private_dir(out_dir) / SECRET_NAME
    if path.is_file():
        data = path.read_bytes()
        if len(data) != 32:
            raise MalformedInput(f"{path}: a run secret is 32 bytes")
        return data
    data = secrets.token_bytes(32)
    atomic.write_bytes(path, data)
    os.chmod(path, 0o600)
    return data


def salt_of(secret: bytes, user_id: str) -> int:
    mac = hmac.new(secret, b"salt\0" + user_id.encode("utf-8"), hashlib.sha512).digest()
    return int.from_bytes(mac, "big") % R


def user_secret_of(secret: bytes, user_id: str) -> bytes:
    return hmac.new(secret, b"user\0" + user_id.encode("utf-8"), hashlib.sha256).digest()
