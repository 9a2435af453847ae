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
