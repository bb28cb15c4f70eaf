"""A real `kb serve` process on the seeded graph, and headless Chromium to drive it.

Chromium comes from Debian's ``chromium`` package (``KB_CHROMIUM`` overrides the
path); Playwright drives it with ``executable_path``. Screenshots are kept in
``test-artifacts/`` for CI to collect.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.bootstrap import seed_graph
from kb.config import Settings
from kb.graph.db import Graph
from tests.serve_support import serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def server(session_graph: Graph, settings: Settings, test_env: dict[str, str]) -> Iterator[str]:
    """`kb serve` on a free port, with the whole seed (curricula too) loaded."""
    session_graph.write("MATCH (n) DETACH DELETE n")
    seed_graph(session_graph, settings)
    # The 10 s request budget is for a server of its own; the first requests to a freshly
    # seeded Neo4j on a 2-core machine shared with other suites can pass it.
    env = {"KB_REQUEST_BUDGET": "30", "KB_TX_TIMEOUT": "30", **test_env}
    with serving(env, ARTIFACTS / "kb-serve.log", timeout=120) as served:
        yield served.base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
