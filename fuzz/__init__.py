"""Fuzz harnesses for every reader of untrusted files (see fuzz/README.md)."""
