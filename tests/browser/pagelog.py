"""What a browser page did while a test drove it: every request it made, and every
console error, uncaught script error and failed request. ``assert_clean()`` fails when
a request left 127.0.0.1 or anything went wrong in the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.support.servers import LOOPBACK


@dataclass
class PageLog:
    """What the page did: every request, and every console error, uncaught script
    error and failed request."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._on_request_failed)

    def _on_request_failed(self, request: Any) -> None:
        # ERR_ABORTED: the test moved on before a subresource finished loading.
        if request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            location = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} (at {location})")

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not _is_local(url)]

    def assert_clean(self, *, allow_console: Callable[[str], bool] = lambda _: False) -> None:
        """No request left 127.0.0.1, no console or script error, no failed request."""
        problems = []
        if self.outside_requests():
            problems.append(f"requests to other hosts than {LOOPBACK}: {self.outside_requests()}")
        # Chromium fetches /favicon.ico on its own schedule (a 404 is logged, or not,
        # depending on timing): test_site_has_an_icon checks the icon instead.
        errors = [
            e
            for e in self.console_errors
            if not allow_console(e) and not e.endswith("/favicon.ico)")
        ]
        if errors:
            problems.append(f"console errors: {errors}")
        if self.page_errors:
            problems.append(f"uncaught script errors: {self.page_errors}")
        if self.failed_requests:
            problems.append(f"failed requests: {self.failed_requests}")
        assert not problems, "; ".join(problems) + f"\nall requests: {self.requests}"


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True  # never leaves the browser
    return parts.hostname == LOOPBACK
