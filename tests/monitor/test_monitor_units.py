"""Margin and failure prices against the pre-check the prover runs (the circuit's own
arithmetic), and the [monitor] config's refusals."""
from __future__ import annotations

import pytest

from prover import collateral as col
from prover.monitor import margin_report
from prover.monitor.config import parse_monitor
from prover.monitor.sinks import sign
from tests.monitor.conftest import BTC, E8, POLICY, PORTFOLIOS, USDC
from zk import atomic
from zk.errors import MalformedInput, Unprovable


@pytest.fixture
def files(tmp_path):
    atomic.write_json(tmp_path / "policy.json", POLICY)
    policy = col.load_policy(tmp_path / "policy.json")
    out = {}
    for name, (_, portfolio) in PORTFOLIOS.items():
        atomic.write_json(tmp_path / f"{name}.json", portfolio)
        out[name] = col.load_portfolio(tmp_path / f"{name}.json", policy)
    return policy, out


def _provable(policy, cp, dp, portfolio) -> bool:
    try:
        col.precheck(policy, col.Prices(1, tuple(cp), tuple(dp)), portfolio)
        return True
    except Unprovable:
        return False


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_failure_prices_are_the_precheck_boundary(files, name):
    policy, portfolios = files
    p = portfolios[name]
    cp, dp = [3000 * E8, BTC], [USDC]
    rep = margin_report(policy, col.Prices(1, tuple(cp), tuple(dp)), p)
    assert rep["provable"] and rep["margin_pct"] > 0
    for i, asset in enumerate(policy.collateral):
        f = rep["failure_prices"][asset]
        if f is None:
            continue
        at, below = list(cp), list(cp)
        at[i], below[i] = f, f - 1
        assert _provable(policy, at, dp, p) and not _provable(policy, below, dp, p)
    f = rep["failure_prices"]["USDC"]
    assert not _provable(policy, cp, [f], p) and _provable(policy, cp, [f - 1], p)


def test_margin_percent(files):
    policy, portfolios = files
    rep = margin_report(policy, col.Prices(1, (3000 * E8, BTC), (USDC,)), portfolios["alice"])
    # 10 ETH x 3000 x 0.8 = 24000 against 14000 x 1.5 = 21000
    assert abs(rep["margin_pct"] - (24000 / 21000 - 1) * 100) < 1e-9
    assert rep["failure_prices"]["ETH"] == 2625 * E8 and rep["failure_prices"]["BTC"] is None


BASE = (b'[monitor]\nregistry = "0x' + b"11" * 20 + b'"\npolicy = "p.json"\nkeys = "k"\n'
        b'[[monitor.accounts]]\nname = "a"\nkey_env = "A_KEY"\nposition = "a.json"\n')


@pytest.mark.parametrize("extra,rule", [
    (b'private_key = "0xabc"\n', "unknown key(s) private_key"),
    (b'keystore = "x.json"\n', "exactly one of 'key_env'"),
    (b'position_command = ["x"]\n', "exactly one of 'position'"),
    (b'margin_buffer_pct = "ten"\n', "'margin_buffer_pct' must be a float"),
    (b'kind = "loan"\n', "'kind' must be one of solvency, credit"),
    (b'market = "0x' + b"22" * 20 + b'"\n', 'market need kind = "credit"'),
    (b'kind = "credit"\ntarget_credit = "-5"\n', "target_credit"),
])
def test_config_refusals_name_the_field(tmp_path, extra, rule):
    with pytest.raises(MalformedInput, match=rule.replace("(", r"\(").replace(")", r"\)")):
        parse_monitor(BASE + extra, str(tmp_path / "zksolvency.toml"))


def test_config_defaults_and_webhook(tmp_path):
    cfg = parse_monitor(BASE + b'[monitor.webhook]\nurl = "http://127.0.0.1:1/"\n',
                        str(tmp_path / "zksolvency.toml"))
    assert cfg.confirmations == 2 and cfg.accounts[0].margin_buffer_pct == 10.0
    assert cfg.accounts[0].kind == "solvency" and cfg.provers == 1
    credit = parse_monitor(BASE + b'kind = "credit"\ntarget_credit = "1000"\n',
                           str(tmp_path / "zksolvency.toml")).accounts[0]
    assert (credit.kind, credit.target_credit, credit.credit_buffer_pct) == ("credit", 1000, 10)
    assert cfg.webhook.retries == 3 and cfg.metrics is None
    assert sign(b"k", b"{}") == ("sha256=" + __import__("hmac").new(
        b"k", b"{}", "sha256").hexdigest())


def test_signing_key_from_environment_or_keystore(tmp_path):
    from eth_account import Account

    from prover.monitor.config import AccountConfig
    from prover.monitor.core import PASSWORD_ENV, _key
    from zk.errors import UsageError

    key = "0x" + "42" * 32
    assert _key(AccountConfig("a", key_env="K"), {"K": key}) == key
    with pytest.raises(UsageError, match=r"\$K is not set"):
        _key(AccountConfig("a", key_env="K"), {})
    store = Account.encrypt(key, "pw", kdf="pbkdf2", iterations=2)
    atomic.write_json(tmp_path / "ks.json", store)
    acc = AccountConfig("a", keystore=tmp_path / "ks.json")
    assert _key(acc, {PASSWORD_ENV: "pw"}) == key
    with pytest.raises(UsageError, match="wrong password"):
        _key(acc, {PASSWORD_ENV: "nope"})
    with pytest.raises(UsageError, match=PASSWORD_ENV):
        _key(acc, {})


def test_config_refuses_control_characters(tmp_path):
    with pytest.raises(MalformedInput, match="control characters"):
        parse_monitor(BASE.replace(b'"a.json"', b'"a\\u0000.json"'),
                      str(tmp_path / "zksolvency.toml"))


def test_webhook_retries_then_reports_failure():
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from prover.monitor.config import WebhookConfig
    from prover.monitor.sinks import SIGNATURE_HEADER, WebhookSink, make_record

    seen = []

    class Flaky(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((body, self.headers[SIGNATURE_HEADER]))
            self.send_response(500 if len(seen) < 3 else 204)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rec = make_record("alert", "not_solvent", "critical", "x", account="a", epoch=3)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        failures = []
        assert WebhookSink(WebhookConfig(url, None, 2.0, 2), b"s", failures.append)(rec)
        assert len(seen) == 3 and not failures                 # two 500s, then delivered
        assert all(sig == sign(b"s", body) for body, sig in seen)
        assert WebhookSink(WebhookConfig(url, None, 2.0, 0), b"s")(
            make_record("event", "proven", "info", "x")) is True
        assert len(seen) == 3                                  # events are not posted
    finally:
        server.shutdown()
        server.server_close()
    with socket.socket() as s:                                 # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    failures = []
    sink = WebhookSink(WebhookConfig(f"http://127.0.0.1:{dead}/", None, 0.5, 1), b"s",
                       failures.append)
    assert sink(rec) is False and len(failures) == 1
