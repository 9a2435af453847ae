"""The inclusion page's JSON-RPC path in headless Chromium against a real anvil node
(file:// page -> http://127.0.0.1): chain id check, calldata, errors."""
from __future__ import annotations

import pytest

from tests.verifier_contracts.conftest import _free_port, anvil_url  # noqa: F401 (fixture)
from tests.web.conftest import check
from tests.web.reserves_fixture import sample


@pytest.fixture(scope="module")
def reserves():
    return sample()


def test_wrong_chain_is_the_reason(page, anvil_url, reserves):  # noqa: F811
    inc = reserves.inclusion(0)
    inc["statement"]["chain_id"] = "1"
    out = check(page, inc, rpc=anvil_url)
    assert out["verdict"] == "Not included"
    assert out["reasons"] == ["chain"]
    assert "RPC serves chain 31337, the file's statement is for chain 1" in out["texts"][0]


def test_registry_without_code_is_named(page, anvil_url, reserves):  # noqa: F811
    out = check(page, reserves.inclusion(0), rpc=anvil_url)
    assert "no ReservesRegistry at this address on this chain" in out["error"]


def test_unreachable_rpc_and_bad_url(page, reserves):
    inc = reserves.inclusion(0)
    assert "cannot reach the JSON-RPC URL" in check(
        page, inc, rpc=f"http://127.0.0.1:{_free_port()}")["error"]
    assert "must start with http:// or https://" in check(page, inc, rpc="file:///etc/passwd")["error"]
    assert all(u.startswith(("file://", "http://127.0.0.1")) for u in page.requests)
