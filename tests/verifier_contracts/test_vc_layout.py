"""The registry's input indices come from the Statement (round trip through its proof
module's getters), the module's constructor checks the key id and the layout, and every
shipped contract fits EIP-170."""
from __future__ import annotations

import pytest
from eth_utils import keccak

from circuits.collateral import AttestedCollateralRatio, CollateralRatio
from tests.verifier_contracts import anchored as A
from verifier_contracts import (
    ATTESTED,
    REGISTERED,
    ContractRevert,
    connect,
    deploy_attester_registry,
    deploy_registry,
    deploy_verifier,
    layout_of,
    registry_layout,
)
from verifier_contracts import oracle as O
from verifier_contracts.abi import deploy_code, read_fn
from verifier_contracts.artifacts import CONTRACTS, load_artifact
from verifier_contracts.registry import LAYOUT_FIELDS, MODULE, SOLVENCY, module_of
from verifier_contracts.vk import key_id, vk_hash
from zk import compile_circuit, groth16
from zk.errors import MalformedInput
from zk.formats import snarkjs_json as sj
from zk.statement import PublicInput, Statement

EIP170 = 24_576


def shipped_circuits():
    """Every shipped circuit with a registry use, with its binding mode (the reserves
    circuits have no registry yet)."""
    return [("CollateralRatio(2,1)", CollateralRatio(2, 1, (18, 8), (6,)), REGISTERED),
            ("CollateralRatio(3,2)", CollateralRatio(3, 2), REGISTERED),
            ("AttestedCollateralRatio(2,1)", AttestedCollateralRatio(2, 1), ATTESTED)]


@pytest.fixture(scope="module")
def embedded():
    return connect()


@pytest.mark.parametrize("name,circuit,mode", shipped_circuits(), ids=lambda v: str(v)[:28])
def test_layout_round_trip(chain, name, circuit, mode):
    """On the embedded EVM and on anvil (the `chain` fixture)."""
    cs = compile_circuit(circuit)
    vk = sj.vk_to_json(groth16.setup(cs).vk)
    verifier = deploy_verifier(chain, vk, self_test=False)
    attesters = deploy_attester_registry(chain, admin_delay=0) if mode == ATTESTED else None
    n_c = cs.statement.input("collateral_prices").size
    n_d = cs.statement.input("debt_prices").size
    oracle = O.deploy_oracle(chain, n_c, n_d, config=O.OracleConfig(), admin_delay=0)
    reg = deploy_registry(chain, verifier, vk, cs.statement, oracle=oracle, mode=mode,
                          haircuts_bps=[100] * n_c, min_ratio_bps=11000,
                          attester_registry=attesters, dev_keys=True)
    got = layout_of(chain, reg)
    counts = {k: got.pop(k) for k in ("numPublic", "nCollateral", "nDebt")}
    want = cs.statement.layout()
    assert got == {k: v for k, v in want.items() if k in got}
    assert set(want) - set(got) <= {"commitment"} if mode == ATTESTED else set(want) == set(got)
    assert counts == {"numPublic": cs.num_public, "nCollateral": n_c,
                      "nDebt": cs.statement.input("debt_prices").size}
    # the on-chain checks of submit read the same positions the names denote
    for i, element in enumerate(cs.public_names):
        base = element.split("[")[0]
        assert cs.statement.index(element) == i
        if base in got:
            assert got[base] <= i < got[base] + cs.statement.input(base).size
    module = module_of(chain, reg, SOLVENCY)["module"]
    assert bytes(read_fn(chain, MODULE, module, "keyId")) == key_id(vk, cs.statement)
    assert bytes(read_fn(chain, MODULE, module, "statementHash")) == cs.statement.hash()


def test_constructor_checks_key_id_and_layout(embedded):
    keys = A.collateral_keys()
    chain, vk, st = embedded, keys.vk_json, keys.statement
    verifier = deploy_verifier(chain, vk, self_test=False)
    layout = registry_layout(st, REGISTERED)
    real = key_id(vk, st)
    relabelled = Statement(st.circuit, st.digest, tuple(
        PublicInput("price" if i.name == "collateral_prices" else i.name, i.shape, i.bits)
        for i in st.inputs))
    expected = keccak(bytes.fromhex(vk_hash(vk)[2:]) + relabelled.hash())
    for kid, sh, lay, err, args in (
            (real, relabelled.hash(), layout, "KeyIdMismatch", (expected, real)),
            (real, st.hash(), dict(layout, numPublic=12), "NumPublicMismatch", (11, 12)),
            (real, st.hash(), dict(layout, commitment=11), "BadLayout", (11,)),
            (real, st.hash(), dict(layout, debtPrices=10), "BadLayout", (11,)),
            (real, st.hash(), dict(layout, epoch=11), "BadLayout", (7,))):
        code = deploy_code(MODULE, [verifier, kid, sh, tuple(lay[f] for f in LAYOUT_FIELDS),
                                    REGISTERED, SOLVENCY])
        with pytest.raises(ContractRevert) as e:
            chain.deploy(code)
        assert (e.value.name, e.value.args_) == (err, args)
    with pytest.raises(MalformedInput, match="attester_ax"):
        registry_layout(st, ATTESTED)
    with pytest.raises(MalformedInput, match="development setup"):
        deploy_registry(chain, verifier, vk, st, oracle=A.make_oracle(chain), mode=REGISTERED,
                        haircuts_bps=A.HAIRCUTS, min_ratio_bps=A.RATIO)


def test_contract_sizes_under_eip170(embedded):
    for name in CONTRACTS:
        art = load_artifact(name)
        size = len(bytes.fromhex(art["deployedBytecode"][2:]))
        assert size <= EIP170, (name, size)
    attesters = deploy_attester_registry(embedded, admin_delay=0)
    assert len(embedded.code_at(attesters)) == len(
        bytes.fromhex(load_artifact("AttesterRegistry")["deployedBytecode"][2:])) <= EIP170
