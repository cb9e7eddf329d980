"""Sending e-mail (password-reset links) with the standard library's smtplib.

``EMAIL_URL`` says where mails go, with the schemes of django-environ (the Django
starter reads the same variable):

- ``smtp://USER:PASSWORD@HOST:PORT``: plain SMTP (default ``smtp://localhost:25``);
- ``smtp+tls://...`` (or ``smtps://``): SMTP upgraded with STARTTLS, usually port 587;
- ``smtp+ssl://...``: SMTP over TLS from the first byte, usually port 465;
- ``consolemail://``: print each mail on standard output (development's default);
- ``memorymail://``: keep them in ``outbox(app)`` (the tests' default).

The sender is ``DEFAULT_FROM_EMAIL``.
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

SMTP_TIMEOUT = 10  # seconds
STARTTLS_SCHEMES = frozenset({"smtp+tls", "smtps"})
SCHEMES = frozenset({"smtp", "smtp+ssl", "consolemail", "memorymail"}) | STARTTLS_SCHEMES


class MailError(RuntimeError):
    """EMAIL_URL is not something this module can send through."""


def outbox(app: Flask) -> list[EmailMessage]:
    """The mails sent by ``app`` with ``EMAIL_URL=memorymail://``."""
    return app.extensions.setdefault("mail_outbox", [])


def send_mail(subject: str, body: str, to: list[str]) -> None:
    """Send a plain-text mail from ``DEFAULT_FROM_EMAIL`` to ``to``.

    SMTP failures raise ``smtplib.SMTPException`` or ``OSError``.
    """
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["DEFAULT_FROM_EMAIL"]
    message["To"] = ", ".join(to)
    # Plain 7-bit text when it is ASCII, so links stay whole in the raw message.
    message.set_content(body, cte="7bit" if body.isascii() else "quoted-printable")

    url = urlsplit(config["EMAIL_URL"])
    if url.scheme not in SCHEMES:
        choices = ", ".join(sorted(SCHEMES))
        raise MailError(f"EMAIL_URL scheme {url.scheme!r} is unknown: use one of {choices}.")
    if url.scheme == "consolemail":
        sys.stdout.write(f"{message.as_string()}\n{'-' * 79}\n")
        sys.stdout.flush()
        return
    if url.scheme == "memorymail":
        outbox(current_app._get_current_object()).append(message)  # type: ignore[attr-defined]
        return

    host = url.hostname or "localhost"
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if url.scheme == "smtp+ssl":
        smtp = smtplib.SMTP_SSL(host, url.port or 465, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, url.port or 25, timeout=SMTP_TIMEOUT)
    with smtp:
        if url.scheme in STARTTLS_SCHEMES:
            smtp.starttls(context=context)
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)
