"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every mail it receives, for the
tests that serve a starter (browser suite, background jobs).

``Mailbox``: the aiosmtpd handler, ``.port``, ``.messages`` (parsed), ``.wait_for(to)``.
``smtp_server(box=None)``: a context manager that serves one on a free port, yields it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from scaffold.bench.server import LOOPBACK, free_port


class Mailbox:
    """aiosmtpd handler: keeps the messages, parsed, for the tests to wait for."""

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, recipient: str) -> list[EmailMessage]:
        """The mails to ``recipient`` received so far."""
        with self._lock:
            return [m for m in self.messages if recipient in str(m.get("To", ""))]

    def wait_for(self, recipient: str, timeout: float = 20.0) -> EmailMessage:
        """The first mail to ``recipient``, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := self.to(recipient):
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"no mail to {recipient} arrived within {timeout}s")


@contextmanager
def smtp_server(box: Mailbox | None = None) -> Iterator[Mailbox]:
    """Serve ``box`` (a new ``Mailbox`` by default) on a free port of 127.0.0.1."""
    box = box or Mailbox()
    controller = Controller(box, hostname=LOOPBACK, port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()
