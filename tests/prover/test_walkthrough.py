"""The README's anvil walkthrough, extracted verbatim and run as a bash script against a
real anvil node (127.0.0.1, stopped by PID): three keys, deploy, post prices, prove,
record, submit, status."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from prover.scaffold import WALKTHROUGH

REPO = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- walkthrough:begin -->\n```bash\n(.*?)```\n<!-- walkthrough:end -->",
                   re.S)

pytestmark = pytest.mark.slow


def readme_walkthrough() -> str:
    found = BLOCK.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1, "README.md must hold exactly one walkthrough block"
    return found[0]


def test_init_writes_the_readme_walkthrough():
    assert readme_walkthrough() == WALKTHROUGH


def test_walkthrough_runs_verbatim_on_anvil(anvil_url, tmp_path):
    script = tmp_path / "walkthrough.sh"
    script.write_text("set -euo pipefail\n" + readme_walkthrough())
    env = {k: v for k, v in os.environ.items()
           if k not in ("ZKSOLVENCY_PRIVATE_KEY", "ZKSOLVENCY_CHAIN", "ZKSOLVENCY_CONFIG")}
    # the scaffolded zksolvency.toml says 127.0.0.1:8545; the environment beats the file
    env.update(ETH_RPC_URL=anvil_url,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    out = subprocess.run(["bash", str(script)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stdout + out.stderr
    assert ": solvent (proven epoch 1" in out.stdout, out.stdout
    # only the oracle key may post, only the admin record, only the prover submit for itself
    assert "event PricesPosted(epoch=1" in out.stderr and "event SolvencyProven(" in out.stderr
    project = tmp_path / "demo-project"
    assert (project / "deploy.json").is_file() and (project / "proof/proof.json").is_file()
    assert oct((project / "portfolio.json").stat().st_mode & 0o777) == "0o600"
