"""One headless Chromium per test module, on the shipped inclusion page (file://)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "prover" / "web" / "inclusion.html"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def page(browser):
    """The page; console errors and CSP violations go to ``page.problems``, every URL it
    requests to ``page.requests``."""
    pg = browser.new_page()
    pg.problems, pg.requests = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    pg.goto(PAGE.as_uri())
    wait_until(pg, "window.inclusionLib !== undefined")
    yield pg
    pg.close()


def wait_until(pg, expression: str, timeout: float = 10.0) -> None:
    """Poll a JS expression from Python (wait_for_function would need 'unsafe-eval',
    which the page's CSP rightly refuses)."""
    deadline = time.monotonic() + timeout
    while not pg.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"page: {expression} stayed false for {timeout} s")
        time.sleep(0.05)


def _file(name: str, obj) -> dict:
    return {"name": name, "mimeType": "application/json",
            "buffer": (obj if isinstance(obj, str) else json.dumps(obj)).encode()}


def check(pg, inclusion, *, rpc: str | None = None, statement=None, public=None) -> dict:
    """Fill the form, click Check; {verdict, reasons (codes), texts, balances, root, error}."""
    pg.fill("#inclusion-text", inclusion if isinstance(inclusion, str) else json.dumps(inclusion))
    if rpc is not None:
        pg.check("#use-rpc")
        pg.fill("#rpc-url", rpc)
    else:
        pg.check("#use-statement")
        pg.set_input_files("#statement-file", _file("statement.json", statement))
        pg.set_input_files("#public-file", _file("public.json", public))
    pg.click("#check")
    pg.wait_for_selector("#verdict", timeout=20_000)
    return pg.evaluate("""() => ({
        verdict: document.getElementById('verdict').textContent,
        reasons: [...document.querySelectorAll('#reasons li')].map(li => li.dataset.code),
        texts: [...document.querySelectorAll('#reasons li')].map(li => li.textContent),
        balances: [...document.querySelectorAll('#balances tr')].map(
            tr => [tr.children[0].textContent, tr.children[1].textContent]),
        root: document.querySelector('#root td') && document.querySelector('#root td').textContent,
        details: Object.fromEntries([...document.querySelectorAll('#details tr')].map(
            tr => [tr.children[0].textContent, tr.children[1].textContent])),
        error: document.getElementById('error') && document.getElementById('error').textContent,
    })""")
