from django.urls import path

from api_tokens.views import TokenView

urlpatterns = [
    path("token/", TokenView.as_view(), name="api-token"),
]
