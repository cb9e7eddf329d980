"""`python manage.py createuser USERNAME --password PW [--staff] [--email E]`."""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import normalize_username, username_taken

# What --staff may manage in the admin: every article, and everyone's API tokens.
STAFF_APPS = ["articles", "api_tokens"]


class Command(BaseCommand):
    help = (
        "Create a user who can write through the API. --staff also lets the user "
        "edit anyone's articles and manage them in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="The password (asked for, hidden, when left out).")
        parser.add_argument("--email", default="", help="The user's e-mail address.")
        parser.add_argument(
            "--staff",
            action="store_true",
            help="Staff: admin access, every permission on articles and API tokens.",
        )

    def handle(self, *args, username, password, email, staff, **options):
        User = get_user_model()
        username = normalize_username(username)
        if not username or "\x00" in username:
            raise CommandError("Give a user name (no NUL characters).")
        if username_taken(username):
            raise CommandError(f'A user named "{username}" already exists (in any case).')
        if password is None:
            password = self.ask_password()
        if not password:
            raise CommandError("The password must not be empty.")
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=email, password=password, is_staff=staff
            )
            if staff:
                user.user_permissions.set(
                    Permission.objects.filter(content_type__app_label__in=STAFF_APPS)
                )
        kind = "staff user" if staff else "user"
        self.stdout.write(self.style.SUCCESS(f'Created {kind} "{username}".'))

    def ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
