"""gunicorn settings for production (https://docs.gunicorn.org/en/stable/settings.html).

gunicorn reads this file when it starts in this folder (or with `-c gunicorn.conf.py`);
options on its command line and in GUNICORN_CMD_ARGS win over the values here.
"""

import os

# The address to listen on: $PORT when the platform sets it, else port 8000.
bind = f"0.0.0.0:{os.environ.get('PORT') or 8000}"

# Worker processes: $WEB_CONCURRENCY, else 2 (about one or two per CPU core).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)

{% from "templates/includes/starter.jinja" import starter with context -%}
{% if async_server -%}
# Async workers (the project was generated with async_server): each worker serves
# many requests at a time while they wait on the network (other services, the
# database); gevent workers take up to worker_connections each. CPU-bound pages
# are somewhat slower than on threaded workers: see the README ("Async server").
worker_class = "{{ starter.async_worker }}"
worker_connections = 1000
{%- else -%}
# Threaded workers. A sync worker serves one connection at a time and waits on it:
# the spare connections browsers open and leave idle can hold every worker, and the
# site stalls until they time out. A gthread worker keeps idle connections aside and
# serves requests with its threads.
worker_class = "gthread"
threads = 4
{%- endif %}

# No access log of gunicorn's own: the application writes one line per request, with
# its request id, in the log format it is configured for (LOG_FORMAT: text or json).
accesslog = None

# Limits of a request, checked by gunicorn before the application sees it (it answers
# 400, 414 or 431 with a short HTML page of its own): the request line (method, path
# and query) at most 4094 bytes, at most 100 header fields of at most 8190 bytes each.
# The body limit (2.5 MB, answered 413) is the application's: see README.md.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
