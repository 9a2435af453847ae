"""Final keys out of a ceremony, refusing keys that would let their maker forge proofs."""
from __future__ import annotations

import os
from dataclasses import replace

from zk import curve
from zk.backend import Backend
from zk.ceremony.verify import Report, verify_chain, verify_zkey
from zk.errors import MalformedInput, SetupError
from zk.formats.iden3.zkey import ZKey
from zk.groth16.keys import ProvingKey, VerifyingKey
from zk.r1cs import R1CS


def export_keys(zk: ZKey, cs: R1CS | None = None, ptau: str | os.PathLike | None = None,
                development: bool = False,
                backend: Backend | None = None) -> tuple[ProvingKey, VerifyingKey, Report | None]:
    """(pk, vk, report) of a finished ceremony.

    Production (the default) needs the circuit and the ptau: the whole key is verified
    as by ``verify_zkey`` and must carry at least one contribution. ``development=True``
    only checks the transcript chain when cs/ptau are missing and labels the keys
    development. delta == gamma or delta == the G2 generator is refused in both modes
    (such a key has no phase-2 randomness: anyone can forge proofs).
    """
    vk = zk.pk.vk
    if vk.delta_g2 in (vk.gamma_g2, curve.G2_GEN) or not zk.contributions:
        raise SetupError("key has no phase-2 contribution (delta == gamma / generator); "
                         "run `ceremony contribute` at least once")
    report = None
    if cs is not None and ptau is not None:
        report = verify_zkey(zk, cs, ptau, backend)
    elif not development:
        raise SetupError("a production export verifies the key: give the circuit and ptau "
                         "(or mark the export development)")
    else:
        verify_chain(zk, backend)
    out_vk = replace(vk, development=development)
    try:
        out_vk.validate(production=not development)
    except MalformedInput as exc:
        raise SetupError(f"refusing to export: {exc}") from exc
    pk = replace(zk.pk, vk=out_vk, circuit_digest=cs.digest() if cs else zk.pk.circuit_digest)
    return pk, out_vk, report
