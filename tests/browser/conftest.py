"""Fixtures for tests that drive Debian's Chromium through Playwright's sync API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    """A headless Debian Chromium, closed after the test whatever its outcome."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}; browser tests need it.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the test's own thread, so
    # Django sees a running loop and refuses every ORM call from the test with
    # SynchronousOnlyOperation. The calls are in fact synchronous and Playwright never touches the
    # database, so they are safe. Set only while this fixture lives (monkeypatch undoes it), so no
    # other test runs with Django's guard switched off.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            try:
                chromium.close()
            finally:
                # With that loop running, asgiref keeps Django's connections in context-local
                # storage, so the test used a connection of its own that pytest-django's teardown
                # cannot see once the loop is gone. Close it while it is still reachable, or
                # PostgreSQL refuses to drop the test database ("being accessed by other users").
                connections.close_all()


# WCAG 2.2 level A and AA, as axe-core tags them.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def accessibility_violations(page) -> list[tuple[str, str, list]]:
    """Run axe-core (bundled with axe-playwright-python) on the page; return its violations.

    The script is evaluated through the browser's debugging protocol, not as a page script, so
    the platform's Content-Security-Policy (no inline scripts) stays on while it runs.
    """
    import axe_playwright_python

    source = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    page.evaluate(source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA_TAGS
    )
    return [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
    ]
