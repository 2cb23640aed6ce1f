"""Make docs/img/openapi-429.png: Swagger UI showing a real 429 and its headers.

    .venv/bin/python -m scripts.openapi_screenshot

Serves tests/openapi's API (scripts.openapi_serve_settings) with runserver on a
free 127.0.0.1 port, sends POST /notes/ twice from Swagger UI's "Try it out"
in Debian's Chromium (headless), and screenshots the second answer, and
the documented 429 (docs/img/openapi-429-documented.png).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright
from tests.services import CHROMIUM_ARGS, free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "img" / "openapi-429.png"
DOCUMENTED = ROOT / "docs" / "img" / "openapi-429-documented.png"


def main() -> None:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "scripts.openapi_serve_settings"}
    env["PYTHONPATH"] = str(ROOT)
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(port, timeout=30)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
            )
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/docs/#/notes/notes_create")
            operation = page.locator("#operations-notes-notes_create")
            operation.locator("textarea.body-param__text").fill('{"title": "Hello 42"}')
            status = operation.locator(".live-responses-table .response .response-col_status")
            operation.locator(".execute").click()
            status.filter(has_text="201").wait_for()
            operation.locator(".execute").click()
            status.filter(has_text="429").wait_for()
            OUTPUT.parent.mkdir(exist_ok=True)
            operation.locator(".live-responses-table").screenshot(path=str(OUTPUT))
            documented = operation.locator('tr.response[data-code="429"]')
            documented.screenshot(path=str(DOCUMENTED))
            browser.close()
    finally:
        stop_process(server)
    print(f"wrote {OUTPUT} and {DOCUMENTED}")


if __name__ == "__main__":
    main()
