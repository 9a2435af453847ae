"""The shipped page is a fresh, deterministic build; it loads nothing from the network;
its Poseidon (poseidon-lite in Chromium) equals zk.std.poseidon on random inputs."""
from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path

from tests.web.conftest import PAGE
from zk.field import R
from zk.statement import keccak256
from zk.std.poseidon import poseidon_hash

BUILD = Path(__file__).resolve().parents[2] / "web" / "build.py"


def _build_module():
    spec = importlib.util.spec_from_file_location("web_build", BUILD)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shipped_page_is_a_fresh_build():
    build = _build_module()
    fresh = build.build()
    assert fresh == PAGE.read_bytes(), "run: python web/build.py --write"
    assert build.build() == fresh                      # deterministic
    assert build.selector("rootOf(address,uint64)") == \
        "0x" + keccak256(b"rootOf(address,uint64)").hex()[:8]


def test_page_is_self_contained_with_a_strict_csp():
    html = PAGE.read_text()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", directives["script-src"])
    assert directives["connect-src"] == "http: https:"
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", html)
    assert "@import" not in html and "url(" not in html


def test_page_loads_nothing_but_itself(page):
    assert page.requests == [PAGE.as_uri()]
    assert page.problems == []


def test_page_poseidon_equals_ours_on_random_inputs(page):
    rng = random.Random(12)
    cases = [[rng.choice([0, 1, R - 1, rng.randrange(R)]) for _ in range(n)]
             for n in range(1, 17) for _ in range(2)]
    got = page.evaluate("cases => cases.map(c => inclusionLib.poseidon(c.map(BigInt)).toString())",
                        [[str(v) for v in c] for c in cases])
    assert got == [str(poseidon_hash(c)) for c in cases]


def test_page_id_hash_and_asset_commitment_equal_ours(page):
    from circuits.inclusion import user_id_hash
    from circuits.reserves_batch import asset_commitment
    ids = ["a", "x" * 31, "y" * 32, "Zoë 🦊" * 20, "z" * 465]
    got = page.evaluate("ids => ids.map(i => inclusionLib.userIdHash(i).toString())", ids)
    assert got == [str(user_id_hash(i)) for i in ids]
    assets, decimals = ["BTC", "ETH", "USDC", "€uro", "x" * 31, "A", "B"], [8, 18, 6, 2, 0, 63, 1]
    got = page.evaluate("([a, d]) => inclusionLib.assetCommitment(a, d).toString()",
                        [assets, decimals])
    assert got == str(asset_commitment(assets, decimals))


def test_page_leaf_and_mixed_paths_equal_ours(page):
    """user commitment, packed leaf (3 balances per element, up to 7 assets) and the
    mixed-arity tree (8-, 4- and 2-input nodes) against circuits.reserves_batch."""
    from circuits import reserves_batch as rb
    from circuits.inclusion import user_id_hash
    salt, top = R - 2, (1 << 64) - 1
    for bals in ([5], [1, 2, 3], [top, 0, top, 7], [top] * 7):
        got = page.evaluate("([u, s, b]) => [inclusionLib.userCommitment(u, BigInt(s)), "
                            "inclusionLib.leafHash(u, BigInt(s), b.map(BigInt))].map(String)",
                            ["Zoë", str(salt), [str(b) for b in bals]])
        c = rb.user_commitment(user_id_hash("Zoë"), salt)
        assert got == [str(c), str(rb.leaf_hash(c, bals))]
    rng = random.Random(3)
    for bits in (1, 2, 3, 4, 5, 7):
        leaves = [rng.randrange(R) for _ in range(1 << bits)]
        levels = rb.batch_levels(leaves, bits, 3)
        index = rng.randrange(1 << bits)
        path = [[str(h) for h in lv] for lv in rb.merkle_path(levels, index)]
        got = page.evaluate("([l, i, p, b]) => [inclusionLib.rootFromPath(BigInt(l), i, "
                            "p.map(lv => lv.map(BigInt))).toString(), "
                            "inclusionLib.treeArities(b)]",
                            [str(leaves[index]), index, path, bits])
        assert got == [str(levels[-1][0]), rb.tree_arities(bits)]


def test_cli_writes_the_shipped_page(tmp_path):
    from click.testing import CliRunner

    from prover.cli import main
    r = CliRunner().invoke(main, ["inclusion-page", "-o", str(tmp_path / "site")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "site" / "inclusion.html").read_bytes() == PAGE.read_bytes()
