"""Our key file is memory-mapped: the key's arrays are views into the file, the MSMs
read them in place, and a key replaced on disk leaves a loaded key intact."""
from __future__ import annotations

import mmap

from zk import compile_circuit, groth16
from zk.backend import get_backend
from zk.formats import keyfile

from .circuits_for_tests import Cube


def test_loaded_key_is_a_view_of_the_file_and_proves(tmp_path):
    cs = compile_circuit(Cube())
    pk = groth16.setup(cs)
    path = tmp_path / "pk.zkpk"
    keyfile.save(path, pk)
    loaded = keyfile.load(path)
    for name in ("a_query", "b_g1_query", "b_g2_query", "h_query", "l_query"):
        view = getattr(loaded, name)
        assert isinstance(view, memoryview) and isinstance(view.obj, mmap.mmap)
        assert view.readonly and view == getattr(pk, name)
    assert isinstance(loaded.a_matrix[2], memoryview) and loaded.a_matrix == pk.a_matrix
    assert isinstance(loaded.beta_g1, bytes) and isinstance(loaded.vk.alpha_g1, bytes)
    w = cs.solve({"x": 2, "y": 15, "epoch": 1})
    loaded.release_matrices()   # pages dropped (the prover does it after the quotient)...
    assert loaded.a_matrix == pk.a_matrix and loaded.b_matrix == pk.b_matrix  # ...re-read
    for be in (get_backend("native"), get_backend("reference")):
        proof = groth16.prove(loaded, w, be)
        assert groth16.verify(loaded.vk, proof, cs.public_values(w))
    # an atomic replacement (new inode) does not disturb the mapped key
    keyfile.save(path, groth16.setup(cs))
    assert loaded == pk
    assert keyfile.encode(loaded) == keyfile.encode(pk)
