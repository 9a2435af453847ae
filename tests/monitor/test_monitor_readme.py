"""The README's "Run the monitor" block, verbatim, after the anvil walkthrough (both run
as one bash script against a real anvil): the monitor re-proves epoch 2 and the registry
reads the prover solvent at epoch 2."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.prover.test_walkthrough import readme_walkthrough

REPO = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- monitor:begin -->\n```bash\n(.*?)```\n<!-- monitor:end -->", re.S)


def test_readme_monitor_block_runs_on_anvil(anvil, tmp_path):
    found = BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1
    script = tmp_path / "monitor.sh"
    script.write_text("set -euo pipefail\n" + readme_walkthrough() + found[0])
    env = {k: v for k, v in os.environ.items()
           if k not in ("ZKSOLVENCY_PRIVATE_KEY", "ZKSOLVENCY_CHAIN", "ZKSOLVENCY_CONFIG")}
    env.update(ETH_RPC_URL=anvil,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    out = subprocess.run(["bash", str(script)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    records = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
    types = [r["type"] for r in records]
    # deployment's policy, epochs 1 and 2 seen; only epoch 2 proven (1 was submitted by hand)
    assert types == ["started", "policy_changed", "new_epoch", "new_epoch", "proven",
                     "submitted", "accepted", "stopped"], types
    assert records[6]["epoch"] == 2
    assert ": solvent (proven epoch 2" in out.stdout, out.stdout
