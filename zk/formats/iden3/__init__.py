"""iden3 binary formats (circom/snarkjs): .r1cs, .wtns, .zkey (Groth16), .ptau."""
from zk.formats.iden3.ptau import Ptau, open_ptau
from zk.formats.iden3.r1cs import read_r1cs, write_r1cs
from zk.formats.iden3.wtns import read_wtns, write_wtns
from zk.formats.iden3.zkey import ZKey, read_zkey, write_zkey

__all__ = ["read_r1cs", "write_r1cs", "read_wtns", "write_wtns", "ZKey", "read_zkey",
           "write_zkey", "Ptau", "open_ptau"]
