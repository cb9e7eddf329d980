"""``flask users create``, ``flask articles seed`` and ``flask db`` (migrations)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy import select

from .extensions import db
from .models import Article, User, find_user, normalize_username, unique_slug

MIGRATIONS = Path(__file__).with_name("migrations")

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
    username = normalize_username(username)
    if not username or len(username) > 150 or "\x00" in username:
        raise click.BadParameter("use 1 to 150 characters.", param_hint="USERNAME")
    if not password:
        raise click.BadParameter("must not be empty.", param_hint="'--password'")
    if find_user(username) is not None:
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


def init_migrations(app: Flask) -> None:
    """Attach Flask-Migrate (and with it Alembic) to ``app``."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)


class MigrationCommands(click.Group):
    """``flask db ...``: Flask-Migrate's commands. Flask-Migrate and Alembic are imported
    when one of them runs, not in every server process."""

    def load(self, ctx: click.Context) -> click.Group:
        """Flask-Migrate's ``db`` group, attached to the app; this group takes on its
        options and callback."""
        app = ctx.ensure_object(ScriptInfo).load_app()
        if "migrate" not in app.extensions:
            init_migrations(app)
        from flask_migrate.cli import db as migrate_commands

        self.params = migrate_commands.params
        self.callback = migrate_commands.callback
        return migrate_commands

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        self.load(ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.load(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.load(ctx).get_command(ctx, name)


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(articles_cli)
    app.cli.add_command(MigrationCommands("db", help="Perform database migrations."))
