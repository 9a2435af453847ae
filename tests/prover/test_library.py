"""The `prover` library: lazy typed API, ProofBundle, address forms, the README example
(20 portfolios, one key load), mypy on the README examples and the API, the docs doctest."""
from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import prover
from prover import collateral
from tests.formats import iden3_env as env
from zk.errors import MalformedInput
from zk.formats import keyfile

REPO = Path(__file__).resolve().parents[2]
ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CHAIN = ("web3", "eth_account", "eth_abi", "eth_tester", "rich")


def _readme_blocks() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Library use"):]
    section = section[:section.index("\n## ", 4)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_import_prover_loads_no_chain_library():
    code = ("import sys, prover\n"
            "from prover import Prover, ProofBundle, full_prove, verify, to_calldata, "
            "address\n"
            "from prover import collateral\n"
            f"print([m for m in {CHAIN!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
    assert sorted(prover.__all__) == sorted(prover._WHERE)
    with pytest.raises(AttributeError):
        prover.no_such_name  # noqa: B018


def _smallest_shape(d: Path, n: int) -> None:
    """policy/prices for one collateral and one debt asset, and n portfolios."""
    (d / "policy.json").write_text(json.dumps({
        "chain_id": "31337", "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "min_ratio_bps": "15000",
        "collateral": [{"asset": "ETH", "decimals": "18", "haircut_bps": "2000"}],
        "debt": [{"asset": "USDC", "decimals": "6"}]}))
    (d / "prices.json").write_text(json.dumps({
        "epoch": "42", "decimals": "8", "prices": {"ETH": "3012.45", "USDC": "0.99985"}}))
    (d / "portfolios").mkdir()
    for i in range(n):
        (d / "portfolios" / f"p{i:02d}.json").write_text(json.dumps({
            "salt": str(1000 + i), "collateral": {"ETH": f"{10 + i}.5"},
            "debt": {"USDC": str(1000 * (i + 1))}}))


def test_readme_example_proves_20_portfolios_with_one_key_load(tmp_path, monkeypatch,
                                                                capsys):
    """The README's library blocks run: 20 proofs from one key load, then the chain block
    deploys a registry on a pushed-price epoch oracle (embedded EVM)."""
    _smallest_shape(tmp_path, 20)
    monkeypatch.chdir(tmp_path)
    loads = []
    real_load = keyfile.load

    def counting_load(path, *args):
        loads.append(path)
        return real_load(path, *args)

    monkeypatch.setattr(keyfile, "load", counting_load)     # counts; the real load runs
    ns: dict = {}
    exec(compile(_readme_blocks()[0], "README.md", "exec"), ns)
    assert len(ns["bundles"]) == 20 and ns["ok"] is True
    assert len(loads) == 1                                  # one key load for 20 proofs
    commitments = {b.values["commitment"] for b in ns["bundles"]}
    assert len(commitments) == 20
    assert capsys.readouterr().out.count(" bytes\n") == 20
    # the same proofs from the files a bundle writes, checked by snarkjs (the oracle)
    b = ns["bundles"][3]
    out = b.write(tmp_path / "out")
    assert env.snarkjs_verify(tmp_path / "sj", ns["prover"].vk, b.proof, b.public)
    assert prover.verify(ns["keys"], out / "public.json", out / "proof.json")
    assert prover.to_calldata(out / "proof.json", out / "public.json") == b.calldata
    assert json.loads((out / "proof.json").read_text())["key_id"] == "0x" + b.key_id.hex()
    # the README's chain block, in the same namespace: a registry on a pushed-price oracle
    exec(compile(_readme_blocks()[1], "README.md", "exec"), ns)
    from verifier_contracts import registry as reg
    chain, registry = ns["chain"], ns["registry"]
    assert reg.read(chain, registry, "oracle").lower() == ns["oracle"].lower()
    layout = reg.layout_of(chain, registry)
    assert layout["commitment"] == ns["statement"].layout()["commitment"]
    assert reg.policy(chain, registry)["haircuts"] == [(2000, 0, 2000)]


def test_prover_address_forms(tmp_path):
    _smallest_shape(tmp_path, 1)
    pol = collateral.load_policy(tmp_path / "policy.json")
    pr = collateral.load_prices(tmp_path / "prices.json", pol)
    pf = collateral.load_portfolio(tmp_path / "portfolios/p00.json", pol)
    want = int(ADDR, 16)
    for form in (ADDR, ADDR.lower(), "0x" + ADDR[2:].upper(), want, want.to_bytes(20, "big")):
        assert collateral.circuit_inputs(pol, pr, pf, form)["prover"] == want
    for bad in (ADDR.replace("C", "c", 1), "0x1234", ADDR[2:], b"\0" * 21, 1 << 160):
        with pytest.raises(MalformedInput):
            collateral.circuit_inputs(pol, pr, pf, bad)


def test_mypy_checks_the_readme_examples_and_the_api(tmp_path):
    src = tmp_path / "readme_examples.py"
    src.write_text("\n".join(_readme_blocks()))
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
         "--follow-imports=silent", "--cache-dir", str(tmp_path / ".mypy_cache"), str(src),
         str(REPO / "prover/__init__.py"), str(REPO / "prover/api.py"),
         str(REPO / "prover/service.py")],
        capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Success: no issues found in 4 source files" in out.stdout
    bad = tmp_path / "misuse.py"                   # mypy does see the library's types
    bad.write_text("from prover import Prover\nx: int = Prover.load('k', 'm:C').prove({})\n")
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
         "--follow-imports=silent", "--cache-dir", str(tmp_path / ".mypy_cache"), str(bad)],
        capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 1 and '"ProofBundle"' in out.stdout, out.stdout


def test_docs_library_doctest():
    result = doctest.testfile(str(REPO / "docs/library.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 20 and result.failed == 0
