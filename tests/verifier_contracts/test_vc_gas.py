"""Gas of verifyProof (ours vs snarkjs's exported verifier, same key) and of submit."""
from __future__ import annotations

from verifier_contracts import (
    deploy_registry,
    deploy_verifier,
    post_prices,
    verifier_source,
)
from verifier_contracts.calldata import encode_verify_call
from verifier_contracts.gas import compare_verify_gas, deploy_snarkjs_verifier, format_table, tx_gas
from verifier_contracts.registry import encode_submit


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
    registry = deploy_registry(chain, verifier, fx.vk, 2, 1, [500, 1000], 15000)
    post_prices(chain, registry, 1, [2000 * 10**8, 10**8], [10**8], chain.timestamp() + 3600)
    inputs = [2000 * 10**8, 10**8, 500, 1000, 10**8, 15000, 1, int(chain.address, 16),
              chain.chain_id, int(registry, 16)]
    sproof, spublic = fx.prove(inputs, tag="gas")
    receipt = chain.send(registry, encode_submit(sproof, spublic), gas=800_000)
    with capsys.disabled():
        print(f"\nN=11 verifyProof: template {verify_gas}, exported source {exported_gas}; "
              f"SolvencyRegistry.submit {receipt['gasUsed']}")
    record_property("submit_gas_11", receipt["gasUsed"])
    assert receipt["status"] == 1 and receipt["gasUsed"] < 500_000
