"""The inclusion page in headless Chromium, checked against the top proof's statement
files: a valid file is included with its balances; tampering shows the reason."""
from __future__ import annotations

import json

import pytest

from circuits.inclusion import check_against, parse_inclusion_v3
from tests.web.conftest import check, wait_until
from tests.web.reserves_fixture import asset_commitment, sample
from zk.errors import MalformedInput
from zk.field import R


def python_verdict(inc: dict, reserves) -> tuple[bool, str]:
    """The project's own verifier (circuits.inclusion) on the same file."""
    try:
        parsed = parse_inclusion_v3(inc)
    except MalformedInput as exc:
        return False, str(exc)
    return check_against(parsed, reserves.root, reserves.asset_commitment)


@pytest.fixture(scope="module")
def reserves():
    return sample()


@pytest.fixture(scope="module")
def files(reserves):
    return {"statement": reserves.statement.to_json(), "public": reserves.public()}


def test_valid_file_is_included_with_its_balances(page, reserves, files):
    out = check(page, reserves.inclusion(3), **files)
    assert out["verdict"] == "Included", out
    assert out["reasons"] == []
    assert out["balances"] == [["BTC", "1.23456789"], ["ETH", "2.000000000000000000"],
                               ["USDC", "0.000000"]]
    assert out["root"] == str(reserves.root)
    assert python_verdict(reserves.inclusion(3), reserves) == (True, "included")
    # a user in the last (partly padded) batch
    assert check(page, reserves.inclusion(9), **files)["verdict"] == "Included"
    assert page.problems == []


def test_tampered_balance_breaks_the_path(page, reserves, files):
    inc = reserves.inclusion(5)
    inc["balances"][0] = str(int(inc["balances"][0]) + 1)
    out = check(page, inc, **files)
    assert out["verdict"] == "Not included"
    assert out["reasons"] == ["path"]
    assert "balance/leaf does not match the path" in out["texts"][0]
    assert python_verdict(inc, reserves) == (False, "balance/leaf does not match the path")


def test_swapped_label_is_refused(page, reserves, files):
    """The column-swap attack: the file's labels differ from the committed asset list."""
    inc = reserves.inclusion(2)
    inc["assets"][0], inc["assets"][1] = inc["assets"][1], inc["assets"][0]
    out = check(page, inc, **files)
    assert out["verdict"] == "Not included" and out["reasons"] == ["assets"]
    assert "asset labels or decimals differ" in out["texts"][0]
    assert python_verdict(inc, reserves)[1].startswith("asset labels or decimals differ")
    # the same with the file's own asset_commitment recomputed by the exchange
    inc["asset_commitment"] = str(asset_commitment(inc["assets"], inc["decimals"]))
    assert check(page, inc, **files)["reasons"] == ["assets"]
    # decimals changed instead of labels
    inc = reserves.inclusion(2)
    inc["decimals"][2] = 8
    assert check(page, inc, **files)["reasons"] == ["assets"]


def test_wrong_root_is_refused(page, reserves, files):
    """A consistent file for another tree (another root) is not the registered one."""
    other = type(reserves)(reserves.users[:6], reserves.assets, reserves.decimals)
    out = check(page, other.inclusion(1), **files)
    assert out["verdict"] == "Not included"
    assert out["reasons"] == ["root"]
    assert "root is not the registered one" in out["texts"][0]
    assert python_verdict(other.inclusion(1), reserves) == (False, "root is not the registered one")


