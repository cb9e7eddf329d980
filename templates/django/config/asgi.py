"""ASGI entry point, e.g. `uvicorn config.asgi:application` or
`gunicorn config.asgi:application -k uvicorn_worker.UvicornWorker` (what gunicorn.conf.py
sets up when the project is generated with async_server)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()
