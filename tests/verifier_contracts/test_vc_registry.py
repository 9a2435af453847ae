"""SolvencyRegistry (on the epoch oracle), in both binding modes and both
circuit kinds, with real Groth16 proofs from our prover, on the embedded EVM and on anvil:
binding, freshness, replay, policy timelock, breaker, credit, module re-pointing, roles and
error arguments.

REGISTERED mode runs the shipped CollateralRatio / CreditCapacity circuits, ATTESTED mode
AttestedCollateralRatio with EdDSA-Poseidon attestations (tests/verifier_contracts/anchored.py).
Prices come from a pushed-price EpochOracle (verifier_contracts.oracle).
"""
from __future__ import annotations

import pytest

from tests.verifier_contracts import anchored as A
from verifier_contracts import (
    ContractRevert,
    add_attester,
    deploy_attester_registry,
    deploy_verifier,
    is_allowed,
    revoke_attester,
    verify_on_chain,
)
from verifier_contracts import oracle as O
from verifier_contracts.abi import role_id
from verifier_contracts.calldata import proof_args
from verifier_contracts.registry import (
    ATTESTED,
    CREDIT,
    REGISTERED,
    SOLVENCY,
    activate_module,
    credit_of,
    deploy_module,
    deploy_registry,
    encode_call,
    grant_role,
    has_role,
    is_solvent,
    module_of,
    policy,
    queue_module,
    read,
    record_position,
    requirements_for,
    set_policy,
    solvency_of,
    status,
    submit,
    submit_credit,
)
from verifier_contracts.risk import CAUSES
from zk.errors import MalformedInput, WitnessError
from zk.field import R

GRACE, MAX_AGE, TIMELOCK = 600, 3600, 300


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
    oracle = A.make_oracle(roles["oracle"])
    reg = deploy_registry(admin, verifier, keys.vk_json, keys.statement, oracle=oracle,
                          mode=ATTESTED, haircuts_bps=A.HAIRCUTS, min_ratio_bps=A.RATIO,
                          attester_registry=attesters, grace=GRACE, max_attestation_age=MAX_AGE,
                          timelock_delay=TIMELOCK, dev_keys=True)
    good, unknown = A.attester_key(A.GOOD_ATTESTER), A.attester_key(A.UNKNOWN_ATTESTER)
    add_attester(admin, attesters, *good)
    return dict(keys=keys, reg=reg, attesters=attesters, verifier=verifier, good=good,
                unknown=unknown, oracle=oracle)


def prove_attested(s, roles, as_of, *, attester=A.GOOD_ATTESTER, who="prover", **kw):
    p = roles[who]
    return s["keys"].prove(A.attested_inputs(p.address, p.chain_id, s["reg"], attester, as_of,
                                             **kw))


