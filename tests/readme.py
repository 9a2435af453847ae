"""README code blocks run as bash scripts: extraction between markers and the run."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_block(name: str) -> str:
    """The one ```bash block between <!-- name:begin --> and <!-- name:end --> of README.md."""
    block = re.compile(rf"<!-- {name}:begin -->\n```bash\n(.*?)```\n<!-- {name}:end -->", re.S)
    found = block.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1, f"README.md must hold exactly one {name} block"
    return found[0]


def run_script(script: Path, text: str, rpc_url: str) -> subprocess.CompletedProcess:
    """Run `text` (under set -euo pipefail) as bash in script's folder against `rpc_url`,
    with this interpreter's zksolvency first on PATH and no chain settings inherited."""
    script.write_text("set -euo pipefail\n" + text)
    env = {k: v for k, v in os.environ.items()
           if k not in ("ZKSOLVENCY_PRIVATE_KEY", "ZKSOLVENCY_CHAIN", "ZKSOLVENCY_CONFIG")}
    # a scaffolded zksolvency.toml says 127.0.0.1:8545; the environment beats the file
    env.update(ETH_RPC_URL=rpc_url,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    return subprocess.run(["bash", str(script)], cwd=script.parent, env=env,
                          capture_output=True, text=True, timeout=900)
