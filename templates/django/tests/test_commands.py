import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_createuser(capsys):
    call_command("createuser", "carol", "--password", "s3cret-pass", "--email", "c@example.com")
    user = get_user_model().objects.get(username="carol")
    assert user.check_password("s3cret-pass")
    assert user.email == "c@example.com"
    assert not user.is_staff and not user.is_superuser
    assert 'Created user "carol".' in capsys.readouterr().out


def test_createuser_staff_gets_article_permissions():
    call_command("createuser", "dave", "--password", "pw", "--staff")
    user = get_user_model().objects.get(username="dave")
    assert user.is_staff and not user.is_superuser
    assert user.has_perms(["articles.add_article", "articles.change_article"])
    assert user.has_perm("articles.delete_article")


def test_createuser_refuses_a_duplicate(alice):
    with pytest.raises(CommandError, match='A user named "alice" already exists.'):
        call_command("createuser", "alice", "--password", "pw")


def test_createuser_refuses_an_empty_password():
    with pytest.raises(CommandError, match="must not be empty"):
        call_command("createuser", "erin", "--password", "")
    assert not get_user_model().objects.filter(username="erin").exists()


def test_createuser_asks_for_the_password(monkeypatch):
    answers = iter(["typed-pass", "typed-pass"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("createuser", "frank")
    assert get_user_model().objects.get(username="frank").check_password("typed-pass")


def test_createuser_refuses_differing_passwords(monkeypatch):
    answers = iter(["one", "two"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("createuser", "grace")


def test_seed_articles(alice, capsys):
    call_command("seed_articles", "--count", "3", "--author", "alice", "--published")
    titles = list(Article.objects.order_by("id").values_list("title", flat=True))
    assert titles == ["Sample article 1", "Sample article 2", "Sample article 3"]
    assert all(a.published and a.author == alice for a in Article.objects.all())
    assert "Created 3 published articles." in capsys.readouterr().out


def test_seed_articles_as_drafts_twice(alice):
    call_command("seed_articles", "--count", "2", "--author", "alice")
    call_command("seed_articles", "--count", "2", "--author", "alice")
    assert Article.objects.filter(published=False).count() == 4
    assert Article.objects.filter(slug="sample-article-1-2").exists()


def test_seed_articles_needs_an_existing_author():
    with pytest.raises(CommandError, match='No user named "nobody"'):
        call_command("seed_articles", "--count", "1", "--author", "nobody")


def test_seed_articles_needs_a_positive_count(alice):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_articles", "--count", "0", "--author", "alice")


def test_createuser_refuses_a_look_alike_name():
    call_command("createuser", "Jos\u00e9", "--password", "pw")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "jose\u0301", "--password", "pw")
    with pytest.raises(CommandError, match="no NUL"):
        call_command("createuser", "nul\x00", "--password", "pw")
