"""Circuits, keys and real Groth16 proofs (our prover) for the anchored-registry tests.

* REGISTERED mode uses the shipped `CollateralRatio` (2 collateral, 1 debt asset).
* ATTESTED mode uses the shipped `AttestedCollateralRatio` (same assets), the position
  signed by an attester with EdDSA-Poseidon (circuits.attestation).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from py_ecc import optimized_bn128 as ob

from circuits.attestation import TAG_POSITION, sign_attestation
from circuits.collateral import AttestedCollateralRatio, CollateralRatio
from circuits.credit import AttestedCreditCapacity, CreditCapacity
from zk import compile_circuit, groth16
from zk.field import R
from zk.formats import snarkjs_json as sj
from zk.std import eddsa
from zk.std.poseidon import poseidon_hash_many

CP, DP = [3000 * 10**8, 60000 * 10**8], [10**8]
HAIRCUTS, RATIO = [2000, 1000], 15000
AMOUNTS, DEBTS, SALT = [10**18, 5 * 10**7], [1000 * 10**6], 987654321
GOOD_ATTESTER, UNKNOWN_ATTESTER = 1234567, 7654321      # signing scalars (test only)


def attester_key(secret: int) -> tuple[int, int]:
    return eddsa.public_key(secret)


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
    cs = compile_circuit(AttestedCollateralRatio(2, 1, (18, 8), (6,)))
    return Keys(cs, groth16.setup(cs))


@lru_cache(maxsize=None)
def credit_keys() -> Keys:
    cs = compile_circuit(CreditCapacity(2, 1, (18, 8), (6,)))
    return Keys(cs, groth16.setup(cs))


@lru_cache(maxsize=None)
def attested_credit_keys() -> Keys:
    cs = compile_circuit(AttestedCreditCapacity(2, 1, (18, 8), (6,)))
    return Keys(cs, groth16.setup(cs))


#: Seconds between epochs of the test oracles.
EPOCH_INTERVAL = 60


def make_oracle(chain, **config) -> str:
    """A pushed-price EpochOracle for 2 collateral and 1 debt asset; `chain` is its admin,
    guardian and price poster; epochs at most every EPOCH_INTERVAL seconds."""
    from verifier_contracts import oracle as O

    cfg = O.OracleConfig(**{"min_epoch_interval": EPOCH_INTERVAL, **config})
    return O.deploy_oracle(chain, 2, 1, config=cfg, admin_delay=0)


def open_epoch(chain, oracle: str, cp=CP, dp=DP) -> int:
    """Post prices to a pushed-price oracle (opens the next epoch); return that epoch."""
    from verifier_contracts import oracle as O

    out = O.open_epoch_with_prices(chain, oracle, [*cp, *dp])
    assert out["epoch"], out
    return out["epoch"]


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


def attested_inputs(prover: str, chain_id: int, registry: str, attester: int, as_of: int,
                    *, signed: dict | None = None, credit: int | None = None,
                    **kw) -> dict:
    """Inputs of AttestedCollateralRatio; `attester` (a signing scalar) signs the position
    given by `signed` (default: the one proven, i.e. an honest attestation)."""
    inputs = collateral_inputs(prover, chain_id, registry, **kw)
    position = collateral_inputs(prover, chain_id, registry, **(kw if signed is None else signed))
    att = sign_attestation(attester, TAG_POSITION, chain_id, int(registry, 16),
                           int(prover, 16), position["commitment"], as_of)
    extra = {} if credit is None else {"credit": credit}
    return {**inputs, **att.circuit_inputs(), **extra}


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
    """gasUsed of a first successful SolvencyRegistry.submit (2 collateral, 1 debt asset,
    a pushed-price oracle's first epoch)."""
    from verifier_contracts import (
        ATTESTED,
        add_attester,
        deploy_attester_registry,
        deploy_registry,
        deploy_verifier,
        record_position,
    )
    from verifier_contracts.registry import encode_submit

    keys = attested_keys() if mode == ATTESTED else collateral_keys()
    verifier = deploy_verifier(chain, keys.vk_json, self_test=False)
    attesters, key = None, attester_key(GOOD_ATTESTER)
    if mode == ATTESTED:
        attesters = deploy_attester_registry(chain, admin_delay=0)
        add_attester(chain, attesters, *key)
    oracle = make_oracle(chain)
    reg = deploy_registry(chain, verifier, keys.vk_json, keys.statement, oracle=oracle,
                          mode=mode, haircuts_bps=HAIRCUTS, min_ratio_bps=RATIO,
                          attester_registry=attesters, dev_keys=True)
    epoch = open_epoch(chain, oracle)
    if mode == ATTESTED:
        inputs = attested_inputs(chain.address, chain.chain_id, reg, GOOD_ATTESTER,
                                 chain.timestamp() - 5, epoch=epoch)
    else:
        record_position(chain, reg, chain.address, commitment())
        inputs = collateral_inputs(chain.address, chain.chain_id, reg, epoch=epoch)
    proof, public = keys.prove(inputs)
    receipt = chain.send(reg, encode_submit(proof, public), gas=800_000, action="submit")
    return int(receipt["gasUsed"])
