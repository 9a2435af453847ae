"""Reuse the chain fixtures (embedded EVM and an anvil node on 127.0.0.1)."""
from tests.verifier_contracts.conftest import anvil_url, chain  # noqa: F401