def test_attested_mode(chain, roles, attested):
    s, reg = attested, attested["reg"]
    admin, oracle, prover, other = (roles[k] for k in ("admin", "oracle", "prover", "other"))
    acct = prover.address
    # nothing to prove against before the oracle's first epoch
    assert reverts("StaleEpoch", submit, prover, reg, *prove_attested(
        s, roles, chain.timestamp() - 5)) == (0, 1)
    e1 = A.open_epoch(oracle, s["oracle"])
    assert e1 == 1 and requirements_for(other, reg, e1) == (A.HAIRCUTS, A.RATIO)

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
        s, roles, now - 5, dp=[A.DP[0] + 1])) == (2, A.DP[0], A.DP[0] + 1)
    assert reverts("HaircutBelowPolicy", submit, prover, reg, *prove_attested(
        s, roles, now - 5, haircuts=[A.HAIRCUTS[0], 999])) == (1, A.HAIRCUTS[1], 999)
    assert reverts("RatioBelowPolicy", submit, prover, reg, *prove_attested(
        s, roles, now - 5, ratio=A.RATIO - 1)) == (A.RATIO, A.RATIO - 1)
    assert reverts("StaleEpoch", submit, prover, reg, *prove_attested(
        s, roles, now - 5, epoch=2)) == (1, 2)
    assert reverts("NoModule", submit_credit, prover, reg, *prove_attested(
        s, roles, now - 5)) == (CREDIT,)

    # the real thing
    t1 = chain.timestamp() - 30
    proof1, pub1 = prove_attested(s, roles, t1)
    bad = dict(proof1, pi_c=proof1["pi_a"])
    reverts("InvalidProof", submit, prover, reg, bad, pub1)
    assert not is_solvent(prover, reg, acct)
    submit(prover, reg, proof1, pub1)
    assert is_solvent(other, reg, acct) and credit_of(other, reg, acct) == 0
    got = solvency_of(other, reg, acct)
    assert (got["epoch"], got["as_of"]) == (1, t1)
    assert (got["attester_ax"], got["attester_ay"]) == s["good"] and got["commitment"] == 0
    assert got["valid_until"] == O.snapshot(other, s["oracle"], 1)["valid_until"]

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

    # revoking the attester withdraws the proof; re-allowing it restores it
    revoke_attester(admin, s["attesters"], *s["good"])
    assert not is_allowed(other, s["attesters"], *s["good"])
    assert not is_solvent(other, reg, acct)
    add_attester(admin, s["attesters"], *s["good"])
    assert is_solvent(other, reg, acct)

    # the next epoch: the old proof counts for `grace` seconds, then no more
    chain.increase_time(A.EPOCH_INTERVAL)
    assert A.open_epoch(oracle, s["oracle"]) == 2
    assert is_solvent(other, reg, acct)
    reverts("StaleEpoch", submit, prover, reg, *prove_attested(s, roles, t2 + 1))
    chain.increase_time(GRACE + 1)
    assert not is_solvent(other, reg, acct)
    assert status(other, reg, acct)["proven"]["epoch"] == 1

    # a proof of epoch 2 counts until its snapshot expires
    submit(prover, reg, *prove_attested(s, roles, chain.timestamp() - 1, epoch=2))
    assert is_solvent(other, reg, acct)
    valid_until = O.snapshot(other, s["oracle"], 2)["valid_until"]
    chain.increase_time(valid_until - chain.timestamp() + 2)
    assert not is_solvent(other, reg, acct)
    reverts("PricesExpired", submit, other, reg, *prove_attested(
        s, roles, chain.timestamp() - 1, epoch=2, who="other"))


