"""Write raw seed files for every harness: the examples, test-style variants and small
valid files of each binary format made by the project's own writers (and snarkjs for
.ptau when it is installed). ``fuzz/minimize.sh`` merges them into ``fuzz/corpus``.

Usage: ``python -m fuzz.make_seeds OUT_DIR``
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fuzz.targets import EXAMPLES, REPO
from zk import Circuit, Private, Public


class Tiny(Circuit):
    """z = x * y + 1: the smallest key with a public input, a private one and H."""

    z: Public
    x: Private
    y: Private

    def define(self, api) -> None:
        api.assert_equal(self.x * self.y + 1, self.z)


def _write(out: Path, harness: str, name: str, data: bytes | str) -> None:
    d = out / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data.encode() if isinstance(data, str) else data)


CONFIG_SEEDS = {
    "full.toml": '[profile.default]\nrpc_url = "http://127.0.0.1:8545"\nchain_id = 31337\n'
                 'registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3"\n'
                 'verifier = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"\n'
                 'attesters = "0x9FE46736679D2D9A65F0992F2272DE9F3C7FA6E0"\n'
                 'keys = "keys"\nkeystore = "admin.json"\n\n[profile.sepolia]\n'
                 'rpc_url = "https://rpc.example"\nchain_id = 11155111\n',
    "bad-checksum.toml": '[profile.default]\n'
                         'registry = "0x5fbDB2315678afecb367f032d93F642f64180aa3"\n',
    "types.toml": '[profile.x]\nchain_id = "1"\n[profile.y]\nchain_id = true\n',
}


def _copy_examples(out: Path) -> None:
    for name, text in CONFIG_SEEDS.items():
        _write(out, "config", name, text)
    col, res = EXAMPLES / "collateral", EXAMPLES / "reserves"
    for h, f in [("policy", col / "policy.json"), ("prices", col / "prices.json"),
                 ("portfolio", col / "portfolio.json"), ("reserves", res / "assets.json"),
                 ("ledger_csv", res / "ledger.csv"), ("ledger_json", res / "ledger.json"),
                 ("circuit_inputs", EXAMPLES / "reserve_check.json")]:
        _write(out, h, f.name, f.read_bytes())
    # the friction cases of issue 11 and small variants, as starting points
    _write(out, "portfolio", "long-salt.json", json.dumps(
        {"salt": "9" * 5000, "collateral": {"ETH": "1"}}))
    _write(out, "ledger_csv", "bad-utf8.csv", b"user_id,BTC\n\xff\xfe,1\n")
    _write(out, "ledger_csv", "quoted.csv", 'user_id,BTC,ETH\n"a,b",1.5,"2"\n')
    _write(out, "ledger_json", "surrogate.json",
           '{"users": [{"id": "\\ud800", "balances": {"BTC": "1"}}]}')
    _write(out, "prices", "no-decimals.json", '{"epoch": 1, "prices": {"ETH": "1"}}')
    _write(out, "deploy_state", "state.json", json.dumps({"version": 1, "steps": {
        "verifier": {"chain_id": 31337, "nonce": 0, "tx_hash": "0x" + "11" * 32,
                     "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}}}))


def _inclusion(out: Path) -> None:
    from circuits import reserves_batch as rb
    from circuits.inclusion import inclusion_v3, user_id_hash
    from prover.reserves import load_assets
    from prover.reserves.ingest import iter_users
    assets = load_assets(EXAMPLES / "reserves" / "assets.json")
    with tempfile.TemporaryDirectory() as tmp:
        users = list(iter_users(EXAMPLES / "reserves" / "ledger.csv", assets,
                                Path(tmp) / "index.sqlite"))
    salts = [i + 1 for i in range(len(users))]            # deterministic seed files
    n = len(assets.assets)
    batches = [list(range(0, 8)), list(range(8, len(users)))]
    levels = [rb.batch_levels([rb.leaf_hash(rb.user_commitment(user_id_hash(users[i][0]),
                                                               salts[i]), users[i][1])
                               for i in b], 3, n) for b in batches]
    top = rb.top_levels([lv[-1][0] for lv in levels], 3, n)
    statement = {"chain_id": "31337", "registry": "0x" + "ab" * 20,
                 "exchange": "0x" + "cd" * 20, "epoch": "1", "key_id": "0x" + "11" * 32,
                 "statement_hash": "0x" + "22" * 32}
    for k, i in ((0, 0), (1, len(users) - 1)):
        leaf = batches[k].index(i)
        proof = inclusion_v3(users[i][0], salts[i], users[i][1], assets.assets,
                             assets.decimals, k, leaf, levels[k], top, statement)
        _write(out, "inclusion", f"v3-user{i}.json", json.dumps(proof))


def _attestations(out: Path) -> None:
    from prover import attest
    from zk import atomic
    key = attest.AttesterKey(12345, attest.eddsa.public_key(12345))   # a made-up test key
    with tempfile.TemporaryDirectory() as tmp:
        attest.save_key(key, Path(tmp) / "k.json", Path(tmp) / "p.json")
        _write(out, "attester_key", "key.json", (Path(tmp) / "k.json").read_bytes())
        _write(out, "attester_public_key", "pub.json", (Path(tmp) / "p.json").read_bytes())
        att = attest.sign(key, "position", 31337, 0x5FbDB2315678afecb367f032d93F642f64180aa3,
                          0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, 777, 1700000000)
        atomic.write_json(Path(tmp) / "a.json", attest.attestation_json(att))
        _write(out, "attestation", "position.json", (Path(tmp) / "a.json").read_bytes())


def _keys_and_proofs(out: Path) -> None:
    from zk import compile_circuit, groth16
    from zk.formats import keyfile
    from zk.formats import snarkjs_json as sj
    from zk.formats.iden3 import write_r1cs, write_wtns, write_zkey
    from zk.formats.iden3.zkey import read_zkey
    cs = compile_circuit(Tiny())
    witness = cs.solve({"z": 7, "x": 2, "y": 3})
    pk = groth16.setup(cs)
    proof = groth16.prove(pk, witness)
    public = cs.public_values(witness)
    from prover import workflow
    _write(out, "snarkjs_proof", "proof.json", json.dumps(sj.proof_to_json(proof)))
    _write(out, "snarkjs_proof", "with-key-id.json",
           json.dumps(workflow.proof_json(proof, pk.vk, cs.statement)))
    _write(out, "snarkjs_public", "public.json", json.dumps(sj.public_to_json(public)))
    _write(out, "snarkjs_vk", "verification_key.json", json.dumps(sj.vk_to_json(pk.vk)))
    _write(out, "snarkjs_vk", "with-statement.json",
           json.dumps(sj.vk_to_json(pk.vk, cs.statement)))
    _write(out, "statement", "statement.json", json.dumps(cs.statement.to_json()))
    _write(out, "keyfile", "proving_key.zkpk", keyfile.encode(pk))
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        write_r1cs(cs.r1cs if hasattr(cs, "r1cs") else cs, t / "c.r1cs")
        write_wtns(witness, t / "w.wtns")
        write_wtns([1, 2, 3], t / "small.wtns")
        write_zkey(pk, t / "c.zkey")
        from fuzz.targets import CACHE_KEY
        from zk import cache as zc
        if zc.save(cs, t / "c.zkcc", CACHE_KEY):
            _write(out, "cache", "tiny.zkcc", (t / "c.zkcc").read_bytes())
        for harness, name in [("r1cs", "c.r1cs"), ("wtns", "w.wtns"), ("wtns", "small.wtns"),
                              ("zkey", "c.zkey")]:
            _write(out, harness, name, (t / name).read_bytes())
        try:
            from zk.ceremony.contribute import contribute
            zk2, _ = contribute(read_zkey(t / "c.zkey"), name="fuzz seed",
                                entropy_text="fuzz seed")
            write_zkey(zk2, t / "c1.zkey")
            _write(out, "zkey", "contributed.zkey", (t / "c1.zkey").read_bytes())
        except Exception as exc:  # the contribution seed is optional
            print(f"no contributed .zkey seed: {exc}", file=sys.stderr)


def _native(out: Path) -> None:
    """Inputs of fuzz/native/fuzz_native.c: a selector byte, then the kernel's bytes."""
    import struct

    from zk import curve
    from zk.formats.iden3 import points as P
    from zk.formats.iden3.binfile import open_binfile
    zkey = out / "zkey" / "c.zkey"
    with open_binfile(zkey, "zkey", 2) as bf:
        lem_g1, lem_g2 = bf.read_section(5), bf.read_section(7)
        coefs, head = bf.read_section(4), bf.read_section(2)
    n_vars, _, domain = struct.unpack_from("<III", head, 72)
    g1, g2 = P.g1_from_lem(lem_g1, "seed"), P.g2_from_lem(lem_g2, "seed")
    wit = (out / "wtns" / "w.wtns").read_bytes()[-32 * 4:]
    entries = coefs[4:]
    seeds = {0: lem_g1, 1: lem_g2, 2: g1 + curve.G1_GEN, 3: g2 + curve.G2_GEN, 4: wit,
             5: struct.pack("<II", domain, n_vars) + entries, 6: g1 + curve.G1_ZERO,
             7: g2 + curve.G2_GEN,
             8: bytes([4, 0, 2, 3]) + struct.pack("<IIII", 0, 3, 1, 2) + wit[:64] + wit[:96]}
    for sel, data in seeds.items():
        _write(out, "native", f"sel{sel}", bytes([sel]) + data)


def _ptau(out: Path) -> None:
    snarkjs = shutil.which("snarkjs", path=str(REPO / ".ci/npm/node_modules/.bin"))
    if not snarkjs:
        print("snarkjs not installed: no .ptau seeds", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        def run(*args: str) -> None:
            subprocess.run([snarkjs, *args], cwd=tmp, check=True, capture_output=True)
        run("powersoftau", "new", "bn128", "1", "p0.ptau")
        run("powersoftau", "contribute", "p0.ptau", "p1.ptau", "--name=fuzz", "-e=fuzz seed")
        run("powersoftau", "prepare", "phase2", "p1.ptau", "p2.ptau")
        for name in ("p0.ptau", "p2.ptau"):
            _write(out, "ptau", name, (Path(tmp) / name).read_bytes())


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit("usage: python -m fuzz.make_seeds OUT_DIR")
    out = Path(argv[1])
    _copy_examples(out)
    _inclusion(out)
    _attestations(out)
    _keys_and_proofs(out)
    _native(out)
    _ptau(out)


if __name__ == "__main__":
    main(sys.argv)
