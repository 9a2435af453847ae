"""Fixtures for the circuit tests: forged witnesses (solver bypassed)."""
from __future__ import annotations

import pytest

from zk.testing import first_failure, forge_witness


@pytest.fixture
def forge():
    return forge_witness


@pytest.fixture
def failure():
    return first_failure
