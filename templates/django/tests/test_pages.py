import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.utils.html import escape

from articles.models import Article
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_newest_first(client, make_article):
    older = make_article("Older post", published=True)
    make_article("Draft post")
    newer = make_article("Newer post", published=True)

    response = client.get("/")

    assert response.status_code == 200
    assert list(response.context["article_list"]) == [newer, older]
    html = response.content.decode()
    assert html.index('href="/articles/newer-post/"') < html.index('href="/articles/older-post/"')
    assert "Draft post" not in html
    assert f"<title>Articles · {escape(settings.SITE_NAME)}</title>" in html


def test_home_without_articles(client):
    response = client.get("/")
    assert b'<p class="empty">No articles yet.</p>' in response.content


def test_home_is_paginated(client, make_article):
    for n in range(25):
        make_article(f"Post {n}", published=True)
    first = client.get("/")
    assert len(first.context["article_list"]) == 20
    assert b'rel="next"' in first.content
    assert b"<span>Page 1 of 2</span>" in first.content
    assert b'<a href="?page=2" rel="next">Older</a>' in first.content
    second = client.get("/", {"page": 2})
    assert len(second.context["article_list"]) == 5
    assert b'<a href="?page=1" rel="prev">Newer</a>' in second.content
    assert b"<span>Page 2 of 2</span>" in second.content
    assert client.get("/", {"page": 3}).status_code == 404


def test_detail_shows_a_published_article_escaped(client, make_article, alice):
    article = make_article(
        "<b>Bold</b> claims", body="Line one <script>x()</script>\nLine two", published=True
    )
    response = client.get(f"/articles/{article.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>&lt;b&gt;Bold&lt;/b&gt; claims</h1>" in html
    assert "Line one &lt;script&gt;x()&lt;/script&gt;\nLine two" in html
    assert f"By {alice.username}" in html


def test_dates_are_written_out(client, make_article):
    article = make_article("Dated", published=True)
    Article.objects.filter(pk=article.pk).update(
        created_at=datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    )
    listing = client.get("/").content.decode()
    assert '<time datetime="2026-11-04T10:00:00+00:00">4 Nov 2026</time>' in listing
    detail = client.get(f"/articles/{article.slug}/").content.decode()
    assert '<time datetime="2026-11-04T10:00:00+00:00">4 November 2026</time>' in detail


def test_draft_and_unknown_slugs_are_the_404_page(client, make_article, bob):
    draft = make_article("Secret")
    client.force_login(bob)  # not its author: the draft does not exist for bob
    for path in (f"/articles/{draft.slug}/", "/articles/nothing-here/", "/no/such/page/"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"<h1>Page not found</h1>" in response.content
        assert b'<header class="site-header">' in response.content
        assert b"There is no page at this address, or it is not published." in response.content
        assert b'<a class="button" href="/">All articles</a>' in response.content


def test_stylesheet_is_served_locally(client):
    response = client.get("/")
    assert b'<link rel="stylesheet" href="/static/css/site.css">' in response.content
    css = client.get("/static/css/site.css")
    assert css.status_code == 200
    assert b".site-header" in b"".join(css.streaming_content)


def test_login_and_logout(client, alice):
    page = client.get("/login/")
    assert page.status_code == 200 and b'name="password"' in page.content
    assert f'<a class="brand" href="/">{escape(settings.SITE_NAME)}</a>' in page.content.decode()

    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert b"Log out (alice)</button>" in client.get("/").content

    response = client.post("/logout/")
    assert response.status_code == 302
    assert b"Log in" in client.get("/").content


def test_layout_nav_and_footer(client, make_article):
    article = make_article("Around", published=True)
    html = client.get(f"/articles/{article.slug}/").content.decode()
    assert '<nav class="site-nav" aria-label="Main">' in html
    # Logging in leads back to the page the visitor was on (not from the login page).
    assert f'<a href="/login/?next=/articles/{article.slug}/">Log in</a>' in html
    login_page = client.get("/login/").content.decode()
    assert '<a href="/login/">Log in</a>' in login_page
    footer = re.search(r'<footer class="site-footer">\s*(.*?)\s*</footer>', html).group(1)
    assert footer == f"{escape(settings.SITE_NAME)} · Built with Django"


def test_login_form(client):
    html = client.get("/login/").content.decode()
    assert '<form method="post" action="/login/" class="login-form">' in html
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert re.search(
        r'<label class="check"><input type="checkbox" name="remember"[^>]*> Keep me logged in</label>',
        html,
    )


def test_wrong_password_shows_an_error(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert (
        '<p class="form-error" role="alert">Please enter a correct username and password.'
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("remember", "max_age"),
    [({}, ""), ({"remember": "on"}, settings.SESSION_COOKIE_AGE)],
    ids=["browser-session", "kept"],
)
def test_keep_me_logged_in(client, alice, remember, max_age):
    response = client.post("/login/", {"username": "alice", "password": PASSWORD, **remember})
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == max_age


def test_the_author_previews_a_draft(client, make_article, alice):
    draft = make_article("Work in progress", body="Not finished")
    client.force_login(alice)
    response = client.get(f"/articles/{draft.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Work in progress</h1>" in html
    assert "Draft: not published yet." in html
    # Still not listed on the home page, which shows published articles only.
    assert "Work in progress" not in client.get("/").content.decode()


def test_staff_see_drafts_and_anonymous_users_do_not(client, make_article, editor):
    draft = make_article("Under review")
    assert client.get(f"/articles/{draft.slug}/").status_code == 404
    client.force_login(editor)
    assert client.get(f"/articles/{draft.slug}/").status_code == 200


def test_published_articles_carry_no_draft_notice(client, make_article):
    article = make_article("Out", published=True)
    assert b"Draft:" not in client.get(f"/articles/{article.slug}/").content
