"""``zksolvency init [DIR]``: a project folder with ``zksolvency.toml``, policy, prices and
portfolio templates, and a README that walks from the keys to an accepted proof on anvil.

The walkthrough text (:data:`WALKTHROUGH`) is the same one the main README carries; a test
runs it against a real anvil node."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from zk import atomic
from zk.errors import UsageError

#: anvil's default development accounts 0, 1 and 2 (public keys of a public mnemonic).
ANVIL_ACCOUNTS = (
    ("admin", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
     "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    ("oracle", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
     "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    ("prover", "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
     "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
)

CONFIG = """\
# zksolvency.toml: chain profiles (looked up in this folder and its parents).
# Precedence: command-line flag > environment (ETH_RPC_URL, ZKSOLVENCY_CHAIN) > this file.
# Never put a private key or a password here.

[profile.default]           # a local anvil node
rpc_url = "http://127.0.0.1:8545"
chain_id = 31337            # checked against the node on every command
keys = "keys"

# [profile.sepolia]         # use with --chain sepolia
# rpc_url = "https://sepolia.example/rpc"
# chain_id = 11155111
# keystore = "deployer.json"   # eth-account keystore; the password is prompted for
# registry = "0x..."           # then "@registry" stands for this address
# oracle = "0x..."             # the registry's EpochOracle: "@oracle"
"""

POLICY = {
    "chain_id": "31337",
    "registry": "0x0000000000000000000000000000000000000000",
    "min_ratio_bps": "15000",
    "collateral": [
        {"asset": "ETH", "decimals": "18", "haircut_bps": "2000"},
        {"asset": "WBTC", "decimals": "8", "haircut_bps": "1500"},
    ],
    "debt": [{"asset": "USDC", "decimals": "6"}],
}

PRICES = {"epoch": "1", "decimals": "8",
          "prices": {"ETH": "3012.45", "WBTC": "64250.5", "USDC": "0.99985"}}

WALKTHROUGH = """\
# three distinct keys: anvil's public development accounts 0, 1 and 2
ADMIN_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
ORACLE_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
PROVER_KEY=0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a
ORACLE=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
PROVER=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC

zksolvency init demo-project && cd demo-project    # zksolvency.toml points at anvil
zksolvency collateral setup --policy policy.json --keys keys          # DEVELOPMENT keys
VK=$(ls keys/collateral-*/verification_key.json)

# the admin deploys the verifier, a pushed-price epoch oracle (the ORACLE account posts
# prices; `--feeds FILE` reads Chainlink feeds instead) and the registry reading it;
# the addresses also land in deploy.json
VERIFIER=$(ZKSOLVENCY_PRIVATE_KEY=$ADMIN_KEY zksolvency contract deploy "$VK" \\
    --dev-keys --state deploy.json)
PRICE_ORACLE=$(ZKSOLVENCY_PRIVATE_KEY=$ADMIN_KEY zksolvency oracle deploy --pushed \\
    --collateral 2 --debt 1 --oracle-role $ORACLE --min-epoch-interval 1 --state deploy.json)
REGISTRY=$(ZKSOLVENCY_PRIVATE_KEY=$ADMIN_KEY zksolvency registry deploy "$VERIFIER" "$VK" \\
    --mode registered --policy policy.json --oracle "$PRICE_ORACLE" --dev-keys \\
    --state deploy.json)

# the oracle opens epoch 1 with the prices the proof will use (the same prices.json)
ZKSOLVENCY_PRIVATE_KEY=$ORACLE_KEY zksolvency oracle open-epoch "$PRICE_ORACLE" \\
    --prices prices.json --policy policy.json

# the prover proves off-chain, bound to this chain, this registry and its own address
zksolvency collateral prove --policy policy.json --prices prices.json \\
    --portfolio portfolio.json --prover $PROVER --registry "$REGISTRY" --keys keys -o proof
COMMITMENT=$(zksolvency collateral commitment --policy policy.json --portfolio portfolio.json)

# the venue (here the admin, the position manager) records the position's commitment
ZKSOLVENCY_PRIVATE_KEY=$ADMIN_KEY zksolvency registry record-position "$REGISTRY" \\
    $PROVER "$COMMITMENT"

# the prover submits from its own account; anyone reads the result without a key
ZKSOLVENCY_PRIVATE_KEY=$PROVER_KEY zksolvency registry submit "$REGISTRY" \\
    proof/proof.json proof/public.json
zksolvency registry status "$REGISTRY" $PROVER      # exit 0: solvent, 1: not solvent
"""

README = f"""\
# zk-solvency project

Files:
- `zksolvency.toml`: chain profiles (`--chain NAME`); the default one is a local anvil.
- `policy.json`: the protocol's public terms (assets, decimals, haircuts, minimum ratio,
  chain id). The registry address is given at proving time (`--registry`).
- `prices.json`: one epoch's prices in dollars (at most 8 decimals); the oracle posts this
  file and the prover proves against it.
- `portfolio.json`: PRIVATE amounts, debts and a random salt. Never share it.

## From the keys to an accepted proof on anvil

Start a node in another terminal: `anvil` (it listens on 127.0.0.1:8545). Then, from the
folder that holds this project (the first commands create it):

```bash
{WALKTHROUGH}```

Exit codes: 0 valid/solvent/done, 1 the claim does not hold, 2 bad input or usage,
3 chain or RPC error. `--json` prints one JSON object for scripts.
"""

GITIGNORE = "portfolio.json\nkeys/\nproof/\ndeploy.json\n"


def portfolio_template() -> dict:
    """A portfolio with a fresh random salt (the commitment's blinding)."""
    return {"salt": "0x" + secrets.token_hex(31),
            "collateral": {"ETH": "12.75", "WBTC": "0.35"},
            "debt": {"USDC": "18500.25"}}


def init_project(folder: str | os.PathLike, force: bool = False) -> list[Path]:
    """Write the project files into ``folder`` (created if needed); refuses to overwrite
    an existing file unless ``force``. Returns the files written."""
    root = Path(folder)
    files = {
        "zksolvency.toml": CONFIG,
        "policy.json": json.dumps(POLICY, indent=1) + "\n",
        "prices.json": json.dumps(PRICES, indent=1) + "\n",
        "portfolio.json": json.dumps(portfolio_template(), indent=1) + "\n",
        "README.md": README,
        ".gitignore": GITIGNORE,
    }
    existing = [n for n in files if (root / n).exists()]
    if existing and not force:
        raise UsageError(f"{root}: {', '.join(existing)} already exist (--force to "
                         "overwrite)")
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        atomic.write_text(root / name, text)
        if name == "portfolio.json":
            os.chmod(root / name, 0o600)
        written.append(root / name)
    return written
