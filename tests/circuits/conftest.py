"""Fixtures for the circuit tests: forged witnesses (solver bypassed)."""
from __future__ import annotations


