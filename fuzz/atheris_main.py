"""Run one Atheris harness: ``python -m fuzz.atheris_main NAME [libFuzzer flags] [CORPUS...]``.

The project's packages are imported under Atheris's coverage instrumentation; any
exception outside the project's error classes (``fuzz.targets.ALLOWED``) is a crash.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris


def main(argv: list[str]) -> None:
    if len(argv) >= 2 and not argv[1].startswith("-") and not os.path.exists(argv[1]):
        name, flags = argv[1], argv[2:]
    elif os.environ.get("ZK_FUZZ_HARNESS"):     # a child that libFuzzer's -merge started
        name, flags = os.environ["ZK_FUZZ_HARNESS"], argv[1:]
    else:
        sys.exit("usage: python -m fuzz.atheris_main NAME [libFuzzer flags] [CORPUS...]")
    os.environ["ZK_FUZZ_HARNESS"] = name
    os.environ["ZK_FUZZ_PYTHON"] = sys.executable
    with atheris.instrument_imports(include=["zk", "prover", "circuits",
                                             "verifier_contracts", "fuzz"]):
        import circuits.inclusion  # noqa: F401
        import prover.collateral  # noqa: F401
        import prover.reserves  # noqa: F401
        import prover.workflow  # noqa: F401
        import verifier_contracts.calldata  # noqa: F401
        import verifier_contracts.deploy_state  # noqa: F401
        import verifier_contracts.vk  # noqa: F401
        import zk.formats.iden3  # noqa: F401
        import zk.formats.keyfile  # noqa: F401
        import zk.statement  # noqa: F401
        from fuzz import targets
    if name not in targets.TARGETS:
        sys.exit(f"unknown harness {name!r}; one of: {', '.join(targets.TARGETS)}")
    target, allowed = targets.TARGETS[name], targets.ALLOWED
    try:                      # warm the lazy imports and caches outside the timed runs
        target(b"")
    except allowed:
        pass

    def test_one_input(data: bytes) -> None:
        try:
            target(data)
        except allowed:
            pass

    entry = str(Path(__file__).with_name("atheris_target"))
    atheris.Setup([entry, *flags], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
