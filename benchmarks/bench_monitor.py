"""Monitor throughput against anvil: time from a new epoch until N positions are
re-proven and accepted by the registry, and positions per minute.

Each position is a 4 collateral + 2 debt asset ATTESTED collateral-ratio proof (the
position signed by an attester, verified in the circuit) under its own account on an
ATTESTED SolvencyRegistry reading a pushed-price EpochOracle. A warm-up epoch proves
only the first --warmup positions (keys and compiled circuit loaded, native kernels and
caches warm); the measured epoch then re-proves and submits ALL N positions. Proofs are
made on `--provers` threads while the monitor submits the ones already made. The output
splits the measured time by phase: chain reads, position and attestation loading, the
margin pre-check, prove (summed over the prover threads), prove_wait (the submitting
thread waiting for the next proof), the preflight call, sending, receipts. Development keys;
anvil started here, stopped by PID.

    python benchmarks/bench_monitor.py            # N = 10 and 100
    python benchmarks/bench_monitor.py --n 1000            # add --provers 2 on idle cores
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
from dataclasses import replace
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
from verifier_contracts import oracle as orc  # noqa: E402
from verifier_contracts import registry as reg  # noqa: E402
from verifier_contracts.solc import node_bin  # noqa: E402
from zk import atomic  # noqa: E402

ADMIN = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
E8 = 10**8
ASSETS = [("ETH", 18, 2000), ("BTC", 8, 1000), ("SOL", 9, 3000), ("LINK", 18, 3000)]
DEBTS = [("USDC", 6), ("DAI", 18)]
PRICES = [3000 * E8, 60000 * E8, 150 * E8, 15 * E8, E8, E8]


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


def _market(n: int, folder: Path, url: str, keys: Path, policy_path: Path):
    """Oracle, attested registry, N funded accounts with attested positions, the config."""
    chain = connect(url, private_key=ADMIN)
    policy = col.load_policy(policy_path)
    vk_path = col.shape_dir(keys, policy, attested=True) / VK_NAME
    vk, statement = json.loads(vk_path.read_text()), read_vk(vk_path)[1]
    verifier = deploy_verifier(chain, vk, self_test=False)
    attesters = deploy_attester_registry(chain, admin_delay=0)
    signer = attest.generate_key()
    add_attester(chain, attesters, int(signer.public[0]), int(signer.public[1]))
    oracle = orc.deploy_oracle(chain, len(ASSETS), len(DEBTS), admin_delay=0,
                               config=orc.OracleConfig(min_epoch_interval=0,
                                                       snapshot_validity=6 * 3600))
    registry = reg.deploy_registry(chain, verifier, vk, statement, oracle=oracle,
                                   mode=reg.ATTESTED, haircuts_bps=[h for _, _, h in ASSETS],
                                   min_ratio_bps=15000, attester_registry=attesters,
                                   dev_keys=True, admin_delay=0)
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
    return chain, oracle, env


def run(n: int, warmup: int, work: Path, url: str, keys: Path, policy_path: Path,
        provers: int = 1) -> dict:
    t0 = time.perf_counter()
    chain, oracle, env = _market(n, work / f"n{n}", url, keys, policy_path)
    print(f"N={n}: market deployed, {n} accounts in {time.perf_counter() - t0:.1f} s",
          flush=True)
    os.environ["ETH_RPC_URL"] = url
    cfg = replace(load_monitor_config(work / f"n{n}" / "zksolvency.toml"), provers=provers)
    mon = Monitor(cfg, env=env, sinks=[])
    warm = min(warmup, n)
    times = []
    for epoch, size in ((1, warm), (2, n)):
        assert orc.open_epoch_with_prices(chain, oracle, PRICES)["epoch"] == epoch
        mon.cfg = replace(cfg, accounts=cfg.accounts[:size])
        mon.timings.clear()
        t0 = time.perf_counter()
        mon.step()
        times.append(time.perf_counter() - t0)
        accepted = [r for r in mon.records if r["type"] == "accepted" and r["epoch"] == epoch]
        assert len(accepted) == size, f"epoch {epoch}: {len(accepted)} of {size} accepted"
        print(f"N={n}: epoch {epoch} ({'warm-up' if epoch == 1 else 'measured'}): {size} "
              f"positions proven and accepted in {times[-1]:.1f} s", flush=True)
    phases = {k: round(v, 2) for k, v in sorted(mon.timings.items(), key=lambda kv: -kv[1])}
    mon.close()
    return {"n": n, "provers": provers, "warmup": warm, "warmup_s": round(times[0], 2),
            "reprove_s": round(times[1], 2), "positions_per_minute": round(60 * n / times[1], 1),
            "mean_proof_s": round(mon.timings["prove"] / n, 3), "phases_s": phases}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", help="positions (default 10, 100)")
    ap.add_argument("--warmup", type=int, default=2,
                    help="positions proven in the warm-up epoch (default 2)")
    ap.add_argument("--provers", type=int, default=1,
                    help="proofs made at once on threads ([monitor] provers; default 1)")
    ap.add_argument("--json", action="store_true", help="also print the rows as JSON")
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
        print(f"setup (4+2 attested, DEVELOPMENT keys): {time.perf_counter() - t0:.1f} s; "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
        proc, url = _anvil()
        try:
            rows = [run(n, args.warmup, work, url, work / "keys", work / "policy.json",
                        args.provers) for n in sizes]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    print("| N | warm-up epoch | re-prove all N after a new epoch (s) | positions / minute | "
          "mean proof (s) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} | {r['warmup']} positions, {r['warmup_s']} s | {r['reprove_s']} | "
              f"{r['positions_per_minute']} | {r['mean_proof_s']} |")
    for r in rows:
        print(f"N={r['n']} measured epoch, seconds by phase: {r['phases_s']}")
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
