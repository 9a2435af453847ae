"""SolvencyRegistry in both binding modes with real Groth16 proofs from our prover, on the
embedded EVM and on anvil: binding, freshness, replay, policy, roles and error arguments.

REGISTERED mode runs the shipped CollateralRatio circuit, ATTESTED mode the shipped
AttestedCollateralRatio with EdDSA-Poseidon attestations (tests/verifier_contracts/anchored.py).
"""
from __future__ import annotations

import pytest

from tests.verifier_contracts import anchored as A
from verifier_contracts import (
    ATTESTED,
    REGISTERED,
    ContractRevert,
    add_attester,
    deploy_attester_registry,
    deploy_registry,
    deploy_verifier,
    is_allowed,
    is_solvent,
    post_prices,
    record_position,
    revoke_attester,
    set_policy,
    solvency_of,
    status,
    submit,
    verify_on_chain,
)
from verifier_contracts.abi import encode_fn, role_id
from verifier_contracts.calldata import proof_args
from verifier_contracts.registry import encode_call, grant_role, has_role, read
from zk.errors import WitnessError
from zk.field import R

GRACE, MAX_VALIDITY, MAX_AGE = 600, 7200, 3600


def reverts(name, fn, *args, **kw) -> tuple:
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)
    assert err.value.name == name, str(err.value)
    return tuple(a.lower() if isinstance(a, str) else a for a in err.value.args_)


@pytest.fixture(scope="module")
def roles(chain):
    admin, oracle, prover, other = (chain.with_key(k) for k in chain.dev_keys[:4])
    return dict(admin=admin, oracle=oracle, prover=prover, other=other)


@pytest.fixture(scope="module")
def attested(chain, roles):
    keys = A.attested_keys()
    admin = roles["admin"]
    attesters = deploy_attester_registry(admin, admin_delay=0)
    verifier = deploy_verifier(chain, keys.vk_json, self_test=False)
    reg = deploy_registry(admin, verifier, keys.vk_json, keys.statement, mode=ATTESTED,
                          haircuts_bps=A.HAIRCUTS, min_ratio_bps=A.RATIO,
                          attester_registry=attesters, oracle=roles["oracle"].address,
                          grace=GRACE, max_validity=MAX_VALIDITY, max_attestation_age=MAX_AGE,
                          dev_keys=True)
    good, unknown = A.attester_key(A.GOOD_ATTESTER), A.attester_key(A.UNKNOWN_ATTESTER)
    add_attester(admin, attesters, *good)
    return dict(keys=keys, reg=reg, attesters=attesters, verifier=verifier, good=good,
                unknown=unknown)


def prove_attested(s, roles, as_of, *, attester=A.GOOD_ATTESTER, who="prover", **kw):
    p = roles[who]
    return s["keys"].prove(A.attested_inputs(p.address, p.chain_id, s["reg"], attester, as_of,
                                             **kw))


