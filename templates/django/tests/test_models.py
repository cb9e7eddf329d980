import pytest

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_slug_is_the_slugified_title(make_article):
    assert make_article("Hello, World: Django!").slug == "hello-world-django"


def test_slug_collisions_get_a_counter(make_article):
    slugs = [make_article("Same title").slug for _ in range(3)]
    assert slugs == ["same-title", "same-title-2", "same-title-3"]


def test_slug_of_a_title_without_letters_or_digits_is_article(make_article):
    assert make_article("!!! ???").slug == "article"
    assert make_article("***").slug == "article-2"


def test_slug_counter_skips_taken_numbers(make_article):
    make_article("Post")
    make_article("Post 2")  # takes "post-2" by its own title
    assert make_article("Post").slug == "post-3"


def test_slug_is_kept_when_the_title_changes(make_article):
    article = make_article("First title")
    article.title = "Second title"
    article.save()
    article.refresh_from_db()
    assert article.slug == "first-title"


def test_long_titles_make_slugs_that_fit(make_article):
    first = make_article("x" * 200)
    second = make_article("x" * 200)
    assert first.slug == "x" * 200
    assert second.slug == "x" * 200 + "-2"


def test_defaults_str_and_url(make_article, alice):
    article = make_article("My article")
    assert article.body == ""
    assert article.published is False
    assert article.author == alice
    assert str(article) == "My article"
    assert article.get_absolute_url() == "/articles/my-article/"


def test_newest_first(make_article):
    first, second, third = (make_article(f"Article {n}") for n in range(3))
    assert list(Article.objects.all()) == [third, second, first]


def test_custom_user_model(django_user_model):
    assert django_user_model._meta.label == "accounts.User"
