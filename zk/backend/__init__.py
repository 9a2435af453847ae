"""Backend selection: native C extension when built, py-ecc reference otherwise.

``ZK_BACKEND=reference`` or ``ZK_BACKEND=native`` forces one; a missing native
extension falls back to the reference with a one-line warning, never silently.
"""
from __future__ import annotations

import os
import sys

from zk.backend.base import Backend
from zk.errors import ZkError

_cache: dict[str, Backend] = {}


def get_backend(name: str | None = None) -> Backend:
    """The backend named (``native``/``reference``), else from ZK_BACKEND, else the best."""
    name = name or os.environ.get("ZK_BACKEND", "auto")
    if name in _cache:
        return _cache[name]
    if name == "reference":
        backend: Backend = _reference()
    elif name in ("native", "auto"):
        try:
            from zk.backend.native import NativeBackend
            backend = NativeBackend()
        except ImportError as exc:
            if name == "native":
                raise ZkError(f"native backend requested but not available: {exc}") from exc
            print("warning: native backend not built; using the py-ecc reference backend "
                  "(roughly 100x slower)", file=sys.stderr)
            backend = _reference()
    else:
        raise ZkError(f"unknown backend {name!r} (use 'native' or 'reference')")
    _cache[name] = backend
    return backend


def _reference() -> Backend:
    """The pure-Python backend; imported on demand, since it loads py-ecc (~50 ms)."""
    from zk.backend.reference import ReferenceBackend
    return ReferenceBackend()


def __getattr__(name: str):
    if name == "ReferenceBackend":
        from zk.backend.reference import ReferenceBackend
        return ReferenceBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_g2(data: bytes, what: str) -> None:
    """zk.curve.check_g2 (canonical, on the twist, in the r-subgroup, not infinity), run as
    the default backend's batch check: natively microseconds instead of py-ecc's third of
    a second. The exact reference check runs only to word the error of a bad point."""
    from zk import curve
    from zk.errors import MalformedInput
    if len(data) == curve.G2_BYTES and get_backend().check_g2(data, False) == -1:
        return
    curve.check_g2(data, what)
    raise MalformedInput(f"{what}: not a G2 point of the r-subgroup")


__all__ = ["Backend", "ReferenceBackend", "check_g2", "get_backend"]