def test_policy_timelock(chain, roles, attested):
    """Tightening applies from the next epoch; loosening waits the timelock; the policy of
    an opened epoch never changes; a newer version supersedes a queued one."""
    s, reg = attested, attested["reg"]
    admin, oracle, other = roles["admin"], roles["oracle"], roles["other"]
    interval = A.EPOCH_INTERVAL
    chain.increase_time(interval)
    e = A.open_epoch(oracle, s["oracle"])
    before = requirements_for(other, reg, e)
    v0 = policy(other, reg)["version"]
    tighter = [(A.HAIRCUTS[0], 0, A.HAIRCUTS[0]), (A.HAIRCUTS[1] + 500, 0, A.HAIRCUTS[1] + 500)]
    set_policy(admin, reg, tighter, A.RATIO + 500)
    p = policy(other, reg)
    assert p["version"] == v0 + 1 and p["active_from"] == chain.timestamp() + 1
    assert requirements_for(other, reg, e) == before          # not retroactive
    chain.increase_time(interval)
    e2 = A.open_epoch(oracle, s["oracle"])
    assert requirements_for(other, reg, e2) == ([A.HAIRCUTS[0], A.HAIRCUTS[1] + 500],
                                               A.RATIO + 500)
    assert reverts("HaircutBelowPolicy", submit, roles["prover"], reg, *prove_attested(
        s, roles, chain.timestamp() - 5, epoch=e2)) == (1, A.HAIRCUTS[1] + 500, A.HAIRCUTS[1])
    # back to the original policy is a loosening: queued for the timelock
    set_policy(admin, reg, A.HAIRCUTS, A.RATIO)
    queued = policy(other, reg)
    assert queued["active_from"] == chain.timestamp() + TIMELOCK
    chain.increase_time(interval)
    e3 = A.open_epoch(oracle, s["oracle"])
    assert requirements_for(other, reg, e3)[1] == A.RATIO + 500
    chain.increase_time(max(interval, TIMELOCK))
    e4 = A.open_epoch(oracle, s["oracle"])
    assert requirements_for(other, reg, e4) == (A.HAIRCUTS, A.RATIO)
    assert requirements_for(other, reg, e3)[1] == A.RATIO + 500   # history kept
    # a loosening queued, then superseded by a tightening: the loosening never applies
    set_policy(admin, reg, [0, 0], A.RATIO)
    set_policy(admin, reg, A.HAIRCUTS, A.RATIO + 1)
    chain.increase_time(max(interval, TIMELOCK))
    e5 = A.open_epoch(oracle, s["oracle"])
    assert requirements_for(other, reg, e5) == (A.HAIRCUTS, A.RATIO + 1)
    for bad in ([(600, 0, 500), A.HAIRCUTS[1]], [A.HAIRCUTS[0], (100, 0, 10_000)]):
        with pytest.raises(MalformedInput, match="base"):      # refused locally
            set_policy(admin, reg, bad, A.RATIO)
    assert reverts("AccessControlUnauthorizedAccount", set_policy, oracle, reg, A.HAIRCUTS,
                   A.RATIO) == (oracle.address.lower(), bytes(32))


def test_attested_roles(chain, roles, attested):
    s, reg = attested, attested["reg"]
    admin, other = roles["admin"], roles["other"]
    assert reverts("AccessControlUnauthorizedAccount", add_attester, other, s["attesters"],
                   *s["unknown"]) == (other.address.lower(), role_id("ATTESTER_ADMIN_ROLE"))
    assert reverts("AccessControlUnauthorizedAccount", record_position, admin, reg,
                   other.address, 5)[1] == role_id("POSITION_MANAGER_ROLE")
    grant_role(admin, reg, "POSITION_MANAGER_ROLE", admin.address)
    assert has_role(admin, reg, "POSITION_MANAGER_ROLE", admin.address)
    assert reverts("WrongMode", record_position, admin, reg, other.address, 5) == (1, 0)
    # the default admin moves only through the two-step transfer
    reverts("AccessControlEnforcedDefaultAdminRules", grant_role, admin, reg,
            "DEFAULT_ADMIN_ROLE", other.address)
    # attester keys: on the curve, not the identity, not twice; small order refused locally
    reverts("AlreadyAllowed", add_attester, admin, s["attesters"], *s["good"])
    from verifier_contracts.abi import encode_fn
    off = (s["good"][0], s["good"][1] + 1)
    assert reverts("NotOnCurve", admin.send, s["attesters"],
                   encode_fn("AttesterRegistry", "addAttester", list(off))) == off
    with pytest.raises(Exception, match="small order"):
        add_attester(admin, s["attesters"], 0, R - 1)       # order 2
    assert reverts("NotAllowed", revoke_attester, admin, s["attesters"], *s["unknown"]) \
        == s["unknown"]


def test_malformed_input_vectors(chain, roles, attested):
    reg, prover = attested["reg"], roles["prover"]
    epoch = O.read(prover, attested["oracle"], "latestEpoch")
    proof, pub = prove_attested(attested, roles, chain.timestamp() - 5, epoch=epoch)
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
    """REGISTERED mode with both kinds: CollateralRatio and CreditCapacity (2 + 1 assets)."""
    keys, ckeys = A.collateral_keys(), A.credit_keys()
    admin = roles["admin"]
    verifier = deploy_verifier(chain, keys.vk_json, self_test=False)
    cverifier = deploy_verifier(chain, ckeys.vk_json, self_test=False)
    oracle = A.make_oracle(roles["oracle"])
    reg = deploy_registry(admin, verifier, keys.vk_json, keys.statement, oracle=oracle,
                          mode=REGISTERED, haircuts_bps=A.HAIRCUTS, min_ratio_bps=A.RATIO,
                          credit=(cverifier, ckeys.vk_json, ckeys.statement), grace=GRACE,
                          timelock_delay=TIMELOCK, dev_keys=True)
    return dict(keys=keys, ckeys=ckeys, reg=reg, verifier=verifier, cverifier=cverifier,
                oracle=oracle)