def test_attested_mode(chain, roles, attested):
    s, reg = attested, attested["reg"]
    admin, oracle, prover, other = (roles[k] for k in ("admin", "oracle", "prover", "other"))
    acct = prover.address
    now = chain.timestamp()

    # validUntil is capped at maxValidity seconds from posting
    cap_args = reverts("ValidityTooLong", post_prices, oracle, reg, 1, A.CP, A.DP,
                       now + MAX_VALIDITY + 100)
    assert cap_args[1] == now + MAX_VALIDITY + 100 and 0 < cap_args[1] - cap_args[0] <= 100
    post_prices(oracle, reg, 1, A.CP, A.DP, chain.timestamp() + MAX_VALIDITY - 60)

    # a made-up position (debt 0, new salt) signed with the borrower's own key is refused
    # on-chain; with the real attester's signature of the real position the circuit refuses
    now = chain.timestamp()
    made_up = dict(debts=[0], salt=1111)
    assert reverts("UnknownAttester", submit, prover, reg, *prove_attested(
        s, roles, now - 10, attester=A.UNKNOWN_ATTESTER, **made_up)) == s["unknown"]
    with pytest.raises(WitnessError, match="attestation"):
        s["keys"].prove(A.attested_inputs(acct, prover.chain_id, reg, A.GOOD_ATTESTER,
                                          now - 10, signed={}, **made_up))
    assert not is_solvent(prover, reg, acct)
    stale_as_of = chain.timestamp() - MAX_AGE - 100
    got, oldest = reverts("StaleAttestation", submit, prover, reg,
                          *prove_attested(s, roles, stale_as_of))
    assert got == stale_as_of and 0 < oldest - stale_as_of <= 100
    assert reverts("FutureAttestation", submit, prover, reg,
                   *prove_attested(s, roles, chain.timestamp() + 1000))[1] \
        == chain.timestamp() + 1000

    # every statement field is checked, each error carrying expected and actual values
    cid = prover.chain_id
    assert reverts("WrongProver", submit, other, reg, *prove_attested(s, roles, now - 5)) \
        == (int(other.address, 16), int(acct, 16))
    assert reverts("WrongChain", submit, prover, reg, *s["keys"].prove(A.attested_inputs(
        acct, cid + 1, reg, A.GOOD_ATTESTER, now - 5))) == (cid, cid + 1)
    assert reverts("WrongRegistry", submit, prover, reg, *s["keys"].prove(A.attested_inputs(
        acct, cid, s["verifier"], A.GOOD_ATTESTER, now - 5))) \
        == (int(reg, 16), int(s["verifier"], 16))
    assert reverts("PriceMismatch", submit, prover, reg, *prove_attested(
        s, roles, now - 5, dp=[A.DP[0] + 1])) == (4, A.DP[0], A.DP[0] + 1)
    assert reverts("HaircutBelowPolicy", submit, prover, reg, *prove_attested(
        s, roles, now - 5, haircuts=[A.HAIRCUTS[0], 999])) == (3, A.HAIRCUTS[1], 999)
    assert reverts("RatioBelowPolicy", submit, prover, reg, *prove_attested(
        s, roles, now - 5, ratio=A.RATIO - 1)) == (A.RATIO, A.RATIO - 1)
    assert reverts("StaleEpoch", submit, prover, reg, *prove_attested(
        s, roles, now - 5, epoch=2)) == (1, 2)

    # the real thing
    t1 = chain.timestamp() - 30
    proof1, pub1 = prove_attested(s, roles, t1)
    bad = dict(proof1, pi_c=proof1["pi_a"])
    reverts("InvalidProof", submit, prover, reg, bad, pub1)
    assert not is_solvent(prover, reg, acct)
    submit(prover, reg, proof1, pub1)
    assert is_solvent(other, reg, acct)
    got = solvency_of(other, reg, acct)
    assert (got["epoch"], got["as_of"], got["policy_version"]) == (1, t1, 1)
    assert (got["attester_ax"], got["attester_ay"]) == s["good"] and got["commitment"] == 0
    assert got["valid_until"] == read(other, reg, "snapshot", 1)[2]

    # replay keys on (account, epoch, as_of): same bytes, re-randomised bytes and a fresh
    # proof of the same statement are all refused, as is an earlier as_of
    again = A.rerandomise(proof1)
    assert again != proof1 and verify_on_chain(chain, s["verifier"], again, pub1)
    for proof, pub in ((proof1, pub1), (again, pub1), prove_attested(s, roles, t1),
                       prove_attested(s, roles, t1 - 1)):
        assert reverts("AsOfNotLater", submit, prover, reg, proof, pub)[0] == t1
    # a later as_of replaces it within the epoch
    t2 = chain.timestamp() - 1
    submit(prover, reg, *prove_attested(s, roles, t2))
    assert solvency_of(other, reg, acct)["as_of"] == t2 and is_solvent(other, reg, acct)

    # policy: loosening keeps it valid, tightening invalidates, undoing restores
    set_policy(admin, reg, [A.HAIRCUTS[0] - 100, A.HAIRCUTS[1]], A.RATIO - 1000)
    assert is_solvent(other, reg, acct)
    set_policy(admin, reg, A.HAIRCUTS, A.RATIO + 1)
    assert not is_solvent(other, reg, acct)
    set_policy(admin, reg, A.HAIRCUTS, A.RATIO)
    assert is_solvent(other, reg, acct)
    set_policy(admin, reg, [A.HAIRCUTS[0], A.HAIRCUTS[1] + 1], A.RATIO)
    assert not is_solvent(other, reg, acct)
    set_policy(admin, reg, A.HAIRCUTS, A.RATIO)
    assert is_solvent(other, reg, acct)

    # revoking the attester withdraws the proof; re-allowing it restores it
    revoke_attester(admin, s["attesters"], *s["good"])
    assert not is_allowed(other, s["attesters"], *s["good"])
    assert not is_solvent(other, reg, acct)
    add_attester(admin, s["attesters"], *s["good"])
    assert is_solvent(other, reg, acct)

    # epoch e+1: the old proof counts for `grace` seconds, then no more
    post_prices(oracle, reg, 2, A.CP, A.DP, chain.timestamp() + MAX_VALIDITY - 60)
    assert is_solvent(other, reg, acct)
    reverts("StaleEpoch", submit, prover, reg, *prove_attested(s, roles, t2 + 1))
    chain.increase_time(GRACE + 1)
    assert not is_solvent(other, reg, acct)
    assert status(other, reg, acct)["proven"]["epoch"] == 1

    # a proof in epoch 2 counts until its snapshot expires
    submit(prover, reg, *prove_attested(s, roles, chain.timestamp() - 1, epoch=2))
    assert is_solvent(other, reg, acct)
    chain.increase_time(MAX_VALIDITY)
    assert not is_solvent(other, reg, acct)
    reverts("PricesExpired", submit, other, reg, *prove_attested(
        s, roles, chain.timestamp() - 1, epoch=2, who="other"))


