from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Resultater efter forløbet"

    def ready(self):
        from outcomes import rules  # noqa: F401 - registers the permissions
