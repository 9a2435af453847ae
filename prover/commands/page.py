"""``zksolvency inclusion-page -o DIR``: write the users' inclusion-check page.

The page (``prover/web/inclusion.html``, built from ``web/src`` by ``web/build.py``) is one
self-contained HTML file: open it from disk or host it anywhere static.
"""
from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import click

from prover.output import JSON_OPTION, emit
from zk import atomic

NAME = "inclusion.html"


def page_bytes() -> bytes:
    """The shipped page."""
    return resources.files("prover").joinpath("web", NAME).read_bytes()


@click.command("inclusion-page")
@click.option("-o", "--out", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write inclusion.html into.")
@JSON_OPTION
def inclusion_page(out_dir: str) -> None:
    """Write the static page where users check their reserves inclusion file."""
    data = page_bytes()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(out / NAME, data)
    digest = hashlib.sha256(data).hexdigest()
    emit({"page": str(out / NAME), "bytes": len(data), "sha256": digest},
         f"wrote {out / NAME} ({len(data):,} bytes, sha256 {digest[:16]}...); open it in a "
         "browser, or publish it next to the inclusion files")
