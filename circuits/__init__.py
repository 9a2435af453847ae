"""circuits: solvency circuits and their input models, built on the zk DSL."""
