"""The key id binds the deployed verifier's vkHash() to the Statement (keccak oracle: pysha3)."""
from __future__ import annotations

import pytest
import sha3  # safe-pysha3: an independent keccak-256 implementation

from verifier_contracts import connect, deploy_verifier, key_id, vk_hash
from zk.errors import MalformedInput
from zk.statement import PublicInput, Statement

DIGEST = "ab" * 32


def test_key_id_binds_vkhash_and_statement(snark):
    vk = snark[1][0].vk
    st = Statement("Fixture()", DIGEST, (PublicInput("x", (), 254),))
    chain = connect()
    address = deploy_verifier(chain, vk)
    on_chain = chain.call(address, sha3.keccak_256(b"vkHash()").digest()[:4])
    assert "0x" + on_chain.hex() == vk_hash(vk)
    kid = key_id(vk, st)
    assert kid == sha3.keccak_256(on_chain + st.hash()).digest()
    other = Statement("Fixture()", DIGEST, (PublicInput("y", (), 254),))
    five = Statement("Fixture()", DIGEST, (PublicInput("x", (5,), 254),))
    assert key_id(vk, other) != kid and key_id(snark[5][0].vk, five) != kid
    with pytest.raises(MalformedInput):
        key_id(vk, st.to_json())
    with pytest.raises(MalformedInput, match="1 public inputs, the key 5"):
        key_id(snark[5][0].vk, st)
