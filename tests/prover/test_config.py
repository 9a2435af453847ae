"""zksolvency.toml parsing: profiles, paths, and each refusal naming file and field."""
from __future__ import annotations

import pytest

from prover.config import find_config, load_profile, parse_config
from zk.errors import EXIT_INPUT, MalformedInput, UsageError, exit_code

GOOD = b"""
[profile.default]
rpc_url = "http://127.0.0.1:8545"
chain_id = 31337
registry = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"
oracle = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
keys = "keys"

[monitor]
interval = 12
"""


def test_profiles_paths_and_unknown_sections(tmp_path):
    src = tmp_path / "zksolvency.toml"
    profiles = parse_config(GOOD, str(src))
    p = profiles["default"]
    assert p.chain_id == 31337 and p.keys == (tmp_path / "keys").resolve()
    assert p.registry == "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"   # EIP-55 form
    assert p.oracle == "0x5FbDB2315678afecb367f032d93F642f64180aa3"     # "@oracle"


@pytest.mark.parametrize("text,needle", [
    (b'[profile.a]\nrpc-url = "x"\n', "unknown key(s) rpc-url"),
    (b'[profile.a]\nkeys = "a\\u0000b"\n', "control character"),
    (b'[profile.a]\nchain_id = "1"\n', "'chain_id' must be an integer"),
    (b'[profile.a]\nchain_id = 0\n', "'chain_id' must be an integer"),
    (b'[profile.a]\nrpc_url = 5\n', "'rpc_url' must be a non-empty string"),
    (b'[profile.a]\nregistry = "0xE7f1725e7734ce288f8367e1bb143e90bb3f0512"\n', "checksum"),
    (b'[profile.a]\noracle = "0x5fbdb2315678afecb367f032d93F642f64180aa3"\n', "'oracle'"),
    (b'profile = 3\n', "'profile' must be a table"),
    (b'[profile.a\n', "not valid TOML"),
    (b'\xff = 1\n', "not UTF-8"),
])
def test_refusals_name_the_field(tmp_path, text, needle):
    with pytest.raises(MalformedInput, match=None) as err:
        parse_config(text, str(tmp_path / "zksolvency.toml"))
    assert needle in str(err.value) and exit_code(err.value) == EXIT_INPUT


def test_lookup_goes_upward_and_names_missing_profiles(tmp_path, monkeypatch):
    for name in ("ZKSOLVENCY_CONFIG", "ZKSOLVENCY_CHAIN"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "zksolvency.toml").write_bytes(GOOD)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "zksolvency.toml"
    assert load_profile(None, deep).name == "default"
    with pytest.raises(UsageError, match=r"no \[profile.prod\]"):
        load_profile("prod", deep)
    monkeypatch.setenv("ZKSOLVENCY_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(UsageError, match="no such file"):
        find_config(deep)
