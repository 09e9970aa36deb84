from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Opfølgning og advarsler")

    def ready(self):
        from cases import services as case_services
        from followup import outbox, rules, tasks  # noqa: F401 - rules registers the permissions, tasks the worker signal

        case_services.register_change_listener(outbox.request_reevaluation)
