#!/usr/bin/env python3
"""Build the users' inclusion page: one self-contained HTML file, shipped in the package.

esbuild (pinned in .ci/npm) bundles web/src/page.js with poseidon-lite and @noble/hashes'
keccak; the bundle and web/src/style.css are inlined into web/src/index.html under a
Content-Security-Policy that allows only that inline script and style and connections to
the JSON-RPC URL the user types. The output is deterministic, so CI rebuilds it and
compares it byte for byte with the shipped ``prover/web/inclusion.html``.

    python web/build.py            # check the shipped page against a fresh build
    python web/build.py --write    # rebuild it after editing web/src
"""
from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verifier_contracts.solc import node_bin, node_modules  # noqa: E402
from zk import atomic  # noqa: E402
from zk.statement import keccak256  # noqa: E402

SRC = ROOT / "web" / "src"
SHIPPED = ROOT / "prover" / "web" / "inclusion.html"
#: The registry getters the page calls, by the name of the constant the bundle reads.
GETTERS = {"ROOT_OF_SELECTOR": "rootOf(address,uint64)",
           "TOP_KEY_ID_SELECTOR": "topKeyId()",
           "TOP_STATEMENT_HASH_SELECTOR": "topStatementHash()"}


def selector(signature: str) -> str:
    """0x-prefixed 4-byte function selector."""
    return "0x" + keccak256(signature.encode()).hex()[:8]


def bundle() -> str:
    """The minified IIFE bundle of web/src/page.js."""
    cmd = [str(node_bin("esbuild")), "web/src/page.js", "--bundle", "--minify",
           "--format=iife", "--target=es2020", "--charset=ascii", "--legal-comments=none",
           "--log-level=warning",
           *(f"--define:{name}=\"{selector(sig)}\"" for name, sig in GETTERS.items())]
    env = {**os.environ, "NODE_PATH": str(node_modules())}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"esbuild failed:\n{out.stderr}")
    js = out.stdout.strip()
    if "</script" in js.lower() or "<!--" in js:
        raise SystemExit("the bundle contains '</script' or '<!--' and cannot be inlined")
    return js


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def build() -> bytes:
    """The page's bytes."""
    script = bundle()
    style = (SRC / "style.css").read_text().strip()
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
           "connect-src http: https:; base-uri 'none'; form-action 'none'")
    html = (SRC / "index.html").read_text()
    for key, value in (("@CSP@", csp), ("@STYLE@", style), ("@SCRIPT@", script)):
        if html.count(key) != 1:
            raise SystemExit(f"index.html must contain {key} exactly once")
        html = html.replace(key, value)
    return html.encode()


def main(argv: list[str]) -> int:
    page = build()
    if "--write" in argv:
        SHIPPED.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(SHIPPED, page)
        print(f"wrote {SHIPPED.relative_to(ROOT)} ({len(page)} bytes)")
        return 0
    if SHIPPED.exists() and SHIPPED.read_bytes() == page:
        print("the shipped inclusion page matches a fresh build")
        return 0
    print(f"MISMATCH {SHIPPED.relative_to(ROOT)}: run python web/build.py --write",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
