"""File formats: snarkjs JSON, our proving-key file, iden3 binary formats (iden3/)."""
