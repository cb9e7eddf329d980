from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "api_tokens"
    verbose_name = "API tokens"

    def ready(self) -> None:
        # Registers the Bearer scheme with drf-spectacular (the OpenAPI document).
        from api_tokens import schema  # noqa: F401