def test_registered_mode(chain, roles, registered):
    keys, reg = registered["keys"], registered["reg"]
    manager, oracle, prover, other = (roles[k] for k in ("admin", "oracle", "prover", "other"))
    acct, cid = prover.address, prover.chain_id
    e1 = A.open_epoch(oracle, registered["oracle"])
    real = A.collateral_inputs(acct, cid, reg, epoch=e1)
    proof, pub = keys.prove(real)
    # nothing recorded yet
    assert reverts("CommitmentMismatch", submit, prover, reg, proof, pub) == (0, A.commitment())
    record_position(manager, reg, acct, A.commitment())
    # the borrower proves a made-up position (debt 0, another salt): refused
    fake = A.collateral_inputs(acct, cid, reg, epoch=e1, debts=[0], salt=1111)
    assert reverts("CommitmentMismatch", submit, prover, reg, *keys.prove(fake)) \
        == (A.commitment(), A.commitment(debts=[0], salt=1111))
    assert not is_solvent(other, reg, acct)
    submit(prover, reg, proof, pub)
    assert is_solvent(other, reg, acct)
    got = solvency_of(other, reg, acct)
    recorded_at = read(other, reg, "positionOf", acct)[1]
    assert got["commitment"] == A.commitment() and got["as_of"] == recorded_at
    assert (got["attester_ax"], got["attester_ay"], got["epoch"]) == (0, 0, e1)
    # replay of the same statement (same record) refused, in any encoding
    assert reverts("AsOfNotLater", submit, prover, reg, A.rerandomise(proof), pub) \
        == (recorded_at, recorded_at)
    # the position changes: the old proof stops counting until the new one is proven
    chain.increase_time(5)
    bigger = dict(amounts=[2 * 10**18, 5 * 10**7], debts=[1500 * 10**6], salt=77)
    record_position(manager, reg, acct, A.commitment(**bigger))
    assert not is_solvent(other, reg, acct)
    reverts("CommitmentMismatch", submit, prover, reg, proof, pub)
    submit(prover, reg, *keys.prove(A.collateral_inputs(acct, cid, reg, epoch=e1, **bigger)))
    assert is_solvent(other, reg, acct)
    assert solvency_of(other, reg, acct)["as_of"] > recorded_at
    # the next epoch: the proof counts for `grace` seconds after it opened, then no more
    chain.increase_time(A.EPOCH_INTERVAL)
    e2 = A.open_epoch(oracle, registered["oracle"])
    assert is_solvent(other, reg, acct)
    assert reverts("StaleEpoch", submit, prover, reg, *keys.prove(
        A.collateral_inputs(acct, cid, reg, epoch=e1, **bigger))) == (e2, e1)
    chain.increase_time(GRACE + 1)
    assert not is_solvent(other, reg, acct)
    # closing the position (commitment 0) leaves nothing provable
    record_position(manager, reg, acct, 0)
    assert reverts("CommitmentMismatch", submit, prover, reg, *keys.prove(
        A.collateral_inputs(acct, cid, reg, epoch=e2))) == (0, A.commitment())


