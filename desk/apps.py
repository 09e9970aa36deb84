from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The user's desk: where each role starts, the search, Mine forløb and the menu. It reads
    from cases, followup, rehab and plans and owns no data of its own."""

    name = "desk"
    verbose_name = _("Skrivebord")
