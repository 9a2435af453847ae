"""Gas of verifyProof: our template verifier vs `snarkjs zkey export solidityverifier`.

Builds circuits with 1, 5 and 20 public inputs with the npm circom/snarkjs toolchain,
proves once each, deploys both verifiers on the embedded EVM (or --rpc-url) and prints
transaction gasUsed. Also prints SolvencyRegistry.submit gas (n_c=2, n_d=1, prices from a
pushed-price EpochOracle) in both binding modes, with real proofs from our prover, next to
the first registry's figure before anchoring.

    python benchmarks/bench_gas.py [--rpc-url URL] [--sizes 1,5,20]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.verifier_contracts.anchored import submit_gas  # noqa: E402
from verifier_contracts import ATTESTED, REGISTERED, connect  # noqa: E402
from verifier_contracts.gas import compare_verify_gas, format_table  # noqa: E402
from verifier_contracts.snarkjs import make_fixture, make_ptau  # noqa: E402

#: submit of the first registry, before anchoring (no binding, no freshness, no oracle), N=11.
OLD_SUBMIT_GAS = 364_605


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rpc-url", default=None)
    ap.add_argument("--sizes", default="1,5,20")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ptau = make_ptau(work / "ptau")
        with ThreadPoolExecutor(2) as pool:
            fixtures = list(pool.map(lambda n: make_fixture(work / f"n{n}", n, ptau), sizes))
        chain = connect(args.rpc_url)
        rows = []
        for fx in fixtures:
            proof, public = fx.prove([1000 * i + 17 for i in range(1, fx.n_public)])
            rows.append(compare_verify_gas(chain, fx.vk, fx.solidity_verifier(), proof, public))
        print("verifyProof transaction gasUsed (same calldata for both)")
        print(format_table(rows))
        print("\nSolvencyRegistry.submit, n_c=2, n_d=1, first proof of the account:")
        print(f"  before anchoring (N=11):  {OLD_SUBMIT_GAS:>9,}")
        print(f"  registered mode (N=11):   {submit_gas(chain, REGISTERED):>9,}")
        print(f"  attested mode (N=14):     {submit_gas(chain, ATTESTED):>9,}")


if __name__ == "__main__":
    main()
