"""Server-rendered pages: the home page lists published articles; an article's
page shows it to whoever may see it (its author previews a draft there)."""

from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from articles.models import Article


class ArticleListView(ListView):
    queryset = Article.objects.filter(published=True).select_related("author")
    paginate_by = 20


class ArticleDetailView(DetailView):
    model = Article

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.visible_to(self.request.user).select_related("author")
