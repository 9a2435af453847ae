"""Shared fixtures: snarkjs-made keys and proofs, the embedded EVM and an anvil node."""
from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from verifier_contracts import connect
from verifier_contracts.snarkjs import make_fixture, make_ptau
from verifier_contracts.solc import node_bin

#: Well-known development keys of anvil's default mnemonic (public test accounts).
ANVIL_KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
]
SIZES = (1, 5, 11, 20)


@pytest.fixture(scope="session")
def snark(tmp_path_factory):
    """{n_public: (Fixture, proof, public)} for circuits with 1, 5, 11 and 20 inputs."""
    work = tmp_path_factory.mktemp("snark")
    ptau = make_ptau(work / "ptau")
    with ThreadPoolExecutor(2) as pool:
        fixtures = list(pool.map(lambda n: make_fixture(work / f"n{n}", n, ptau), SIZES))
        proofs = list(pool.map(lambda f: f.prove([1000 * i + 17 for i in range(1, f.n_public)]),
                               fixtures))
    return {f.n_public: (f, p[0], p[1]) for f, p in zip(fixtures, proofs)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_anvil() -> Iterator[str]:
    """Start anvil on a free port of 127.0.0.1, yield its URL, stop it by PID."""
    port = _free_port()
    proc = subprocess.Popen([str(node_bin("anvil")), "--host", "127.0.0.1", "--port", str(port),
                             "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def anvil_url():
    """Start anvil on a free port; stop it by PID at the end of the session."""
    with running_anvil() as url:
        yield url


@pytest.fixture(scope="module", params=["embedded", "anvil"])
def chain(request):
    """A connection signing with the first dev account; `.dev_keys` lists four accounts."""
    if request.param == "embedded":
        return connect()
    url = request.getfixturevalue("anvil_url")
    c = connect(url, private_key=ANVIL_KEYS[0])
    c.dev_keys = list(ANVIL_KEYS)
    return c


@pytest.fixture(scope="module")
def anvil_chain(anvil_url):
    """A connection to the anvil node signing with its first dev account."""
    return connect(anvil_url, private_key=ANVIL_KEYS[0])


@pytest.fixture
def anvil_env(anvil_url, monkeypatch):
    """Environment for CLI runs against anvil (key in the environment variable)."""
    monkeypatch.setenv("ZKSOLVENCY_PRIVATE_KEY", ANVIL_KEYS[0])
    return anvil_url

