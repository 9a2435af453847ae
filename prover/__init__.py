"""prover: the application layer (library API for protocols and the zksolvency CLI)."""