def test_credit_kind(chain, roles, registered):
    """creditOf: the current epoch's fresh credit proof only (no grace), 0 while tripped;
    a fresh credit proof implies solvency (with the grace of solvency proofs)."""
    s, reg = registered, registered["reg"]
    manager, oracle, other = roles["admin"], roles["oracle"], roles["other"]
    borrower = roles["other"]
    acct, cid = borrower.address, borrower.chain_id
    e = O.read(other, s["oracle"], "latestEpoch")
    record_position(manager, reg, acct, A.commitment())
    credit = 4 * 10**13
    inputs = {**A.collateral_inputs(acct, cid, reg, epoch=e), "credit": credit}
    proof, pub = s["ckeys"].prove(inputs)
    # a credit proof is refused by the solvency kind's module (other input count)
    assert reverts("BadInputLength", submit, borrower, reg, proof, pub) == (11, 12)
    assert not is_solvent(other, reg, acct) and credit_of(other, reg, acct) == 0
    receipt = submit_credit(borrower, reg, proof, pub)
    assert receipt["gasUsed"] > 0
    assert is_solvent(other, reg, acct) and credit_of(other, reg, acct) == credit
    # the breaker: credit reads 0 and proofs are refused while tripped; solvency is kept
    O.pause(oracle, s["oracle"])
    assert credit_of(other, reg, acct) == 0 and is_solvent(other, reg, acct)
    cause, tripped_at = reverts("BreakerIsTripped", submit_credit, borrower, reg, proof, pub)
    assert cause == CAUSES.index("MANUAL")
    O.unpause(oracle, s["oracle"])
    assert credit_of(other, reg, acct) == credit
    # the next epoch: credit is 0 at once, solvency holds for the grace period
    chain.increase_time(A.EPOCH_INTERVAL)
    A.open_epoch(oracle, s["oracle"])
    assert credit_of(other, reg, acct) == 0 and is_solvent(other, reg, acct)
    chain.increase_time(GRACE + 1)
    assert not is_solvent(other, reg, acct)


def test_module_repointing(chain, roles, registered):
    """A new circuit version goes through the timelock; the module must fit the kind, the
    binding mode and the oracle's assets."""
    s, reg = registered, registered["reg"]
    admin, other = roles["admin"], roles["other"]
    keys, ckeys = s["keys"], s["ckeys"]
    new_credit = deploy_module(admin, s["cverifier"], ckeys.vk_json, ckeys.statement,
                               mode=REGISTERED, kind=CREDIT, dev_keys=True)
    solvency_as_credit = deploy_module(admin, s["verifier"], keys.vk_json, keys.statement,
                                       mode=REGISTERED, kind=SOLVENCY, dev_keys=True)
    assert reverts("ModuleKindMismatch", queue_module, admin, reg, CREDIT,
                   solvency_as_credit) == (CREDIT, SOLVENCY)
    ak = A.attested_credit_keys()
    av = deploy_verifier(chain, ak.vk_json, self_test=False)
    attested_module = deploy_module(admin, av, ak.vk_json, ak.statement, mode=ATTESTED,
                                    kind=CREDIT, dev_keys=True)
    assert reverts("ModuleModeMismatch", queue_module, admin, reg, CREDIT,
                   attested_module) == (REGISTERED, ATTESTED)
    assert reverts("AccessControlUnauthorizedAccount", queue_module, other, reg, CREDIT,
                   new_credit)[1] == bytes(32)
    old = module_of(other, reg, CREDIT)["module"]
    queue_module(admin, reg, CREDIT, new_credit)
    m = module_of(other, reg, CREDIT)
    assert m["queued"].lower() == new_credit.lower() and m["module"] == old
    assert m["eta"] == chain.timestamp() + TIMELOCK
    eta, now = reverts("TimelockActive", activate_module, other, reg, CREDIT)
    assert eta == m["eta"] and now < eta
    chain.increase_time(TIMELOCK)
    activate_module(other, reg, CREDIT)                       # anyone, after the delay
    m = module_of(other, reg, CREDIT)
    assert m["module"].lower() == new_credit.lower() and int(m["queued"], 16) == 0
    assert reverts("NothingQueued", activate_module, other, reg, CREDIT) == (CREDIT,)
