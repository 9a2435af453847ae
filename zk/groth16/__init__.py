"""Groth16 over BN254, split as in ark-groth16: keys, qap, setup, prove, verify.

This package sees only R1CS and witnesses; it never imports the circuit DSL.
"""
from zk.groth16.keys import Proof, ProvingKey, VerifyingKey
from zk.groth16.prove import prove
from zk.groth16.setup import setup
from zk.groth16.verify import verify

__all__ = ["Proof", "ProvingKey", "VerifyingKey", "prove", "setup", "verify"]
