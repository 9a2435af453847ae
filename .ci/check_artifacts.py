#!/usr/bin/env python3
"""Recompile verifier_contracts/sol/*.sol with the pinned solc-js and compare the shipped
artifacts (bytecode, ABI, source hash, settings). Exit 0 if identical, 1 if not.

    python .ci/check_artifacts.py           # check
    python .ci/check_artifacts.py --write   # rebuild the artifacts after editing a source
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verifier_contracts.artifacts import SOL_DIR, check_artifacts, write_artifacts  # noqa: E402
from zk.errors import ZkError  # noqa: E402


def main(argv: list[str]) -> int:
    try:
        if "--write" in argv:
            for path in write_artifacts():
                print(f"wrote {path.name}")
            return 0
        problems = check_artifacts()
    except ZkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    listed = {p.name for p in SOL_DIR.glob("*.sol")}
    from verifier_contracts.artifacts import CONTRACTS
    unshipped = listed - set(CONTRACTS.values())
    problems += [f"{name}: source has no shipped artifact" for name in sorted(unshipped)]
    for problem in problems:
        print(f"MISMATCH {problem}", file=sys.stderr)
    if not problems:
        print("artifacts match a fresh compile")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
