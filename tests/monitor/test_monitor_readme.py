"""The README's "Run the monitor" block, verbatim, after the anvil walkthrough (both run
as one bash script against a real anvil): the monitor re-proves epoch 2 and the registry
reads the prover solvent at epoch 2."""
from __future__ import annotations

import json

from tests.readme import readme_block, run_script


def test_readme_monitor_block_runs_on_anvil(anvil, tmp_path):
    out = run_script(tmp_path / "monitor.sh",
                     readme_block("walkthrough") + readme_block("monitor"), anvil)
    assert out.returncode == 0, out.stdout + out.stderr
    records = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
    types = [r["type"] for r in records]
    # deployment's policy, epochs 1 and 2 seen; only epoch 2 proven (1 was submitted by hand)
    assert types == ["started", "policy_changed", "new_epoch", "new_epoch", "proven",
                     "submitted", "accepted", "stopped"], types
    assert records[6]["epoch"] == 2
    assert ": solvent (proven epoch 2" in out.stdout, out.stdout