def test_statement_files_must_match_the_inclusion_file(page, reserves, files):
    inc = reserves.inclusion(0)
    wrong = dict(files["statement"], digest="another-digest-00001")
    assert "statement_hash" in check(page, inc, statement=wrong, public=files["public"])["error"]
    inc["statement"]["epoch"] = "8"
    err = check(page, inc, **files)["error"]
    assert "another epoch" in err
    inc = reserves.inclusion(0)
    inc["statement"]["chain_id"] = "1"
    assert "wrong chain" in check(page, inc, **files)["error"]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(salt="01"), "salt: not a canonical decimal string"),
    (lambda d: d.update(root=str(R)), "root: not below the field modulus r"),
    (lambda d: d["balances"].append("1"), "balances: must be a list of 3..3 items"),
    (lambda d: d.update(leaf_index=8), "leaf_index: malformed path: must be an integer in 0..7"),
    (lambda d: d.update(batch_index=2), "batch_index: malformed path: must be an integer in 0..1"),
    (lambda d: d.update(batch_path=[["1"] * 8]), "batch_path: malformed path: levels of [7]"),
    (lambda d: d.update(batch_path=[["1"] * 7, ["1"]]), "batch_path: malformed path"),
    (lambda d: d.update(top_path=[]), "top_path: malformed path: levels of [1]"),
    (lambda d: d.update(top_path=["1"]), "top_path: malformed path"),
    (lambda d: d.update(batch_bits=4), "batch_path: malformed path: levels of [7, 1]"),
    (lambda d: d.update(batch_bits=21), "batch_bits: malformed path: must be an integer in 0..20"),
    (lambda d: d.update(top_bits=0), "top_bits: malformed path: must be an integer in 1..16"),
    (lambda d: d["batch_path"][0].__setitem__(3, "01"), "batch_path[0][3]: not a canonical"),
    (lambda d: d["balances"].__setitem__(0, str(1 << 64)), "balances[0]: not below 2^64"),
    (lambda d: d["statement"].update(epoch=7), "statement.epoch: not a canonical decimal"),
    (lambda d: d.update(assets=["BTC", " ETH", "USDC"]), "assets[1]: must be 1..31 bytes"),
    (lambda d: d.update(assets=["BTC", "x" * 32, "USDC"]), "assets[1]: must be 1..31 bytes"),
    (lambda d: d.update(assets=["BTC", "BTC", "ETH"]), "assets: names must be distinct"),
    (lambda d: d.update(assets=["BTC", "E\u0000H", "USDC"]), "assets[1]: must be 1..31 bytes"),
    (lambda d: d.update(decimals=[8, 18.5, 6]), "decimals[1]: must be an integer in 0..255"),
    (lambda d: d.update(decimals=[8, 256, 6]), "decimals[1]: must be an integer in 0..255"),
    (lambda d: d["statement"].update(registry="0x1234"), "statement.registry: must be 0x"),
    (lambda d: d.update(extra=1), "unknown key(s) extra"),
    (lambda d: d.update(format="zk-solvency/inclusion-proof/v2"), "format: expected"),
    (lambda d: d.update(user_id=""), "user_id: must be 1..465 bytes"),
])
def test_malformed_files_get_a_clear_error(page, reserves, files, mutate, message):
    inc = reserves.inclusion(1)
    mutate(inc)
    out = check(page, inc, **files)
    assert out["verdict"] == "Cannot check this file"
    assert message in out["error"], out["error"]


def test_not_json_and_oversized(page, files):
    assert "not valid JSON" in check(page, "{nope", **files)["error"]
    big = json.dumps({"pad": "x" * (1 << 20)})
    assert "larger than" in check(page, big, **files)["error"]


def test_file_chosen_or_dropped_fills_the_form(page, reserves, files):
    text = json.dumps(reserves.inclusion(4))
    page.fill("#inclusion-text", "")
    page.set_input_files("#inclusion-file", {"name": "mine.json", "mimeType": "application/json",
                                             "buffer": text.encode()})
    wait_until(page, "document.getElementById('inclusion-text').value.length > 0")
    assert page.input_value("#inclusion-text") == text
    page.fill("#inclusion-text", "")
    page.evaluate("""text => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'dropped.json', {type: 'application/json'}));
        document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true}));
    }""", text)
    wait_until(page, "document.getElementById('inclusion-text').value.length > 0")
    assert page.input_value("#inclusion-text") == text


def test_file_contents_are_shown_as_text_never_as_html(page):
    """Markup in an id or asset name (valid, committed) is displayed literally."""
    evil = type(sample())([("<img src=x onerror=alert(1)>", [1, 2])],
                          ["<img src=y>", "<b>ETH</b>"], [0, 0])
    files = {"statement": evil.statement.to_json(), "public": evil.public()}
    out = check(page, evil.inclusion(0), **files)
    assert out["verdict"] == "Included"
    assert out["balances"] == [["<img src=y>", "1"], ["<b>ETH</b>", "2"]]
    assert page.evaluate("document.querySelectorAll('#result img, #result b').length") == 0
    assert all(u.startswith("file://") for u in page.requests)


def test_verdict_on_registered_values(page, reserves):
    """The page's verdict function on the three registry answers it can get."""
    got = page.evaluate("""([text, root, ac]) => {
        const L = inclusionLib, inc = L.parseInclusion(text);
        const codes = (reg) => L.verdict(inc, reg).reasons.map(r => r.code);
        return [codes({root: BigInt(root), assetCommitment: BigInt(ac), covered: true}),
                codes({root: BigInt(root), assetCommitment: BigInt(ac), covered: false}),
                codes({root: 0n, assetCommitment: 0n, covered: false}),
                L.decodeRootOf('0x' + '00'.repeat(31) + '05' + '00'.repeat(31) + '07'
                               + '00'.repeat(31) + '01').root.toString()];
    }""", [json.dumps(reserves.inclusion(0)), str(reserves.root), str(reserves.asset_commitment)])
    assert got == [[], ["uncovered"], ["root"], "5"]
    bad = page.evaluate("""words => words.map(w => {
        try { inclusionLib.decodeRootOf(w); return 'accepted'; } catch (e) { return e.message; }
    })""", ["0x", "0x" + "00" * 64, "0x" + "00" * 95 + "02",
                  "0x" + "ff" * 64 + "00" * 31 + "01"])
    assert "no ReservesRegistry" in bad[0] and "returned 64 bytes, expected 96" in bad[1]
    assert "malformed bool" in bad[2] and "outside the field" in bad[3]
