"""Browser journeys: Debian's Chromium driven by Playwright against a live test server.

Every page a journey visits is checked with axe-core (WCAG 2.2 A and AA rules), and the journey
fails on any Content-Security-Policy violation the browser reports.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# alongside it are still synchronous, so Django's async-safety guard must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[3]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@functools.cache
def axe_source() -> str:
    """axe-core's 650 KB script, read from disk once a test process."""
    return AXE_JS.read_text()


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is needed for the browser journeys: install Debian's 'chromium'.")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Journey:
    """A page plus the checks every journey makes on every page it visits."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.csp_violations: list[str] = []
        self.checked: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text and "assets.nhs.uk" not in message.text:
            self.csp_violations.append(message.text)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def check(self) -> None:
        """axe-core on the page as it is now: zero violations, and no CSP violations.

        The page is checked at rest: the pointer is moved off it first, so that a link the test
        has just clicked is not judged in its hover style (NHS.UK links lose their underline
        while pointed at), which would pass or fail by where the page happened to scroll."""
        self.page.wait_for_load_state("load")
        self.page.mouse.move(0, 0)
        # Once a page load: a check after a change in place (htmx) reuses it. Evaluated through
        # the DevTools protocol, so the page's CSP does not block it.
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(axe_source())
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert violations == [], (
            f"axe-core on {self.page.url}:\n"
            + "\n".join(violations)
            + "\n"
            + self.page.content()[:3000]
        )
        assert self.csp_violations == [], self.csp_violations
        self.checked.append(self.page.url)


@pytest.fixture
def journey(browser: Browser, live_server: Any) -> Iterator[Journey]:
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does).")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url)
    context.close()


@pytest.fixture
def phone_journey(browser: Browser, live_server: Any) -> Iterator[Journey]:
    """The same journey on a small phone screen."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url)
    context.close()
