from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """Ledelsestilsyn: the team leader's dashboard, the fokusrevision report and its exports."""

    name = "supervision"
    verbose_name = "Ledelsestilsyn"
