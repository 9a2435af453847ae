"""The README's anvil walkthrough, extracted verbatim and run as a bash script against a
real anvil node (127.0.0.1, stopped by PID): three keys, deploy (verifier, pushed-price
epoch oracle, registry on it), open an epoch, prove, record, submit, status."""
from __future__ import annotations

import pytest

from prover.scaffold import WALKTHROUGH
from tests.readme import readme_block, run_script

pytestmark = pytest.mark.slow


def test_init_writes_the_readme_walkthrough():
    assert readme_block("walkthrough") == WALKTHROUGH


def test_walkthrough_runs_verbatim_on_anvil(anvil_url, tmp_path):
    out = run_script(tmp_path / "walkthrough.sh", readme_block("walkthrough"), anvil_url)
    assert out.returncode == 0, out.stdout + out.stderr
    assert ": solvent (proven epoch 1" in out.stdout, out.stdout
    # only the oracle key may post, only the admin record, only the prover submit for itself
    assert "event EpochOpened(epoch=1" in out.stderr, out.stderr
    assert "event ProofAccepted(kind=0" in out.stderr, out.stderr
    assert "current epoch 1" in out.stdout and "not tripped" in out.stdout, out.stdout
    project = tmp_path / "demo-project"
    assert (project / "deploy.json").is_file() and (project / "proof/proof.json").is_file()
    assert oct((project / "portfolio.json").stat().st_mode & 0o777) == "0o600"
