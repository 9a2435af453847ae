#!/usr/bin/env python3
"""Render docs/img/inclusion-page.png: the shipped page in headless Chromium after a
successful check of a sample user's inclusion file (sample ledger of tests/web).

    python web/screenshot.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.conftest import ARGS, CHROMIUM, PAGE  # noqa: E402
from tests.web.reserves_fixture import sample  # noqa: E402

OUT = ROOT / "docs" / "img" / "inclusion-page.png"


def main() -> int:
    from playwright.sync_api import sync_playwright
    reserves = sample()
    files = {"statement.json": reserves.statement.to_json(), "public.json": reserves.public()}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 900}, device_scale_factor=1)
        page.goto(PAGE.as_uri())
        page.fill("#inclusion-text", json.dumps(reserves.inclusion(3), indent=1))
        page.check("#use-statement")
        for sel, name in (("#statement-file", "statement.json"), ("#public-file", "public.json")):
            page.set_input_files(sel, {"name": name, "mimeType": "application/json",
                                       "buffer": json.dumps(files[name]).encode()})
        page.click("#check")
        page.wait_for_selector("#verdict")
        OUT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT), full_page=True)
        browser.close()
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
