"""Exception hierarchy of the toolkit (see ARCHITECTURE.md, Errors)."""
from __future__ import annotations


class ZkError(Exception):
    """Base class of every error raised on purpose by zk-solvency."""


class CircuitDefinitionError(ZkError):
    """A circuit is declared or written wrongly (bool()/== on a variable, bad bits=...)."""


class WitnessError(ZkError):
    """Inputs cannot produce a witness: missing/extra input, value >= r, bad type."""


class UnsatisfiedConstraint(WitnessError):
    """A constraint does not hold; names its index and label, never private values."""

    def __init__(self, index: int, label: str, detail: str = ""):
        self.index = index
        self.label = label
        msg = f"constraint #{index} '{label}' is not satisfied"
        super().__init__(msg + (f": {detail}" if detail else ""))


class MalformedInput(ZkError):
    """Bad lengths or encodings, off-curve points, public input >= r, corrupt files."""


class SetupError(ZkError):
    """A setup/ceremony step cannot be done or its result is refused."""


class ChainError(ZkError):
    """A chain interaction failed (RPC, reverted transaction, missing contract)."""
