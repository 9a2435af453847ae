"""Monitor throughput against anvil: time from a new epoch until N positions are
re-proven and accepted by the registry, and positions per minute.

Each position is a 4 collateral + 2 debt asset ATTESTED collateral-ratio proof (the
position signed by an attester, verified in the circuit) under its own account on an
ATTESTED SolvencyRegistry. Epoch 1 proves every position once (keys loaded, caches warm);
epoch 2 is the measured re-prove. Development keys; anvil started here, stopped by PID.

    python benchmarks/bench_monitor.py            # N = 10 and 100
    python benchmarks/bench_monitor.py --n 10
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prover import attest  # noqa: E402
from prover import collateral as col  # noqa: E402
from prover.monitor import Monitor, load_monitor_config  # noqa: E402
from prover.workflow import VK_NAME, read_vk  # noqa: E402
from verifier_contracts import (  # noqa: E402
    add_attester,
    connect,
    deploy_attester_registry,
    deploy_verifier,
)
from verifier_contracts import registry as reg  # noqa: E402
from verifier_contracts.solc import node_bin  # noqa: E402
from zk import atomic  # noqa: E402

ADMIN = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
E8 = 10**8
ASSETS = [("ETH", 18, 2000), ("BTC", 8, 1000), ("SOL", 9, 3000), ("LINK", 18, 3000)]
DEBTS = [("USDC", 6), ("DAI", 18)]
PRICES = [3000 * E8, 60000 * E8, 150 * E8, 15 * E8]


def _anvil() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(node_bin("anvil")), "--host", "127.0.0.1", "--port",
                             str(port), "--silent", "--gas-limit", "300000000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def run(n: int, work: Path, url: str, keys: Path, policy_path: Path) -> dict:
    chain = connect(url, private_key=ADMIN)
    policy = col.load_policy(policy_path)
    vk_path = col.shape_dir(keys, policy, attested=True) / VK_NAME
    vk, statement = json.loads(vk_path.read_text()), read_vk(vk_path)[1]
    verifier = deploy_verifier(chain, vk, self_test=False)
    attesters = deploy_attester_registry(chain, admin_delay=0)
    signer = attest.generate_key()
    add_attester(chain, attesters, int(signer.public[0]), int(signer.public[1]))
    registry = reg.deploy_registry(chain, verifier, vk, statement, mode=reg.ATTESTED,
                                   haircuts_bps=[h for _, _, h in ASSETS],
                                   min_ratio_bps=15000, attester_registry=attesters,
                                   dev_keys=True, admin_delay=0)
    folder = work / f"n{n}"
    folder.mkdir()
    env, accounts = {}, []
    as_of = chain.timestamp() - 5
    for i in range(n):
        key = "0x" + secrets.token_hex(32)
        who = chain.with_key(key).address
        chain.w3.provider.make_request("anvil_setBalance", [who, hex(10**20)])
        portfolio = {"salt": str(1000 + i), "collateral": {"ETH": "10", "BTC": "0.5",
                                                           "SOL": "100", "LINK": "500"},
                     "debt": {"USDC": "15000", "DAI": "1000"}}
        atomic.write_json(folder / f"p{i}.json", portfolio)
        p = col.load_portfolio(folder / f"p{i}.json", policy)
        att = attest.sign(signer, "position", chain.chain_id, int(registry, 16),
                          int(who, 16), p.commitment(), as_of)
        atomic.write_json(folder / f"a{i}.json", attest.attestation_json(att))
        env[f"K{i}"] = key
        accounts.append(f'[[monitor.accounts]]\nname = "p{i}"\nkey_env = "K{i}"\n'
                        f'position = "p{i}.json"\nattestation = "a{i}.json"\n')
    (folder / "zksolvency.toml").write_text(
        f'[monitor]\nregistry = "{registry}"\npolicy = "{policy_path}"\nkeys = "{keys}"\n'
        f'state = "monitor.sqlite"\nconfirmations = 0\n\n' + "\n".join(accounts))
    os.environ["ETH_RPC_URL"] = url
    cfg = load_monitor_config(folder / "zksolvency.toml")
    mon = Monitor(cfg, env=env, sinks=[])
    times = []
    for epoch in (1, 2):
        reg.post_prices(chain, registry, epoch, PRICES, [E8, E8], chain.timestamp() + 7200)
        t0 = time.perf_counter()
        mon.step()
        times.append(time.perf_counter() - t0)
        accepted = [r for r in mon.records if r["type"] == "accepted" and r["epoch"] == epoch]
        assert len(accepted) == n, f"epoch {epoch}: {len(accepted)} of {n} accepted"
    proofs = [r["data"]["proof_seconds"] for r in mon.records
              if r["type"] == "proven" and r["epoch"] == 2]
    mon.close()
    return {"n": n, "first_epoch_s": round(times[0], 2), "reprove_s": round(times[1], 2),
            "positions_per_minute": round(60 * n / times[1], 1),
            "mean_proof_s": round(sum(proofs) / len(proofs), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", help="positions (default 10, 100)")
    args = ap.parse_args()
    sizes = args.n or [10, 100]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        policy = {"chain_id": "31337", "registry": "0x" + "00" * 19 + "01",
                  "min_ratio_bps": "15000",
                  "collateral": [{"asset": a, "decimals": str(d), "haircut_bps": str(h)}
                                 for a, d, h in ASSETS],
                  "debt": [{"asset": a, "decimals": str(d)} for a, d in DEBTS]}
        atomic.write_json(work / "policy.json", policy)
        t0 = time.perf_counter()
        col.setup(col.load_policy(work / "policy.json"), work / "keys", attested=True)
        print(f"setup (4+2 attested, DEVELOPMENT keys): {time.perf_counter() - t0:.1f} s",
              flush=True)
        proc, url = _anvil()
        try:
            rows = [run(n, work, url, work / "keys", work / "policy.json") for n in sizes]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print("| N | first epoch (s) | re-prove after a new epoch (s) | positions / minute | "
          "mean proof (s) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} | {r['first_epoch_s']} | {r['reprove_s']} | "
              f"{r['positions_per_minute']} | {r['mean_proof_s']} |")
    if rows:
        last = rows[-1]
        est = 1000 * last["reprove_s"] / last["n"]
        print(f"| 1000 (extrapolated from N={last['n']}) | – | ~{est:.0f} | "
              f"{last['positions_per_minute']} | – |")


if __name__ == "__main__":
    main()
