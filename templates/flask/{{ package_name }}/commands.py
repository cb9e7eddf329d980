"""``flask users create`` and ``flask articles seed``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import db
from .models import Article, User, unique_slug

users_cli = AppGroup("users", help="Manage user accounts.")
articles_cli = AppGroup("articles", help="Manage articles.")

SAMPLE_BODY = (
    "This is a sample article created by `flask articles seed`.\n"
    "Edit or delete it in the admin (/admin/) or through the API (/api/articles/)."
)


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (asked for, hidden, when left out).",
)
@click.option("--email", default="", help="E-mail address.")
@click.option("--staff", is_flag=True, help="Allow the admin and changing any article.")
def create_user(username: str, password: str, email: str, staff: bool) -> None:
    """Create a user account named USERNAME."""
    username = username.strip()
    if not username or len(username) > 150:
        raise click.BadParameter("use 1 to 150 characters.", param_hint="USERNAME")
    if not password:
        raise click.BadParameter("must not be empty.", param_hint="'--password'")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise click.ClickException(f'A user named "{username}" already exists.')
    user = User(username=username, email=email.strip(), is_staff=staff)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    kind = "staff user" if staff else "user"
    click.echo(f'Created {kind} "{username}".')


@articles_cli.command("seed")
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many articles to create.",
)
@click.option("--author", required=True, help="Username of their author.")
@click.option("--published", is_flag=True, help="Publish them (default: drafts).")
def seed_articles(count: int, author: str, published: bool) -> None:
    """Create sample articles titled "Sample article 1" to "Sample article COUNT"."""
    user = db.session.scalar(select(User).where(User.username == author))
    if user is None:
        raise click.ClickException(
            f'No user named "{author}": create one with "flask users create {author}".'
        )
    for number in range(1, count + 1):
        title = f"Sample article {number}"
        article = Article(
            title=title,
            slug=unique_slug(title),
            body=SAMPLE_BODY,
            published=published,
            author=user,
        )
        db.session.add(article)
        db.session.flush()
    db.session.commit()
    state = "published" if published else "draft"
    click.echo(f'Created {count} {state} article(s) by "{author}".')


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(articles_cli)
