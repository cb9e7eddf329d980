"""Baseline views that ``scaffold bench`` adds to ITS COPY of a generated project
(never to the template): the same 20 newest articles as ``GET /api/articles/``,

- through the bare framework: a plain ORM query rendered to JSON by hand, and
- through the bare REST library: the library's generic list view, pagination and
  serializer with no customisation,

served by the same gunicorn process as the starter, so the starter's list view
is compared with both under identical settings, middleware and database.

For ``scaffold bench --async`` (the I/O-bound case) it also adds views that wait on
an upstream HTTP service (``upstream``: a delay server, its URL in the environment
variable SCAFFOLD_BENCH_UPSTREAM), with clients the bench installs into its copy: a
sync view (urllib3's connection pool, as under requests; Flask runs it on threads or
on gevent alike) and, for Django under ASGI, an async view (an aiohttp session), as
a project written for that server would. They are imported on the first such request
only. (httpx was tried first: its connection pool looks at every pooled connection
for each request, which at 200 connections cost more CPU than the views themselves.)

Django: ``scaffold_bench_urls.py`` (the bench routes, then the project's own
``config.urls``) and ``scaffold_bench_settings.py`` (the project's settings with
that urlconf). Flask: ``scaffold_bench_wsgi.py`` (the project's ``create_app()``
plus a blueprint with the two views).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .project import StarterProject

BARE_FRAMEWORK_PATH = "/__bench__/bare-framework/"
BARE_REST_PATH = "/__bench__/bare-rest/"
UPSTREAM_SYNC_PATH = "/__bench__/upstream-sync/"
UPSTREAM_ASYNC_PATH = "/__bench__/upstream-async/"  # Django only
UPSTREAM_VARIABLE = "SCAFFOLD_BENCH_UPSTREAM"
IO_REQUIREMENTS = ("urllib3>=2.2", "aiohttp>=3.10")
# Enough pooled upstream connections for every request a worker may hold at once.
POOL_SIZE = 1000

DJANGO_SETTINGS_MODULE = "scaffold_bench_settings"

_DJANGO_SETTINGS = '''\
"""Added by `scaffold bench` to its copy of the project: the project's settings,
with the bench urlconf (the project's routes plus two baseline views)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "scaffold_bench_urls"
'''

_DJANGO_URLS = '''\
"""Added by `scaffold bench` to its copy of the project: two baseline list views
of the same 20 newest articles, then every route of config.urls unchanged."""

import os

from django.apps import apps
from django.http import JsonResponse
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

Article = apps.get_model("articles", "Article")
NEWEST_FIRST = ("-created_at", "-id")
FIELDS = ("id", "title", "slug", "body", "published", "created_at", "updated_at")


def bare_framework_list(request):
    """Plain Django: one ORM query (with the author's username), JSON by hand."""
    articles = Article.objects.order_by(*NEWEST_FIRST)
    rows = list(articles.values(*FIELDS, "author__username")[:20])
    for row in rows:
        row["author"] = row.pop("author__username")
    return JsonResponse({"count": articles.count(), "results": rows})


class BareArticleSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Article
        fields = [*FIELDS, "author"]


class BarePagination(PageNumberPagination):
    page_size = 20


class BareRestList(generics.ListAPIView):
    """Bare Django REST framework: ListAPIView, ModelSerializer, PageNumberPagination."""

    queryset = Article.objects.select_related("author").order_by(*NEWEST_FIRST)
    serializer_class = BareArticleSerializer
    pagination_class = BarePagination
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]


_clients = {}


def upstream_sync(request):
    """Waits on the upstream service, holding its thread meanwhile (urllib3's pool,
    one per worker process)."""
    if "sync" not in _clients:
        import urllib3

        _clients["sync"] = urllib3.PoolManager(maxsize=__POOL_SIZE__)
    answer = _clients["sync"].request("GET", os.environ["__UPSTREAM__"])
    return JsonResponse({"upstream": answer.json()["upstream"]})


async def upstream_async(request):
    """Waits on the upstream service on the event loop (ASGI), no thread held (an
    aiohttp session per worker, made on its event loop at the first request)."""
    import aiohttp

    if "async" not in _clients:
        connector = aiohttp.TCPConnector(limit=__POOL_SIZE__)
        _clients["async"] = aiohttp.ClientSession(connector=connector)
    async with _clients["async"].get(os.environ["__UPSTREAM__"]) as answer:
        data = await answer.json()
    return JsonResponse({"upstream": data["upstream"]})


urlpatterns = [
    path("__FRAMEWORK_PATH__", bare_framework_list),
    path("__REST_PATH__", BareRestList.as_view()),
    path("__UPSTREAM_SYNC__", upstream_sync),
    path("__UPSTREAM_ASYNC__", upstream_async),
    path("", include("config.urls")),
]
'''
for _key, _value in {
    "__FRAMEWORK_PATH__": BARE_FRAMEWORK_PATH.lstrip("/"),
    "__REST_PATH__": BARE_REST_PATH.lstrip("/"),
    "__UPSTREAM_SYNC__": UPSTREAM_SYNC_PATH.lstrip("/"),
    "__UPSTREAM_ASYNC__": UPSTREAM_ASYNC_PATH.lstrip("/"),
    "__UPSTREAM__": UPSTREAM_VARIABLE,
    "__POOL_SIZE__": str(POOL_SIZE),
}.items():
    _DJANGO_URLS = _DJANGO_URLS.replace(_key, _value)

FLASK_APP_SPEC = "scaffold_bench_wsgi:app"

_FLASK_WSGI = '''\
"""Added by `scaffold bench` to its copy of the project: the project's app, plus
two baseline list views of the same 20 newest articles."""

