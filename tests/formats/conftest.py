"""Fixtures shared by the iden3 format and ceremony tests (snarkjs/circom2 artifacts)."""
from __future__ import annotations

import pytest

from tests.formats import iden3_env as env
from zk.backend import get_backend


@pytest.fixture(scope="session")
def ptau_path(tmp_path_factory):
    return env.ptau(tmp_path_factory)


@pytest.fixture(scope="session")
def circuits(tmp_path_factory):
    """Function name -> compiled circuit paths (cached for the session)."""
    return lambda name, optimize="--O2": env.compile_circuit(tmp_path_factory, name, optimize)


@pytest.fixture(scope="session")
def ref():
    """The py-ecc reference backend, for tests that are not about backends."""
    return get_backend("reference")


@pytest.fixture(scope="session")
def fast():
    """The default backend (native when built) for MSM-only work; pairings use ``ref``."""
    return get_backend()
