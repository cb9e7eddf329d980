"""Sign-up, password reset by e-mail, password change and the login throttle."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from accounts.models import LoginFailure
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-long-passphrase"


def signup(client, **fields):
    data = {
        "username": "carol",
        "email": "carol@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **fields,
    }
    return client.post("/signup/", data)


# --- sign-up -------------------------------------------------------------------


def test_signup_page(client):
    html = client.get("/signup/").content.decode()
    assert '<form method="post" action="/signup/" class="login-form">' in html
    for name in ("username", "email", "password1", "password2"):
        assert f'name="{name}"' in html
    assert '<a href="/signup/">Sign up</a>' in client.get("/login/").content.decode()


def test_signup_makes_an_account_and_logs_in(client):
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(username="carol")
    assert user.email == "carol@example.com" and user.check_password(PASSWORD)
    assert not user.is_staff
    assert b"Log out (carol)</button>" in client.get("/").content


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password1": "short", "password2": "short"}, "password2", "too short"),
        ({"password1": "password123", "password2": "password123"}, "password2", "too common"),
        ({"password2": "something-else-entirely"}, "password2", "didn’t match"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"email": ""}, "email", "required"),
    ],
    ids=["short", "common", "mismatch", "bad-email", "no-email"],
)
def test_signup_refuses_bad_input(client, fields, field, message):
    response = signup(client, **fields)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert not get_user_model().objects.filter(username="carol").exists()


def test_signup_refuses_a_taken_username_or_address(client, make_user):
    make_user("carol", email="carol@example.com")
    response = signup(client, email="other@example.com")
    assert "username" in response.context["form"].errors
    response = signup(client, username="carol2", email="CAROL@example.com")
    assert "email" in response.context["form"].errors


def test_signup_can_be_turned_off(client, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get("/signup/").status_code == 404
    assert signup(client).status_code == 404
    assert not get_user_model().objects.filter(username="carol").exists()
    assert b"Sign up" not in client.get("/login/").content


def test_signed_in_users_are_sent_home_from_signup(client, alice):
    client.force_login(alice)
    response = client.get("/signup/")
    assert response.status_code == 302 and response["Location"] == "/"


# --- password reset ------------------------------------------------------------


def reset_link(message):
    match = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_mails_a_link_that_works_once(client, make_user):
    make_user("dana", email="dana@example.com")
    response = client.post("/password-reset/", {"email": "dana@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    (message,) = mail.outbox
    assert message.to == ["dana@example.com"]
    assert message.subject == "Reset your password"
    link = reset_link(message)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"Set a new password" in form.content
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/password-reset/done/"
    assert get_user_model().objects.get(username="dana").check_password(NEW_PASSWORD)

    again = client.get(link, follow=True)
    assert b"This link no longer works" in again.content
    assert client.login(username="dana", password=NEW_PASSWORD)


def test_password_reset_answers_the_same_for_unknown_addresses(client, make_user):
    make_user("erin", email="erin@example.com")
    known = client.post("/password-reset/", {"email": "erin@example.com"}, follow=True)
    unknown = client.post("/password-reset/", {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/password-reset/sent/", 302)]
    assert known.content == unknown.content
    assert len(mail.outbox) == 1


def test_password_reset_links_expire(client, make_user, settings):
    make_user("fay", email="fay@example.com")
    client.post("/password-reset/", {"email": "fay@example.com"})
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is already too old
    page = client.get(reset_link(mail.outbox[0]), follow=True)
    assert b"This link no longer works" in page.content


def test_password_reset_refuses_a_weak_new_password(client, make_user):
    make_user("gil", email="gil@example.com")
    client.post("/password-reset/", {"email": "gil@example.com"})
    form = client.get(reset_link(mail.outbox[0]), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors


def test_login_page_links_to_password_reset(client):
    assert '<a href="/password-reset/">Forgot your password?</a>' in (
        client.get("/login/").content.decode()
    )


# --- password change -----------------------------------------------------------


def test_password_change_needs_a_login(client):
    response = client.get("/password-change/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/password-change/"


def test_password_change(client, alice):
    client.force_login(alice)
    assert b'<a href="/password-change/">Password</a>' in client.get("/").content
    response = client.post(
        "/password-change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/password-change/done/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # The session that changed the password stays logged in.
    assert b"Log out (alice)</button>" in client.get("/").content


def test_password_change_checks_the_old_password(client, alice):
    client.force_login(alice)
    response = client.post(
        "/password-change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200 and "old_password" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# --- the login throttle ----------------------------------------------------------


def log_in(client, username="alice", attempt="wrong", address="127.0.0.1"):
    return client.post("/login/", {"username": username, "password": attempt}, REMOTE_ADDR=address)


def test_login_is_throttled_per_username(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert log_in(client).status_code == 200
    response = log_in(client, attempt=PASSWORD)  # right, but too late
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= settings.LOGIN_FAILURE_WINDOW
    assert f"Too many failed attempts. Try again in {wait} seconds." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address trying the same username is refused too.
    assert log_in(client, attempt=PASSWORD, address="192.0.2.9").status_code == 429


def test_login_is_throttled_per_address(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        assert log_in(client, username=f"guess{n}").status_code == 200
    assert log_in(client, username="someone-else").status_code == 429
    assert log_in(client, username="someone-else", address="192.0.2.9").status_code == 200


def test_login_throttle_ends_with_the_window(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(client)
    assert log_in(client, attempt=PASSWORD).status_code == 429
    LoginFailure.objects.update(
        at=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    )
    response = log_in(client, attempt=PASSWORD)
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_a_successful_login_clears_the_failures(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(client)
    assert log_in(client, attempt=PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_staff_see_failed_logins_in_the_admin(admin_client, client):
    log_in(client, username="mallory")
    response = admin_client.get("/admin/accounts/loginfailure/")
    assert response.status_code == 200 and b"mallory" in response.content
    assert str(LoginFailure.objects.get()) == "mallory from 127.0.0.1"


# --- e-mail settings ---------------------------------------------------------------


def test_mails_come_from_default_from_email(client, make_user, settings):
    settings.DEFAULT_FROM_EMAIL = "site@example.com"
    make_user("hal", email="hal@example.com")
    client.post("/password-reset/", {"email": "hal@example.com"})
    assert mail.outbox[0].from_email == "site@example.com"


def test_the_admin_login_is_throttled_too(client, editor, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert "Too many failed attempts." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_non_staff_login_to_the_admin_is_no_failure(client, alice):
    client.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert not LoginFailure.objects.exists()


# --- one account per name (NFKC, any case) ----------------------------------------


def test_look_alike_user_names_log_in_to_one_account():
    from django.contrib.auth import authenticate

    user = get_user_model().objects.create_user("Jos\u00e9", password=PASSWORD)
    for spelling in ("jose\u0301", "\uff4a\uff4f\uff53\u00e9", " Jos\u00e9 "):
        assert authenticate(username=spelling, password=PASSWORD) == user, spelling
    assert authenticate(username="Jos\u00e9\x00", password=PASSWORD) is None


def test_signup_refuses_a_look_alike_of_an_existing_name(client):
    get_user_model().objects.create_user("carol", password=PASSWORD)
    response = signup(client, username="\uff23arol", email="other@example.com")
    assert response.status_code == 200
    assert get_user_model().objects.count() == 1
