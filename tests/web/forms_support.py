"""Signing in to a real `kb serve` for the form tests: over HTTP (httpx) and in the
browser (Playwright), as a person would."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import httpx

HTML = {"accept": "text/html"}


@contextlib.contextmanager
def signed_in(server: str, secret: str) -> Iterator[httpx.Client]:
    """An HTTP client of ``server`` signed in with the token ``secret``."""
    with httpx.Client(base_url=server, timeout=60, headers=HTML) as client:
        form = client.get("/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        response = client.post("/signin", data={"token": secret, "csrf": csrf})
        assert response.status_code == 303, response.text[:300]
        yield client


def save_a_search_in_the_browser(page: Any, server: str, secret: str, query: str) -> None:
    """Sign in from the sign-in page, search ``query`` and save it (ends on the home page)."""
    page.goto(f"{server}/signin?next=/%3Fq%3D{query}")
    page.fill("#token", secret)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("ol.results li.hit")
    page.click("button:has-text('Save this search')")
    page.wait_for_selector("#saved-search-list li")
