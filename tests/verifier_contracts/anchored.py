"""Circuits, keys and real Groth16 proofs (our prover) for the anchored-registry tests.

* REGISTERED mode uses the shipped `CollateralRatio` (2 collateral, 1 debt asset).
* ATTESTED mode uses `AttestedStandIn`: exactly the public inputs (names, order, shapes)
  of the attested collateral circuit, proving only that the commitment opens; the
  registry's checks are about the public inputs, which are all real here.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from py_ecc import optimized_bn128 as ob

from circuits.collateral import CollateralRatio
from verifier_contracts.attesters import _add
from zk import Circuit, Private, Public, compile_circuit, groth16
from zk.field import R
from zk.formats import snarkjs_json as sj
from zk.std.poseidon import poseidon, poseidon_hash, poseidon_hash_many

CP, DP = [3000 * 10**8, 60000 * 10**8], [10**8]
HAIRCUTS, RATIO = [2000, 1000], 15000
AMOUNTS, DEBTS, SALT = [10**18, 5 * 10**7], [1000 * 10**6], 987654321
#: circomlib's Base8, the generator of Baby Jubjub's prime-order subgroup.
BASE8 = (5299619240641551281634865583518297030282874472190772894086521144482721001553,
         16950150798460657717958625567821834550301663161624707787222815936182638968203)


def babyjub_mul(k: int, p: tuple[int, int] = BASE8) -> tuple[int, int]:
    acc = (0, 1)
    while k:
        if k & 1:
            acc = _add(acc, p)
        p, k = _add(p, p), k >> 1
    return acc


class AttestedStandIn(Circuit):
    """The attested collateral circuit's public inputs; proves commitment = Poseidon(secret)."""

    collateral_prices: Public[2]
    haircuts_bps: Public[2]
    debt_prices: Public[1]
    min_ratio_bps: Public
    epoch: Public
    prover: Public
    chain_id: Public
    registry: Public
    commitment: Public
    attester_ax: Public
    attester_ay: Public
    as_of: Public
    secret: Private

    def define(self, api) -> None:
        api.assert_equal(poseidon(api, self.secret), self.commitment)
        api.bind_public(*self.collateral_prices, *self.haircuts_bps, *self.debt_prices,
                        self.min_ratio_bps, self.epoch, self.prover, self.chain_id,
                        self.registry, self.attester_ax, self.attester_ay, self.as_of)


@dataclass
class Keys:
    cs: object
    pk: object

    @property
    def vk_json(self) -> dict:
        return sj.vk_to_json(self.pk.vk)

    @property
    def statement(self):
        return self.cs.statement

    def prove(self, inputs: dict) -> tuple[dict, list[int]]:
        witness = self.cs.solve(inputs)
        return sj.proof_to_json(groth16.prove(self.pk, witness)), self.cs.public_values(witness)


@lru_cache(maxsize=None)
def collateral_keys() -> Keys:
    cs = compile_circuit(CollateralRatio(2, 1, (18, 8), (6,)))
    return Keys(cs, groth16.setup(cs))


@lru_cache(maxsize=None)
def attested_keys() -> Keys:
    cs = compile_circuit(AttestedStandIn())
    return Keys(cs, groth16.setup(cs))


def commitment(amounts=AMOUNTS, debts=DEBTS, salt=SALT) -> int:
    return poseidon_hash_many([*amounts, *debts, salt])


def collateral_inputs(prover: str, chain_id: int, registry: str, *, epoch: int = 1,
                      amounts=AMOUNTS, debts=DEBTS, salt=SALT, cp=CP, dp=DP, haircuts=HAIRCUTS,
                      ratio=RATIO) -> dict:
    return {"collateral_prices": list(cp), "haircuts_bps": list(haircuts),
            "debt_prices": list(dp), "min_ratio_bps": ratio, "epoch": epoch,
            "prover": int(prover, 16), "chain_id": chain_id, "registry": int(registry, 16),
            "commitment": commitment(amounts, debts, salt), "amounts": list(amounts),
            "debts": list(debts), "salt": salt}


def attested_inputs(prover: str, chain_id: int, registry: str, attester: tuple[int, int],
                    as_of: int, *, epoch: int = 1, cp=CP, dp=DP, haircuts=HAIRCUTS,
                    ratio=RATIO, secret: int = 42) -> dict:
    return {"collateral_prices": list(cp), "haircuts_bps": list(haircuts),
            "debt_prices": list(dp), "min_ratio_bps": ratio, "epoch": epoch,
            "prover": int(prover, 16), "chain_id": chain_id, "registry": int(registry, 16),
            "commitment": poseidon_hash([secret]), "attester_ax": attester[0],
            "attester_ay": attester[1], "as_of": as_of, "secret": secret}


def rerandomise(proof: dict, t: int = 0x1234567) -> dict:
    """The same statement's proof with other bytes: (A/t, t*B, C) pairs identically."""
    ax, ay = (int(v) for v in proof["pi_a"][:2])
    (x0, x1), (y0, y1) = ([int(v) for v in c] for c in proof["pi_b"][:2])
    a2 = ob.normalize(ob.multiply((ob.FQ(ax), ob.FQ(ay), ob.FQ(1)), pow(t, -1, R)))
    b2 = ob.normalize(ob.multiply((ob.FQ2([x0, x1]), ob.FQ2([y0, y1]), ob.FQ2.one()), t))
    out = dict(proof)
    out["pi_a"] = [str(int(a2[0])), str(int(a2[1])), "1"]
    out["pi_b"] = [[str(c) for c in b2[0].coeffs], [str(c) for c in b2[1].coeffs], ["1", "0"]]
    return out


def submit_gas(chain, mode: int) -> int:
    """gasUsed of a first successful SolvencyRegistry.submit (2 collateral, 1 debt asset)."""
    from verifier_contracts import (
        ATTESTED,
        add_attester,
        deploy_attester_registry,
        deploy_registry,
        deploy_verifier,
        post_prices,
        record_position,
    )
    from verifier_contracts.registry import encode_submit

    keys = attested_keys() if mode == ATTESTED else collateral_keys()
    verifier = deploy_verifier(chain, keys.vk_json, self_test=False)
    attesters, key = None, babyjub_mul(31337)
    if mode == ATTESTED:
        attesters = deploy_attester_registry(chain, admin_delay=0)
        add_attester(chain, attesters, *key)
    reg = deploy_registry(chain, verifier, keys.vk_json, keys.statement, mode=mode,
                          haircuts_bps=HAIRCUTS, min_ratio_bps=RATIO,
                          attester_registry=attesters, dev_keys=True)
    post_prices(chain, reg, 1, CP, DP, chain.timestamp() + 3600)
    if mode == ATTESTED:
        inputs = attested_inputs(chain.address, chain.chain_id, reg, key, chain.timestamp() - 5)
    else:
        record_position(chain, reg, chain.address, commitment())
        inputs = collateral_inputs(chain.address, chain.chain_id, reg)
    proof, public = keys.prove(inputs)
    receipt = chain.send(reg, encode_submit(proof, public), gas=800_000, action="submit")
    return int(receipt["gasUsed"])
