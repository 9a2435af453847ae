"""Every Atheris harness over its committed corpus: a reader that starts raising a raw
exception (anything but the project's errors) on a known input fails the normal suite."""
from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.targets import ALLOWED, TARGETS
from zk.errors import ZkError

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"


def test_every_harness_has_a_corpus_and_every_corpus_a_harness():
    dirs = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert dirs == set(TARGETS) | {"native"}
    assert all(any((CORPUS / d).iterdir()) for d in dirs)
    assert ALLOWED == (ZkError,)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_corpus_replays(name):
    refused = accepted = 0
    for path in sorted((CORPUS / name).iterdir()):
        try:
            TARGETS[name](path.read_bytes())
            accepted += 1
        except ALLOWED:
            refused += 1
    assert accepted + refused > 0
    assert accepted > 0, f"{name}: no corpus file reaches the end of the reader"
