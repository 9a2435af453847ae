"""Groth16 phase 2 over a public Powers of Tau, interoperable with snarkjs.

new_zkey (circuit + prepared ptau) -> contribute (each participant) -> beacon ->
verify_zkey -> export_keys. Keys travel between participants as .zkey files, so
snarkjs and this package can take turns in the same ceremony.
"""
from zk.ceremony.contribute import beacon, contribute, contribution_hash, format_hash
from zk.ceremony.export import export_keys
from zk.ceremony.new import new_zkey
from zk.ceremony.verify import ContributionInfo, Report, verify_chain, verify_from_init, verify_zkey

__all__ = ["new_zkey", "contribute", "beacon", "verify_zkey", "verify_chain", "verify_from_init",
           "export_keys", "contribution_hash", "format_hash", "Report",
           "ContributionInfo"]
