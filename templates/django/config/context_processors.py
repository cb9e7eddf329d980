"""Values every page template can use."""

from django.conf import settings


def site(request):
    """`project_name` (settings.SITE_NAME) for the page header, titles and footer,
    and `signup_enabled` (settings.SIGNUP_ENABLED) for the "Sign up" links.

    Not `site_name`: Django's login view sets that to the request's host name.
    """
    return {"project_name": settings.SITE_NAME, "signup_enabled": settings.SIGNUP_ENABLED}
