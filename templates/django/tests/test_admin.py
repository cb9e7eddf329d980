import pytest

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_changelist_lists_searches_and_filters(client, editor, make_article):
    make_article("Django tips", published=True)
    make_article("Flask notes")
    client.force_login(editor)

    response = client.get("/admin/articles/article/")
    assert response.status_code == 200
    assert b"Django tips" in response.content and b"Flask notes" in response.content

    response = client.get("/admin/articles/article/", {"q": "django"})
    assert b"Django tips" in response.content and b"Flask notes" not in response.content

    response = client.get("/admin/articles/article/", {"published__exact": "0"})
    assert b"Flask notes" in response.content and b"Django tips" not in response.content


def test_add_page_loads(client, editor):
    client.force_login(editor)
    response = client.get("/admin/articles/article/add/")
    assert response.status_code == 200
    assert b'name="title"' in response.content
    assert b'name="slug"' not in response.content  # read-only, made from the title


def test_adding_an_article_makes_the_staff_user_its_author(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/articles/article/add/",
        {"title": "  From the admin  ", "body": "Text", "published": "on"},
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.author == editor
    assert article.title == "From the admin"
    assert article.slug == "from-the-admin"


def test_editing_keeps_the_author(client, editor, make_article, alice):
    article = make_article("Alice's post")
    client.force_login(editor)
    response = client.post(
        f"/admin/articles/article/{article.pk}/change/",
        {"title": "Edited by staff", "body": ""},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.author == alice
    assert article.title == "Edited by staff"


def test_user_admin_loads(admin_client):
    assert admin_client.get("/admin/accounts/user/").status_code == 200
