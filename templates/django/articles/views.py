"""Server-rendered pages: published articles only."""

from django.views.generic import DetailView, ListView

from articles.models import Article

published_articles = Article.objects.filter(published=True).select_related("author")


class ArticleListView(ListView):
    queryset = published_articles
    paginate_by = 20


class ArticleDetailView(DetailView):
    queryset = published_articles
