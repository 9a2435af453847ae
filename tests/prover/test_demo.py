"""The demo's story end to end with our own prover, on the embedded EVM and on anvil."""
from __future__ import annotations

from prover.demo import run


def test_demo_story(chain):
    lines: list[str] = []
    out = run(lines.append, chain=chain)
    assert out["valid"] and out["on_chain"]
    assert out["solvent_before"] is False and out["solvent_after"] is True
    assert out["insolvent"].startswith("refused by the circuit") and "ratio/" in \
        out["insolvent"]
    assert out["tampered"] == "reverted with InvalidProof"
    assert out["made_up"] == "reverted with UnknownAttester"
    assert out["forged"].startswith("refused by the circuit") and "attestation" in out["forged"]
    assert out["in_grace"] is True and out["after_grace"] is False
    assert 200_000 < out["submit_gas"] < 500_000
    text = "\n".join(lines)
    assert "12.75" not in text and "18500" not in text      # private amounts never printed


def test_demo_story_on_feeds():
    """`zksolvency demo --feeds`: the oracle snapshots development Chainlink feeds; the
    same story holds (embedded EVM)."""
    lines: list[str] = []
    out = run(lines.append, feeds=True)
    assert out["price_source"] == "feeds" and out["epochs"] == [1, 2]
    assert out["valid"] and out["on_chain"]
    assert out["solvent_before"] is False and out["solvent_after"] is True
    assert out["made_up"] == "reverted with UnknownAttester"
    assert out["in_grace"] is True and out["after_grace"] is False
    assert "Chainlink-compatible feeds" in "\n".join(lines)
