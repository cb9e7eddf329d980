"""`python manage.py seed_articles --count N --author USERNAME [--published]`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Article


class Command(BaseCommand):
    help = 'Create N sample articles titled "Sample article 1" to "Sample article N".'

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10, help="How many (default 10).")
        parser.add_argument("--author", required=True, help="Username of the author.")
        parser.add_argument("--published", action="store_true", help="Publish them.")

    def handle(self, *args, count, author, published, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        try:
            user = get_user_model().objects.get(username=author)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f'No user named "{author}": create one with `manage.py createuser`.'
            ) from None
        with transaction.atomic():
            for n in range(1, count + 1):
                Article.objects.create(
                    title=f"Sample article {n}",
                    body=f"This is sample article number {n}.",
                    published=published,
                    author=user,
                )
        state = "published" if published else "draft"
        self.stdout.write(self.style.SUCCESS(f"Created {count} {state} articles."))