def test_attested_roles(chain, roles, attested):
    s, reg = attested, attested["reg"]
    admin, oracle, other = roles["admin"], roles["oracle"], roles["other"]
    oracle_role = role_id("ORACLE_ROLE")
    assert reverts("AccessControlUnauthorizedAccount", post_prices, other, reg, 9, A.CP, A.DP,
                   chain.timestamp() + 60) == (other.address.lower(), oracle_role)
    assert reverts("AccessControlUnauthorizedAccount", set_policy, oracle, reg, A.HAIRCUTS,
                   A.RATIO) == (oracle.address.lower(), bytes(32))
    assert reverts("AccessControlUnauthorizedAccount", add_attester, other, s["attesters"],
                   *s["unknown"]) == (other.address.lower(), role_id("ATTESTER_ADMIN_ROLE"))
    assert reverts("AccessControlUnauthorizedAccount", record_position, admin, reg,
                   other.address, 5)[1] == role_id("POSITION_MANAGER_ROLE")
    grant_role(admin, reg, "POSITION_MANAGER_ROLE", admin.address)
    assert reverts("WrongMode", record_position, admin, reg, other.address, 5) == (1, 0)
    # the default admin moves only through the two-step transfer
    reverts("AccessControlEnforcedDefaultAdminRules", grant_role, admin, reg,
            "DEFAULT_ADMIN_ROLE", other.address)
    assert not has_role(admin, reg, "ORACLE_ROLE", other.address)
    grant_role(admin, reg, "ORACLE_ROLE", other.address)
    assert has_role(admin, reg, "ORACLE_ROLE", other.address)
    # attester keys: on the curve, not the identity, not twice; small order refused locally
    reverts("AlreadyAllowed", add_attester, admin, s["attesters"], *s["good"])
    off = (s["good"][0], s["good"][1] + 1)
    assert reverts("NotOnCurve", admin.send, s["attesters"],
                   encode_fn("AttesterRegistry", "addAttester", list(off))) == off
    with pytest.raises(Exception, match="small order"):
        add_attester(admin, s["attesters"], 0, R - 1)       # order 2
    assert reverts("NotAllowed", revoke_attester, admin, s["attesters"], *s["unknown"]) \
        == s["unknown"]


