"""The deployed Groth16 verifier on the embedded EVM and on anvil: accept and reject."""
from __future__ import annotations

import pytest

from verifier_contracts import (
    ContractRevert,
    deploy_verifier,
    encode_verify_call,
    verify_on_chain,
    vk_hash,
)
from verifier_contracts.calldata import proof_args, raw_verify_call
from verifier_contracts.verifier import NPUBLIC_SELECTOR, VKHASH_SELECTOR
from zk.field import Q, R

TRUE, FALSE = (1).to_bytes(32, "big"), bytes(32)


def _words(proof, public):
    a, b, c, pub = proof_args(proof, public)
    return a + b[0] + b[1] + c + pub


@pytest.fixture(scope="module")
def deployed(chain, snark):
    fx, proof, public = snark[5]
    address = deploy_verifier(chain, fx.vk, self_test=False)
    return chain, address, proof, public, _words(proof, public)


def _call(chain, address, words, n=5):
    return chain.call(address, raw_verify_call(words, n))


def test_valid_proof_and_views(deployed, snark):
    chain, address, proof, public, words = deployed
    assert verify_on_chain(chain, address, proof, public) is True
    assert "0x" + chain.call(address, VKHASH_SELECTOR).hex() == vk_hash(snark[5][0].vk)
    assert int.from_bytes(chain.call(address, NPUBLIC_SELECTOR), "big") == 5


@pytest.mark.parametrize("value", [R, R + 1, 2**256 - 1])
@pytest.mark.parametrize("index", [0, 4])
def test_public_input_not_in_field(deployed, index, value):
    chain, address, _, _, words = deployed
    bad = list(words)
    bad[8 + index] = value
    assert _call(chain, address, bad) == FALSE


@pytest.mark.parametrize("coord", range(8))
@pytest.mark.parametrize("shift", [Q, 2 * Q, 4 * Q])
def test_coordinate_aliases_rejected(deployed, coord, shift):
    """x + k*q encodes the same field element; every coordinate must be < q."""
    chain, address, _, _, words = deployed
    bad = list(words)
    bad[coord] += shift
    assert bad[coord] < 2**256
    assert _call(chain, address, bad) == FALSE


def test_coordinate_q_minus_one_and_q(deployed):
    chain, address, _, _, words = deployed
    for value in (Q - 1, Q):
        bad = list(words)
        bad[1] = value
        assert _call(chain, address, bad) == FALSE


def test_tampered_and_swapped_points(deployed):
    chain, address, _, _, words = deployed
    a, b, c = words[0:2], words[2:6], words[6:8]
    rest = words[8:]
    swapped_ac = c + b + a + rest                      # valid points, wrong proof
    swapped_limbs = a + [b[1], b[0], b[3], b[2]] + c + rest   # snarkjs order, not EVM order
    neg_a = [a[0], Q - a[1]] + b + c + rest             # -A: on curve, wrong proof
    off_curve = [a[0], (a[1] + 1) % Q] + b + c + rest
    infinity = [0, 0] + b + c + rest
    b_as_g1 = a + a + a + c + rest
    for bad in (swapped_ac, swapped_limbs, neg_a, off_curve, infinity, b_as_g1):
        assert _call(chain, address, bad) == FALSE


def test_tampered_c_and_other_inputs(deployed):
    chain, address, _, _, words = deployed
    bad = list(words)
    bad[6:8] = words[0:2]                               # C := A
    assert _call(chain, address, bad) == FALSE
    bad = list(words)
    bad[8] += 1                                         # another statement
    assert _call(chain, address, bad) == FALSE


def test_wrong_number_of_inputs(deployed):
    chain, address, _, _, words = deployed
    for n, body in ((4, words[:-1]), (6, words + [1]), (0, words[:8])):
        with pytest.raises(ContractRevert) as err:
            chain.call(address, raw_verify_call(body, n))
        assert err.value.name == "UnknownSelector"
    # the right selector with a wrong calldata size
    with pytest.raises(ContractRevert) as err:
        chain.call(address, raw_verify_call(words[:-1], 5))
    assert err.value.name == "BadCalldataLength"
    assert err.value.args_ == (4 + 32 * 12, 4 + 32 * 13)


def test_out_of_gas_never_valid(deployed):
    """With too little gas the pairing fails: the result is false or a revert, never true."""
    chain, address, proof, public, _ = deployed
    data = encode_verify_call(proof, public)
    for gas in (60_000, 150_000, 200_000):
        try:
            out = chain.call(address, data, gas=gas)
        except Exception:  # noqa: BLE001 - a revert or out-of-gas error is fine
            continue
        assert out != TRUE


def test_other_key_rejects_proof(chain, snark):
    """A valid proof for one key is rejected by a verifier for another key of the same size."""
    fx20, proof20, public20 = snark[20]
    fx11, proof11, public11 = snark[11]
    address = deploy_verifier(chain, fx11.vk, self_test=False)
    assert verify_on_chain(chain, address, proof11, public11)
    with pytest.raises(ContractRevert):
        chain.call(address, encode_verify_call(proof20, public20))
