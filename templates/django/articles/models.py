from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

SLUG_FALLBACK = "article"
# How often a create retries with the next free slug when a parallel one took it.
SLUG_ATTEMPTS = 100


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> "ArticleQuerySet":
        """What ``user`` may see: published articles, their own drafts, or, for
        staff, everything. Anything else does not exist for them (404)."""
        if not user.is_authenticated:
            return self.filter(published=True)
        if getattr(user, "is_staff", False):
            return self
        return self.filter(Q(published=True) | Q(author=user))


class Article(models.Model):
    """A blog article. Its slug is made from the title once, on creation."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=255, unique=True, editable=False)
    body = models.TextField(blank=True, default="")
    published = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="article_newest_first")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not (self._state.adding and not self.slug):
            super().save(*args, **kwargs)
            return
        # Two creates with one title can pick the same free slug at once: the unique
        # constraint refuses the second, which takes the next free slug and retries.
        for _attempt in range(SLUG_ATTEMPTS - 1):
            self.slug = unique_slug(self.title)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if not Article.objects.filter(slug=self.slug).exists():
                    raise  # another constraint than the slug's
        self.slug = unique_slug(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})


def unique_slug(title):
    """slugify(title), or "article" when that is empty; "-2", "-3", ... on collision."""
    base = slugify(title)[:200].strip("-") or SLUG_FALLBACK
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
