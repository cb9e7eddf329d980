import base64

import pytest
from django.contrib.auth.models import Permission

from articles.models import Article

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def make_user(django_user_model):
    def make(username, **fields):
        return django_user_model.objects.create_user(
            username=username, password=PASSWORD, **fields
        )

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def editor(make_user):
    """A staff user with every permission on articles (what `createuser --staff` makes)."""
    user = make_user("editor", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    return user


@pytest.fixture
def make_article(alice):
    def make(title="Hello world", *, author=None, **fields):
        return Article.objects.create(title=title, author=author or alice, **fields)

    return make


@pytest.fixture
def basic_auth():
    """`headers=basic_auth(user)`: HTTP Basic credentials for a test client request."""

    def headers(user, password=PASSWORD):
        token = base64.b64encode(f"{user.username}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    return headers
