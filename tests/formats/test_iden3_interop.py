"""circom/snarkjs files in and out: r1cs, wtns, zkey; proofs checked by the other side."""
from __future__ import annotations

import json

import pytest

from tests.formats import iden3_env as env
from zk.formats.iden3 import read_r1cs, read_wtns, read_zkey, write_r1cs, write_wtns, write_zkey
from zk.formats.iden3.binfile import open_binfile
from zk.formats.snarkjs_json import proof_from_json, public_from_json
from zk.groth16 import prove, setup, verify


@pytest.fixture(scope="module")
def zkeys(circuits, ptau_path, tmp_path_factory):
    """name -> snarkjs .zkey (zkey new + one snarkjs contribution) for each test circuit."""
    out = {}
    for name in ("mul", "cmp", "poseidon"):
        c = circuits(name)
        d = c["dir"]
        if not (d / "final.zkey").exists():
            env.snarkjs("zkey", "new", "main.r1cs", str(ptau_path), "init.zkey", cwd=d)
            env.snarkjs("zkey", "contribute", "init.zkey", "final.zkey", "--name=t",
                        "-e=entropy", cwd=d)
        out[name] = d / "final.zkey"
    return out


@pytest.mark.parametrize("name", ["mul", "cmp", "poseidon"])
def test_circom_r1cs_and_witness_load(circuits, name):
    c = circuits(name)
    cs, w = read_r1cs(c["r1cs"]), read_wtns(c["wtns"])
    assert cs.num_wires == len(w)
    cs.check(w)
    w[-1] = (w[-1] + 1) % (1 << 200)
    assert not cs.is_satisfied(w)


@pytest.mark.parametrize("name", ["cmp", "poseidon"])
def test_we_prove_from_snarkjs_zkey_snarkjs_verifies(circuits, zkeys, name, backend, tmp_path):
    """circomlib comparator and Poseidon: our prover on snarkjs's .zkey + .wtns."""
    zk = read_zkey(zkeys[name])
    w = read_wtns(circuits(name)["wtns"])
    proof = prove(zk.pk, w, backend)
    public = w[1:1 + zk.pk.num_public]
    assert env.snarkjs_verify(tmp_path, zk.vk, proof, public)
    assert verify(zk.vk, proof, public, backend)
    assert not verify(zk.vk, proof, [(public[0] + 1)] + public[1:], backend)


def test_snarkjs_proof_verified_by_us(circuits, zkeys, ref, tmp_path):
    c = circuits("poseidon")
    env.snarkjs("groth16", "prove", str(zkeys["poseidon"]), str(c["wtns"]), "proof.json",
                "public.json", cwd=tmp_path)
    proof = proof_from_json(json.loads((tmp_path / "proof.json").read_text()))
    public = public_from_json(json.loads((tmp_path / "public.json").read_text()))
    vk = read_zkey(zkeys["poseidon"]).vk
    assert verify(vk, proof, public, ref)
    assert not verify(vk, proof, [public[0] ^ 1], ref)


def test_our_zkey_proves_with_snarkjs(circuits, ref, tmp_path):
    """Our development setup exported as .zkey: `snarkjs groth16 prove` accepts it."""
    c = circuits("mul")
    cs = read_r1cs(c["r1cs"])
    pk = setup(cs, ref)
    write_zkey(pk, tmp_path / "ours.zkey")
    env.snarkjs("groth16", "prove", "ours.zkey", str(c["wtns"]), "proof.json", "public.json",
                cwd=tmp_path)
    proof = proof_from_json(json.loads((tmp_path / "proof.json").read_text()))
    public = public_from_json(json.loads((tmp_path / "public.json").read_text()))
    assert public == read_wtns(c["wtns"])[1:1 + cs.num_public]
    assert verify(pk.vk, proof, public, ref)
    back = read_zkey(tmp_path / "ours.zkey")
    assert back.pk.h_query == pk.h_query and back.pk.a_matrix == pk.a_matrix


def test_our_r1cs_read_by_snarkjs(circuits, tmp_path):
    c = circuits("cmp")
    cs = read_r1cs(c["r1cs"])
    write_r1cs(cs, tmp_path / "ours.r1cs")
    info = env.snarkjs("r1cs", "info", "ours.r1cs", cwd=tmp_path).stdout
    assert f"# of Constraints: {cs.num_constraints}" in info
    assert f"# of Wires: {cs.num_wires}" in info
    assert f"# of Public Inputs: {cs.num_public}" in info
    again = read_r1cs(tmp_path / "ours.r1cs")
    assert again.constraints == cs.constraints
    with open_binfile(c["r1cs"], "r1cs", 1) as theirs, \
            open_binfile(tmp_path / "ours.r1cs", "r1cs", 1) as ours:
        assert ours.read_section(2) == theirs.read_section(2)  # circom's bytes, term for term
    write_wtns(read_wtns(c["wtns"]), tmp_path / "ours.wtns")
    res = env.snarkjs("wtns", "check", "ours.r1cs", "ours.wtns", cwd=tmp_path)
    assert "WITNESS IS CORRECT" in res.stdout


def test_zkey_roundtrip_is_byte_exact(zkeys, tmp_path):
    src = zkeys["cmp"]
    write_zkey(read_zkey(src), tmp_path / "copy.zkey")
    assert (tmp_path / "copy.zkey").read_bytes() == src.read_bytes()


def test_cli_proves_circom_circuit_from_zkey_and_wtns(circuits, zkeys, tmp_path):
    """`zksolvency prove --zkey --wtns`; snarkjs verifies the files it writes."""
    from click.testing import CliRunner

    from prover.cli import main
    c = circuits("cmp")
    out = CliRunner().invoke(main, ["prove", "--zkey", str(zkeys["cmp"]), "--wtns",
                                    str(c["wtns"]), "--proof", str(tmp_path / "proof.json"),
                                    "--public", str(tmp_path / "public.json")])
    assert out.exit_code == 0, out.output
    env.snarkjs("zkey", "export", "verificationkey", str(zkeys["cmp"]), "vk.json", cwd=tmp_path)
    env.snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp_path)
    bad = CliRunner().invoke(main, ["prove", "--zkey", str(zkeys["cmp"]), "--wtns",
                                    str(circuits("mul")["wtns"]), "--proof",
                                    str(tmp_path / "p2.json")])
    assert bad.exit_code == 2 and not (tmp_path / "p2.json").exists()
