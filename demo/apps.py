from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data only. It sits on top of every other app and nothing imports it."""

    name = "demo"
