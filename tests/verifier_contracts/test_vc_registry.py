"""SolvencyRegistry end to end with real snarkjs proofs, on the embedded EVM and on anvil.

The stand-in circuit has the collateral-ratio layout for n_c=2, n_d=1 (N=11); its public
inputs only need to be consistent, so each statement below is really provable.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_abi import encode as abi_encode

from verifier_contracts import (
    ContractRevert,
    deploy_registry,
    deploy_verifier,
    is_solvent,
    post_prices,
    set_policy,
    statement_nullifier,
    status,
    submit,
)
from verifier_contracts.registry import encode_call, read
from zk.field import R

CP, DP = [2000 * 10**8, 10**8], [10**8]
HAIRCUTS, RATIO = [500, 1000], 15000


@pytest.fixture(scope="module")
def setup(chain, snark):
    fx = snark[11][0]
    admin, oracle, prover, other = (chain.with_key(k) for k in chain.dev_keys[:4])
    verifier = deploy_verifier(chain, fx.vk)  # includes the precompile self-test
    registry = deploy_registry(admin, verifier, fx.vk, 2, 1, HAIRCUTS, RATIO,
                               oracle=oracle.address)
    return dict(fx=fx, admin=admin, oracle=oracle, prover=prover, other=other,
                registry=registry, verifier=verifier)


def statement(s, **changes) -> list[int]:
    v = dict(cp=CP, h=HAIRCUTS, dp=DP, ratio=RATIO, epoch=1, prover=s["prover"].address,
             chain_id=s["prover"].chain_id, registry=s["registry"])
    v.update(changes)
    return (list(v["cp"]) + list(v["h"]) + list(v["dp"])
            + [v["ratio"], v["epoch"], int(v["prover"], 16), v["chain_id"], int(v["registry"], 16)])


def prove_all(fx, statements: dict) -> dict:
    with ThreadPoolExecutor(2) as pool:
        jobs = {k: pool.submit(fx.prove, st, 11, f"{k}-{id(statements)}")
                for k, st in statements.items()}
        return {k: j.result() for k, j in jobs.items()}


def reverts(name, fn, *args, **kw):
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)
    assert err.value.name == name, str(err.value)
    return err.value


def test_registry_lifecycle(setup):
    s = setup
    names = ("fx", "admin", "oracle", "prover", "other", "registry")
    fx, admin, oracle, prover, other, reg = (s[k] for k in names)
    assert not is_solvent(prover, reg, prover.address)
    proofs = prove_all(fx, {
        "good": statement(s), "again": statement(s),
        "chain": statement(s, chain_id=s["prover"].chain_id + 1),
        "registry": statement(s, registry=s["verifier"]),
        "price": statement(s, cp=[CP[0] + 1, CP[1]]),
        "debt": statement(s, dp=[DP[0] - 1]),
        "ratio": statement(s, ratio=RATIO - 1),
        "haircut": statement(s, h=[HAIRCUTS[0], HAIRCUTS[1] - 1]),
        "epoch0": statement(s, epoch=0), "epoch2": statement(s, epoch=2),
    })
    reverts("NoPrices", submit, prover, reg, *proofs["epoch0"])

    # roles
    reverts("NotOracle", post_prices, admin, reg, 1, CP, DP, admin.timestamp() + 3600)
    reverts("NotAdmin", set_policy, prover, reg, HAIRCUTS, RATIO)
    valid_until = oracle.timestamp() + 3600
    post_prices(oracle, reg, 1, CP, DP, valid_until)
    reverts("EpochNotIncreasing", post_prices, oracle, reg, 1, CP, DP, valid_until)

    # every binding and policy check has its named error, with valid proofs
    reverts("WrongChain", submit, prover, reg, *proofs["chain"])
    reverts("WrongRegistry", submit, prover, reg, *proofs["registry"])
    assert reverts("PriceMismatch", submit, prover, reg, *proofs["price"]).args_ == (0,)
    assert reverts("PriceMismatch", submit, prover, reg, *proofs["debt"]).args_ == (4,)
    reverts("RatioBelowPolicy", submit, prover, reg, *proofs["ratio"])
    assert reverts("HaircutBelowPolicy", submit, prover, reg, *proofs["haircut"]).args_ == (1,)
    reverts("StaleEpoch", submit, prover, reg, *proofs["epoch2"])
    reverts("WrongProver", submit, other, reg, *proofs["good"])

    # malformed input vectors and an invalid proof for the right statement
    good_proof, good_public = proofs["good"]
    _raw_submit_reverts(prover, reg, good_proof, good_public)
    forged = dict(good_proof, pi_a=good_proof["pi_c"], pi_c=good_proof["pi_a"])
    reverts("InvalidProof", submit, prover, reg, forged, good_public)

    receipt = submit(prover, reg, good_proof, good_public)
    assert receipt["status"] == 1
    assert is_solvent(other, reg, prover.address)
    st = status(other, reg, prover.address)
    assert st["solvent"] and st["solvent_until"] == valid_until and st["current_epoch"] == 1
    nullifier = statement_nullifier(prover.address, 1, prover.chain_id, reg)
    assert read(prover, reg, "nullifierUsed", nullifier) is True
    assert bytes(read(prover, reg, "statementNullifier", prover.address, 1)) == nullifier

    # replay: the same proof and a re-randomised proof of the same statement
    reverts("AlreadySubmitted", submit, prover, reg, good_proof, good_public)
    assert proofs["again"][0] != good_proof
    reverts("AlreadySubmitted", submit, prover, reg, *proofs["again"])

    # expiry, then a new epoch makes the old proof stale
    prover.increase_time(3601)
    assert not is_solvent(prover, reg, prover.address)
    post_prices(oracle, reg, 2, CP, DP, oracle.timestamp() + 100)
    reverts("StaleEpoch", submit, prover, reg, good_proof, good_public)
    prover.increase_time(200)
    reverts("PricesExpired", submit, prover, reg, *proofs["epoch2"])


def _raw_submit_reverts(prover, reg, proof, public):
    from verifier_contracts.calldata import proof_args

    a, b, c, pub = proof_args(proof, public)
    for index, value in ((0, R), (5, R + 1), (10, 2**256 - 1)):
        bad = list(pub)
        bad[index] = value
        err = reverts("InputNotInField", prover.call, reg, encode_call("submit", [a, b, c, bad]))
        assert err.args_ == (index,)
    err = reverts("BadInputLength", prover.call, reg, encode_call("submit", [a, b, c, pub[:-1]]))
    assert err.args_ == (10, 11)


def test_registry_rejects_mismatched_verifier(chain, snark):
    fx5, fx11 = snark[5][0], snark[11][0]
    verifier5 = deploy_verifier(chain, fx5.vk, self_test=False)
    from verifier_contracts.artifacts import creation_code
    from verifier_contracts.vk import vk_hash

    args = [verifier5, 2, 1, bytes.fromhex(vk_hash(fx11.vk)[2:]), chain.address,
            chain.address, HAIRCUTS, RATIO]
    code = creation_code("SolvencyRegistry") + abi_encode(
        ["address", "uint256", "uint256", "bytes32", "address", "address", "uint256[]",
         "uint256"], args)
    reverts("VerifierMismatch", chain.deploy, code)
