from django.contrib import admin

from articles.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "published", "created_at"]
    list_filter = ["published", "created_at"]
    list_select_related = ["author"]
    search_fields = ["title", "body"]
    date_hierarchy = "created_at"
    fields = ["title", "body", "published", "slug", "author", "created_at", "updated_at"]
    readonly_fields = ["slug", "author", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)
