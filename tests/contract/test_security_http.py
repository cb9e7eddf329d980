"""Secure by default, over real HTTP on the served starters (production settings):
CSRF on forms, cookie flags, security headers, admin for staff only, hashed passwords,
and a production configuration that refuses to start without a real secret."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx
import pytest

from tests.support.procs import CommandFailed, run

pytestmark = pytest.mark.slow

# How each starter logs a browser user in: the form's URL and its CSRF field.
LOGIN = {
    "django": ("/admin/login/", "csrfmiddlewaretoken"),
    "flask": ("/login/", "csrf_token"),
}
SESSION_COOKIE = {"django": "sessionid", "flask": "session"}


def _client(live) -> httpx.Client:
    return httpx.Client(base_url=live.base_url, timeout=20, follow_redirects=False)


def _keep_cookies(client: httpx.Client, response: httpx.Response) -> None:
    """Keep Secure cookies on plain-HTTP loopback, as browsers do for 127.0.0.1
    (httpx would drop them): send them back in a Cookie header."""
    jar = SimpleCookie(client.headers.get("cookie", ""))
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    client.cookies.clear()
    client.headers["cookie"] = "; ".join(f"{k}={m.value}" for k, m in jar.items() if m.value)


def _token(html: str, field: str) -> str:
    match = re.search(rf'name="{field}"[^>]*value="([^"]+)"', html) or re.search(
        rf'value="([^"]+)"[^>]*name="{field}"', html
    )
    assert match, f"the login form has a hidden {field} (CSRF) field"
    return match.group(1)


def _log_in(client: httpx.Client, live, user) -> httpx.Response:
    url, field = LOGIN[live.framework]
    form = client.get(url)
    assert form.status_code == 200
    _keep_cookies(client, form)
    response = client.post(
        url,
        data={
            "username": user.username,
            "password": user.password,
            field: _token(form.text, field),
        },
        headers={"Referer": f"{live.base_url}{url}"},
    )
    _keep_cookies(client, response)
    return response


def test_login_without_csrf_token_is_refused(live_project):
    url, _ = LOGIN[live_project.framework]
    with _client(live_project) as client:
        _keep_cookies(client, client.get(url))
        response = client.post(
            url, data={"username": live_project.staff.username, "password": "x"}
        )
    assert response.status_code in (400, 403), response.text[:300]
    assert SESSION_COOKIE[live_project.framework] not in response.cookies


def test_session_cookie_is_secure_httponly_samesite(live_project):
    with _client(live_project) as client:
        response = _log_in(client, live_project, live_project.staff)
    assert response.status_code in (302, 303), response.text[-1500:]
    name = SESSION_COOKIE[live_project.framework]
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert cookies, f"logging in sets the {name} cookie"
    flags = cookies[-1].lower()
    assert "; secure" in flags and "; httponly" in flags and "samesite=lax" in flags, flags


def test_pages_send_security_headers(live_project):
    with _client(live_project) as client:
        response = client.get("/")
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options", "").upper() in ("DENY", "SAMEORIGIN")
    assert headers.get("referrer-policy")


def test_admin_is_for_staff_only(live_project):
    with _client(live_project) as client:
        anonymous = client.get("/admin/")
        assert anonymous.status_code in (302, 303), "anonymous visitors are sent to a login page"
        assert "login" in anonymous.headers["location"]
        _log_in(client, live_project, live_project.alice)
        as_user = client.get("/admin/", follow_redirects=True)
    assert as_user.status_code in (200, 403)
    assert (
        "logout" not in as_user.text.lower()
        or as_user.status_code == 403
        or ("login" in str(as_user.url))
    ), "a user who is not staff must not get into the admin"
    with _client(live_project) as client:
        _log_in(client, live_project, live_project.staff)
        as_staff = client.get("/admin/")
    assert as_staff.status_code == 200, "a staff user gets into the admin"


HASH_QUERY = {
    "django": [
        "shell", "-c",
        "from django.contrib.auth import get_user_model;"
        "print(get_user_model().objects.get(username='alice').password)",
    ],
}  # fmt: skip


def test_passwords_are_stored_hashed(live_project):
    project = live_project.project
    if live_project.framework == "django":
        stored = project.command(*HASH_QUERY["django"]).stdout.strip().splitlines()[-1]
        assert stored.startswith(("pbkdf2_sha256$", "argon2", "bcrypt", "scrypt"))
    else:
        code = (
            f"from {project.package_name} import create_app\n"
            f"from {project.package_name}.models import User\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    print(User.query.filter_by(username='alice').one().password_hash)\n"
        )
        stored = (
            run([project.bin_dir / "python", "-c", code], cwd=project.project_dir, env=project.env)
            .stdout.strip()
            .splitlines()[-1]
        )
        assert stored.startswith(("scrypt:", "pbkdf2:"))
    assert live_project.alice.password not in stored


def test_production_refuses_to_start_without_a_real_secret(live_project):
    project = live_project.project
    saved = dict(project.env)
    project.env["SECRET_KEY"] = ""
    try:
        with pytest.raises(CommandFailed) as info:
            if live_project.framework == "django":
                project.command("check", "--deploy")
            else:
                project.command("routes")
    finally:
        project.env.clear()
        project.env.update(saved)
    assert "SECRET_KEY" in str(info.value)