import os

from flask import Blueprint, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from __PACKAGE__ import create_app

app = create_app()
db = app.extensions["sqlalchemy"]
Article = next(
    mapper.class_ for mapper in db.Model.registry.mappers if mapper.class_.__name__ == "Article"
)
NEWEST_FIRST = (Article.created_at.desc(), Article.id.desc())

bench = Blueprint("scaffold_bench", __name__)


def _page():
    query = select(Article).options(joinedload(Article.author)).order_by(*NEWEST_FIRST).limit(20)
    count = db.session.scalar(select(func.count()).select_from(Article))
    return count, db.session.scalars(query).all()


@bench.get("__FRAMEWORK_PATH__")
def bare_framework_list():
    """Plain Flask + Flask-SQLAlchemy: one query (author joined), JSON by hand."""
    count, articles = _page()
    return jsonify(
        count=count,
        results=[
            {
                "id": a.id,
                "title": a.title,
                "slug": a.slug,
                "body": a.body,
                "published": a.published,
                "author": a.author.username,
                "created_at": a.created_at.isoformat(),
                "updated_at": a.updated_at.isoformat(),
            }
            for a in articles
        ],
    )


class BareUserSchema(Schema):
    username = fields.String()


class BareArticleSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    slug = fields.String()
    body = fields.String()
    published = fields.Boolean()
    author = fields.Pluck(BareUserSchema, "username")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


rest = SmorestBlueprint("scaffold_bench_rest", __name__)


@rest.route("__REST_PATH__")
class BareRestList(MethodView):
    """Bare flask-smorest: a MethodView, its own pagination (page and page_size
    arguments, the X-Pagination header) and a marshmallow schema."""

    @rest.response(200, BareArticleSchema(many=True))
    @rest.paginate(page_size=20)
    def get(self, pagination_parameters):
        pagination_parameters.item_count = db.session.scalar(
            select(func.count()).select_from(Article)
        )
        query = select(Article).options(joinedload(Article.author)).order_by(*NEWEST_FIRST)
        return db.session.scalars(
            query.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
        ).all()


_clients = {}


@bench.get("__UPSTREAM_SYNC__")
def upstream_sync():
    """Waits on the upstream service: holds a thread on threaded workers, only a
    greenlet on gevent workers (urllib3's pool, one per worker process)."""
    if "sync" not in _clients:
        import urllib3

        _clients["sync"] = urllib3.PoolManager(maxsize=__POOL_SIZE__)
    answer = _clients["sync"].request("GET", os.environ["__UPSTREAM__"])
    return jsonify(upstream=answer.json()["upstream"])


app.register_blueprint(rest)
app.register_blueprint(bench)
'''


def add_django_bench(project: Path) -> tuple[str, dict[str, str]]:
    """Write the bench modules; return the gunicorn app and extra environment."""
    (project / f"{DJANGO_SETTINGS_MODULE}.py").write_text(_DJANGO_SETTINGS, encoding="utf-8")
    (project / "scaffold_bench_urls.py").write_text(_DJANGO_URLS, encoding="utf-8")
    return "config.wsgi", {"DJANGO_SETTINGS_MODULE": DJANGO_SETTINGS_MODULE}


def upstream_path(project: StarterProject) -> str:
    """The I/O-bound view as a project written for its server has it: async under
    Django's ASGI server, else sync."""
    if project.framework == "django" and project.async_server:
        return UPSTREAM_ASYNC_PATH
    return UPSTREAM_SYNC_PATH


def add_flask_bench(project: Path, package: str) -> tuple[str, dict[str, str]]:
    text = (
        _FLASK_WSGI.replace("__PACKAGE__", package)
        .replace("__FRAMEWORK_PATH__", BARE_FRAMEWORK_PATH)
        .replace("__REST_PATH__", BARE_REST_PATH)
        .replace("__UPSTREAM_SYNC__", UPSTREAM_SYNC_PATH)
        .replace("__UPSTREAM__", UPSTREAM_VARIABLE)
        .replace("__POOL_SIZE__", str(POOL_SIZE))
    )
    (project / "scaffold_bench_wsgi.py").write_text(text, encoding="utf-8")
    return FLASK_APP_SPEC, {}


def add_baselines(project: StarterProject) -> tuple[str, dict[str, str]]:
    """Add the baseline views to ``project``'s folder; return the WSGI target that
    serves them with the project's routes, and the environment it needs."""
    if project.framework == "django":
        _, env = add_django_bench(project.path)
        return project.app_target, env  # config.asgi:application with async_server
    return add_flask_bench(project.path, project.package_name)
