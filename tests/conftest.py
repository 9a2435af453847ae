"""Suite-wide fixtures: the backends every Groth16 test body runs on."""
from __future__ import annotations

import os

import pytest

from zk.backend import get_backend

os.environ.setdefault("ZK_PROGRESS", "0")
BACKENDS = ["reference", "native"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Each test using this fixture runs once per backend (no skipping: both must exist)."""
    return get_backend(request.param)


@pytest.fixture
def forge():
    """Build a witness bypassing the solver (see zk.testing.forge_witness)."""
    from zk.testing import forge_witness
    return forge_witness


@pytest.fixture
def failure():
    """Label of the first unsatisfied constraint of a witness, or None."""
    from zk.testing import first_failure
    return first_failure