def test_malformed_input_vectors(chain, roles, attested):
    reg, prover = attested["reg"], roles["prover"]
    proof, pub = prove_attested(attested, roles, chain.timestamp() - 5)
    a, b, c, words = proof_args(proof, pub)
    for index, value in ((0, R), (5, R + 1), (len(words) - 1, 2**256 - 1)):
        bad = list(words)
        bad[index] = value
        assert reverts("InputNotInField", prover.call, reg,
                       encode_call("submit", [a, b, c, bad])) == (index, value)
    assert reverts("BadInputLength", prover.call, reg,
                   encode_call("submit", [a, b, c, words[:-1]])) == (14, 13)


@pytest.fixture(scope="module")
def registered(chain, roles):
    keys = A.collateral_keys()
    admin = roles["admin"]
    verifier = deploy_verifier(chain, keys.vk_json, self_test=False)
    reg = deploy_registry(admin, verifier, keys.vk_json, keys.statement, mode=REGISTERED,
                          haircuts_bps=A.HAIRCUTS, min_ratio_bps=A.RATIO,
                          oracle=roles["oracle"].address, grace=GRACE,
                          max_validity=MAX_VALIDITY, dev_keys=True)
    return dict(keys=keys, reg=reg, verifier=verifier)


def test_registered_mode(chain, roles, registered):
    keys, reg = registered["keys"], registered["reg"]
    manager, oracle, prover, other = (roles[k] for k in ("admin", "oracle", "prover", "other"))
    acct, cid = prover.address, prover.chain_id
    post_prices(oracle, reg, 1, A.CP, A.DP, chain.timestamp() + 3600)
    real = A.collateral_inputs(acct, cid, reg)
    proof, pub = keys.prove(real)
    # nothing recorded yet
    assert reverts("CommitmentMismatch", submit, prover, reg, proof, pub) == (0, A.commitment())
    record_position(manager, reg, acct, A.commitment())
    # the borrower proves a made-up position (debt 0, another salt): refused
    fake = A.collateral_inputs(acct, cid, reg, debts=[0], salt=1111)
    assert reverts("CommitmentMismatch", submit, prover, reg, *keys.prove(fake)) \
        == (A.commitment(), A.commitment(debts=[0], salt=1111))
    assert not is_solvent(other, reg, acct)
    submit(prover, reg, proof, pub)
    assert is_solvent(other, reg, acct)
    got = solvency_of(other, reg, acct)
    recorded_at = read(other, reg, "positionOf", acct)[1]
    assert got["commitment"] == A.commitment() and got["as_of"] == recorded_at
    assert (got["attester_ax"], got["attester_ay"], got["epoch"]) == (0, 0, 1)
    # replay of the same statement (same record) refused, in any encoding
    assert reverts("AsOfNotLater", submit, prover, reg, A.rerandomise(proof), pub) \
        == (recorded_at, recorded_at)
    # the position changes: the old proof stops counting until the new one is proven
    chain.increase_time(5)
    bigger = dict(amounts=[2 * 10**18, 5 * 10**7], debts=[1500 * 10**6], salt=77)
    record_position(manager, reg, acct, A.commitment(**bigger))
    assert not is_solvent(other, reg, acct)
    reverts("CommitmentMismatch", submit, prover, reg, proof, pub)
    submit(prover, reg, *keys.prove(A.collateral_inputs(acct, cid, reg, **bigger)))
    assert is_solvent(other, reg, acct)
    assert solvency_of(other, reg, acct)["as_of"] > recorded_at
    # policy tightening and the epoch rule hold here too
    set_policy(manager, reg, A.HAIRCUTS, A.RATIO + 500)
    assert not is_solvent(other, reg, acct)
    set_policy(manager, reg, A.HAIRCUTS, A.RATIO)
    assert is_solvent(other, reg, acct)
    post_prices(oracle, reg, 2, A.CP, A.DP, chain.timestamp() + 3600)
    assert is_solvent(other, reg, acct)
    chain.increase_time(GRACE + 1)
    assert not is_solvent(other, reg, acct)
    # closing the position (commitment 0) leaves nothing provable
    record_position(manager, reg, acct, 0)
    assert reverts("CommitmentMismatch", submit, prover, reg, *keys.prove(
        A.collateral_inputs(acct, cid, reg, epoch=2))) == (0, A.commitment())
