"""Build hook for the native BN254 extension (everything else is in pyproject.toml)."""
from setuptools import Extension, setup

native = Extension(
    "zk._native._bn254",
    sources=["zk/_native/module.c", "zk/_native/bn254.c", "zk/_native/ntt.c",
             "zk/_native/pairing.c", "zk/_native/convert.c",
             "zk/_native/poseidon.c"],
    depends=["zk/_native/bn254.h", "zk/_native/bn254_impl.h", "zk/_native/group_tmpl.h",
             "zk/_native/group_tmpl_end.h", "zk/_native/group_scale_tmpl.h",
             "zk/_native/group_sub_tmpl.h", "zk/_native/group_sparse_tmpl.h",
             "zk/_native/convert.h", "zk/_native/poseidon.h"],
    include_dirs=["zk/_native"],
    extra_compile_args=["-O3", "-std=c11", "-fno-strict-aliasing"],
    extra_link_args=["-lpthread"],
)

setup(ext_modules=[native])
