"""Gas of verifyProof (ours vs snarkjs's exported verifier, same key) and of submit."""
from __future__ import annotations

from tests.verifier_contracts import anchored as A
from verifier_contracts import ATTESTED, REGISTERED, deploy_verifier, verifier_source
from verifier_contracts.calldata import encode_verify_call
from verifier_contracts.gas import compare_verify_gas, deploy_snarkjs_verifier, format_table, tx_gas

#: submit of the first registry, before anchoring (no binding, no freshness, no oracle),
#: same circuit size: the reference the README's table compares with.
OLD_SUBMIT_GAS = 364_605


def test_verify_gas_not_above_snarkjs(anvil_chain, snark, record_property, capsys):
    rows = []
    for n in (1, 5, 20):
        fx, proof, public = snark[n]
        rows.append(compare_verify_gas(anvil_chain, fx.vk, fx.solidity_verifier(), proof, public))
    with capsys.disabled():
        print("\nverifyProof gasUsed\n" + format_table(rows))
    for r in rows:
        record_property(f"verify_gas_{r['n_public']}", f"ours={r['ours']} snarkjs={r['snarkjs']}")
        assert r["ours"] <= r["snarkjs"], r


def test_exported_source_verifies_and_submit_gas(anvil_chain, snark, record_property, capsys):
    """The readable exported source (compiled here) agrees; submit gas is recorded."""
    chain = anvil_chain
    fx, proof, public = snark[11]
    data = encode_verify_call(proof, public)
    exported = deploy_snarkjs_verifier(chain, verifier_source(fx.vk))  # same contract name
    exported_gas = tx_gas(chain, exported, data)
    bad = list(public)
    bad[0] = str(int(bad[0]) + 1)
    assert chain.call(exported, encode_verify_call(proof, bad)) == bytes(32)

    verifier = deploy_verifier(chain, fx.vk, self_test=False)
    verify_gas = tx_gas(chain, verifier, data)
    gas = {mode: A.submit_gas(chain, m) for mode, m in (("attested", ATTESTED),
                                                       ("registered", REGISTERED))}
    with capsys.disabled():
        print(f"\nN=11 verifyProof: template {verify_gas}, exported source {exported_gas}; "
              f"SolvencyRegistry.submit attested (N=14) {gas['attested']}, registered "
              f"(N=11) {gas['registered']} (before anchoring: {OLD_SUBMIT_GAS})")
    for mode, used in gas.items():
        record_property(f"submit_gas_{mode}", used)
        assert 250_000 < used < 500_000, (mode, used)
