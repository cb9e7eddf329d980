"""A cookie-keeping HTTP client and HTML form filling for the contract's page checks.

Framework-neutral: forms are found by what a person sees (a form with a password
field), filled by input type, and posted with their hidden fields (the CSRF token of
either starter) and to their own action."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import urljoin

import httpx

from .htmltree import Node, parse_html


class Browser:
    """An httpx client that keeps cookies the way a browser does on 127.0.0.1 (the
    starters' production cookies are Secure; httpx would not send them over HTTP)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=20.0, trust_env=False)
        self.jar: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        response = self.client.request(method, url, headers=headers, **kwargs)
        self.client.cookies.clear()
        for header in response.headers.get_list("set-cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.jar[name] = morsel.value
                else:
                    self.jar.pop(name, None)
        return response

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def submit(
        self,
        page: httpx.Response,
        values: dict[str, str],
        *,
        passwords: list[str] | None = None,
        input_type: str = "password",
    ) -> httpx.Response:
        """Post the page's first form with an ``input_type`` field, with its hidden
        fields and ``values`` keyed by input type or name (``{"text": ...,
        "email": ...}``). Password fields get ``passwords`` in order, the last one
        repeated (a "repeat it" field), or ``values["password"]``."""
        form = form_with(parse_html(page.text), input_type)
        assert form is not None, f"no form with a {input_type} field on {page.request.url}"
        pending = list(passwords or [])
        data: dict[str, str] = {}
        for field in form.find_all("input"):
            name = field.attrs.get("name")
            kind = field.attrs.get("type", "text")
            if not name:
                continue
            if name in values:
                data[name] = values[name]
            elif kind == "hidden":
                data[name] = field.attrs.get("value", "")
            elif kind == "password" and pending:
                data[name] = pending.pop(0) if len(pending) > 1 else pending[0]
            elif kind in values:
                data[name] = values[kind]
        url = urljoin(str(page.request.url), form.attrs.get("action") or str(page.request.url))
        return self.request("POST", url, data=data, headers={"Referer": str(page.request.url)})

    def close(self) -> None:
        self.client.close()


def form_with(page: Node, input_type: str) -> Node | None:
    """The first form with an input of ``input_type``."""
    for form in page.find_all("form"):
        if any(i.attrs.get("type") == input_type for i in form.find_all("input")):
            return form
    return None
