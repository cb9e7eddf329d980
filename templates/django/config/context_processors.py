"""Values every page template can use."""

from django.conf import settings


def site(request):
    """`site_name` for the page header, titles and footer."""
    return {"site_name": settings.SITE_NAME}
