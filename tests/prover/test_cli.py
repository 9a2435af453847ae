"""The zksolvency CLI end to end on the shipped example circuit, and its exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from prover.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "circuits.examples:ReserveCheck"
INPUTS = REPO / "examples" / "reserve_check.json"


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """setup + prove once; returns the folder with keys/, proof.json, public.json."""
    d = tmp_path_factory.mktemp("cli")
    run = CliRunner().invoke
    r = run(main, ["setup", EXAMPLE, "-o", str(d / "keys")])
    assert r.exit_code == 0, r.output
    r = run(main, ["prove", EXAMPLE, "--keys", str(d / "keys"), "-i", str(INPUTS),
                   "--proof", str(d / "proof.json"), "--public", str(d / "public.json")])
    assert r.exit_code == 0, r.output
    return d


def verify(d: Path, proof="proof.json", public="public.json", extra=()):
    return CliRunner().invoke(main, [*extra, "verify", str(d / "keys/verification_key.json"),
                                     str(d / public), str(d / proof)])


def test_circuit_info_prints_sizes_and_public_order():
    r = CliRunner().invoke(main, ["circuit", "info", EXAMPLE, "-p", "n=4"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert any(ln.split() == ["num_public", "3"] for ln in lines)
    public = lines[lines.index("public inputs (verifier order)") + 2:]
    assert [ln.split()[:3] for ln in public] == \
        [["0", "total", "scalar"], ["1", "reserves", "scalar"], ["2", "ratio_bps", "scalar"]]
    assert not any("\x1b" in ln or "\u2500" in ln for ln in lines)   # plain off a terminal


def test_circuit_from_a_file_path(tmp_path):
    src = tmp_path / "mine.py"
    src.write_text("from zk import Circuit, Private, Public\n"
                   "class Sq(Circuit):\n    y: Public\n    x: Private\n"
                   "    def define(self, api):\n"
                   "        api.assert_equal(self.x * self.x, self.y)\n")
    r = CliRunner().invoke(main, ["circuit", "info", f"{src}:Sq", "--json"])
    assert r.exit_code == 0
    assert json.loads(r.output)["num_constraints"] == 2     # the product, then the equality


def test_valid_proof_exits_0(flow):
    r = verify(flow)
    assert r.exit_code == 0 and "valid" in r.output


def test_wrong_public_input_exits_1(flow):
    pub = json.loads((flow / "public.json").read_text())
    pub[2] = str(int(pub[2]) + 1)
    (flow / "wrong.json").write_text(json.dumps(pub))
    assert verify(flow, public="wrong.json").exit_code == 1


@pytest.mark.parametrize("content", ["{", '["1", "2"]', '["1","2","21888242871839275222246405745'
                                     '257275088548364400416034343698204186575808495617"]'])
def test_malformed_public_exits_2_with_one_line(flow, content):
    (flow / "bad.json").write_text(content)
    r = verify(flow, public="bad.json")
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and r.output.startswith("error:")


def test_verify_takes_the_key_folder_as_vk(flow):
    r = CliRunner().invoke(main, ["verify", str(flow / "keys"), str(flow / "public.json"),
                                  str(flow / "proof.json")])
    assert r.exit_code == 0 and "valid" in r.output


def test_swapped_public_and_proof_say_which_argument_was_read_as_what(flow):
    """snarkjs order is VK PUBLIC PROOF; the old order is refused by content, not by a
    bare "expected a JSON object"."""
    r = verify(flow, proof="public.json", public="proof.json")
    assert r.exit_code == 2 and r.output.count("\n") == 1
    assert f"PUBLIC ({flow / 'proof.json'}) was read as the public inputs but holds a " \
           "proof" in r.output
    assert f"PROOF ({flow / 'public.json'}) was read as the proof but holds public " \
           "inputs" in r.output and "VK PUBLIC PROOF" in r.output
    vk_last = CliRunner().invoke(main, ["verify", str(flow / "proof.json"),
                                        str(flow / "public.json"),
                                        str(flow / "keys/verification_key.json")])
    assert vk_last.exit_code == 2
    assert "VK (" in vk_last.output and "holds a proof" in vk_last.output
    assert "was read as the proof but holds a verification key" in vk_last.output


def test_missing_file_exits_2(flow):
    assert verify(flow, proof="nope.json").exit_code == 2


def test_unsatisfiable_inputs_exit_1_and_hide_private_values(flow, tmp_path):
    bad = json.loads(INPUTS.read_text())
    bad["balances"][1] = "987654321987"          # sum no longer equals total
    p = tmp_path / "in.json"
    p.write_text(json.dumps(bad))
    r = CliRunner().invoke(main, ["prove", EXAMPLE, "--keys", str(flow / "keys"), "-i", str(p),
                                  "--proof", str(tmp_path / "p.json"),
                                  "--public", str(tmp_path / "q.json")])
    assert r.exit_code == 1 and "balances/assert_equal" in r.output
    assert "987654321987" not in r.output
    assert not (tmp_path / "p.json").exists()


def test_key_for_another_circuit_shape_is_refused(flow, tmp_path):
    r = CliRunner().invoke(main, ["prove", EXAMPLE, "-p", "n=3", "--keys", str(flow / "keys"),
                                  "-i", str(INPUTS), "--proof", str(tmp_path / "p.json")])
    assert r.exit_code == 2 and "another circuit" in r.output


def test_bad_circuit_reference_exits_2():
    r = CliRunner().invoke(main, ["circuit", "info", "no_such_module:X"])
    assert r.exit_code == 2 and "cannot import" in r.output


def test_console_script_exit_codes_and_debug(flow):
    """The installed entry point, as a user runs it (exit codes from a real process)."""
    cmd = [sys.executable, "-m", "prover.cli"]
    vk = str(flow / "keys/verification_key.json")
    ok = subprocess.run([*cmd, "verify", vk, str(flow / "public.json"),
                         str(flow / "proof.json")], capture_output=True, text=True)
    assert ok.returncode == 0
    bad = subprocess.run([*cmd, "verify", vk, vk, str(flow / "proof.json")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    dbg = subprocess.run([*cmd, "--debug", "verify", vk, vk, str(flow / "proof.json")],
                         capture_output=True, text=True)
    assert dbg.returncode != 0 and "Traceback" in dbg.stderr


def test_prove_with_a_compiled_circuit_cache(flow, tmp_path):
    args = ["prove", EXAMPLE, "--keys", str(flow / "keys"), "-i", str(INPUTS),
            "--cache-dir", str(tmp_path / "cc"), "--proof", str(tmp_path / "proof.json"),
            "--public", str(tmp_path / "public.json")]
    for _ in range(2):                     # fills the cache, then loads from it
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 0, r.output
        assert len(list((tmp_path / "cc").iterdir())) == 1
        r = CliRunner().invoke(main, ["verify", str(flow / "keys/verification_key.json"),
                                      str(tmp_path / "public.json"),
                                      str(tmp_path / "proof.json")])
        assert r.exit_code == 0 and "valid" in r.output
