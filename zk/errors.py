"""Exception hierarchy of the toolkit (see ARCHITECTURE.md, Errors) and the exit code each
kind of failure maps to (`exit_code`, the one table the CLI and the README use)."""
from __future__ import annotations

#: Exit codes of the command line (README, "Exit codes").
EXIT_OK = 0          # valid, solvent, done
EXIT_CLAIM = 1       # the claim does not hold (invalid proof, not solvent, ...)
EXIT_INPUT = 2       # unparseable input or a usage error
EXIT_CHAIN = 3       # chain/RPC failure, or a revert for a reason other than the claim
EXIT_SIGINT = 130    # interrupted (Ctrl-C)
EXIT_SIGTERM = 143   # terminated (SIGTERM), after a clean shutdown


class ZkError(Exception):
    """Base class of every error raised on purpose by zk-solvency."""

    exit_code = EXIT_INPUT


class CircuitDefinitionError(ZkError):
    """A circuit is declared or written wrongly (bool()/== on a variable, bad bits=...)."""


class WitnessError(ZkError):
    """Inputs cannot produce a witness: missing/extra input, value >= r, bad type."""


class Unprovable(WitnessError):
    """The inputs are well-formed but the statement is false for them (e.g. a position
    below the minimum ratio at these prices): the claim does not hold, exit 1."""

    exit_code = EXIT_CLAIM


class UnsatisfiedConstraint(Unprovable):
    """A constraint does not hold; names its index and label, never private values."""

    def __init__(self, index: int, label: str, detail: str = ""):
        self.index = index
        self.label = label
        msg = f"constraint #{index} '{label}' is not satisfied"
        super().__init__(msg + (f": {detail}" if detail else ""))


class MalformedInput(ZkError):
    """Bad lengths or encodings, off-curve points, public input >= r, corrupt files."""


class UsageError(MalformedInput):
    """The command was used wrongly (a missing chain, key or option)."""


class WrongContract(MalformedInput):
    """The address given holds no code, or not the contract the command expects."""


class SetupError(ZkError):
    """A setup/ceremony step cannot be done or its result is refused."""


class ClaimFailed(ZkError):
    """The claim does not hold: an invalid proof, an account that is not solvent, an
    inclusion that does not match."""

    exit_code = EXIT_CLAIM


class CeremonyInvalid(SetupError):
    """A phase-2 key or one of its contributions fails its check (the claim that the key
    was made honestly from the circuit and the Powers of Tau does not hold)."""

    exit_code = EXIT_CLAIM


class WrongKey(ClaimFailed):
    """A proof made for another key or statement than the one it is checked against."""


class ChainError(ZkError):
    """A chain interaction failed (RPC, reverted transaction, missing contract)."""

    exit_code = EXIT_CHAIN


class Terminated(BaseException):
    """SIGTERM arrived; raised in the main thread so `finally` blocks and atomic writes
    clean up before the process exits with EXIT_SIGTERM."""


def exit_code(exc: BaseException) -> int:
    """The process exit code for an exception (see the EXIT_* table)."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_SIGINT
    if isinstance(exc, Terminated):
        return EXIT_SIGTERM
    if isinstance(exc, ZkError):
        return int(getattr(exc, "exit_code", EXIT_INPUT))
    return EXIT_INPUT
