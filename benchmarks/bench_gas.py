"""Gas of verifyProof: our template verifier vs `snarkjs zkey export solidityverifier`.

Builds circuits with 1, 5 and 20 public inputs with the npm circom/snarkjs toolchain,
proves once each, deploys both verifiers on the embedded EVM (or --rpc-url) and prints
transaction gasUsed. Also prints SolvencyRegistry.submit gas for n_c=2, n_d=1 (N=11).

    python benchmarks/bench_gas.py [--rpc-url URL] [--sizes 1,5,20]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verifier_contracts import connect, deploy_registry, deploy_verifier  # noqa: E402
from verifier_contracts.gas import compare_verify_gas, format_table  # noqa: E402
from verifier_contracts.registry import encode_submit, post_prices  # noqa: E402
from verifier_contracts.snarkjs import make_fixture, make_ptau  # noqa: E402


def submit_gas(chain, fx) -> int:
    """Gas of a successful SolvencyRegistry.submit (n_c=2, n_d=1)."""
    verifier = deploy_verifier(chain, fx.vk, self_test=False)
    registry = deploy_registry(chain, verifier, fx.vk, 2, 1, [500, 1000], 15000)
    valid_until = chain.timestamp() + 3600
    post_prices(chain, registry, 1, [2000 * 10**8, 10**8], [10**8], valid_until)
    inputs = [2000 * 10**8, 10**8, 500, 1000, 10**8, 15000, 1,
              int(chain.address, 16), chain.chain_id, int(registry, 16)]
    proof, public = fx.prove(inputs, tag="submit")
    receipt = chain.send(registry, encode_submit(proof, public), gas=800_000, action="submit")
    return int(receipt["gasUsed"])


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
            fixtures = list(pool.map(lambda n: make_fixture(work / f"n{n}", n, ptau),
                                     sizes + [11]))
        chain = connect(args.rpc_url)
        rows = []
        for fx in fixtures[:-1]:
            proof, public = fx.prove([1000 * i + 17 for i in range(1, fx.n_public)])
            rows.append(compare_verify_gas(chain, fx.vk, fx.solidity_verifier(), proof, public))
        print("verifyProof transaction gasUsed (same calldata for both)")
        print(format_table(rows))
        print(f"\nSolvencyRegistry.submit (n_c=2, n_d=1, N=11): {submit_gas(chain, fixtures[-1])}")


if __name__ == "__main__":
    main()
