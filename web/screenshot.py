#!/usr/bin/env python3
"""Render docs/img/inclusion-page.png and inclusion-page-swap.png: the shipped page in
headless Chromium after checking a sample user's inclusion file (sample ledger of
tests/web), as delivered and with two asset labels swapped.

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

IMG = ROOT / "docs" / "img"


def shoot(browser, inclusion: dict, files: dict, out: Path) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 900}, device_scale_factor=1)
    page.goto(PAGE.as_uri())
    page.fill("#inclusion-text", json.dumps(inclusion, indent=1, ensure_ascii=False))
    page.check("#use-statement")
    for sel, name in (("#statement-file", "statement.json"), ("#public-file", "public.json")):
        page.set_input_files(sel, {"name": name, "mimeType": "application/json",
                                   "buffer": json.dumps(files[name]).encode()})
    page.click("#check")
    page.wait_for_selector("#verdict")
    page.screenshot(path=str(out), full_page=True)
    page.close()
    print(f"wrote {out.relative_to(ROOT)}")


def main() -> int:
    from playwright.sync_api import sync_playwright
    reserves = sample()
    files = {"statement.json": reserves.statement.to_json(), "public.json": reserves.public()}
    good = reserves.inclusion(3)
    swapped = dict(good, assets=[good["assets"][1], good["assets"][0], good["assets"][2]])
    IMG.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        shoot(browser, good, files, IMG / "inclusion-page.png")
        shoot(browser, swapped, files, IMG / "inclusion-page-swap.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
