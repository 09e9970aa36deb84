from django.contrib import admin

from cases.admin import KommuneScopedAdmin, ReadOnlyAdmin
from followup.models import EvaluationRun, Flag, FollowUpMeeting, RuleSettings


@admin.register(RuleSettings)
class RuleSettingsAdmin(KommuneScopedAdmin):
    """The kommune's service standard and thresholds are configured here."""

    list_display = ["kommune", "standard_enabled", "samtaler_per_year", "max_gap_days"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    """Read-only: flags are raised and resolved by the evaluation, never edited by hand."""

    kommune_field = "forloeb__kommune"

    list_display = [
        "rule_id",
        "rule_version",
        "forloeb_id",
        "raised_on",
        "acknowledged_at",
        "resolved_on",
        "resolution",
    ]
    list_filter = ["rule_id", "basis_kind", "resolution"]


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    """The nightly runs cover every kommune: superusers only."""

    superuser_only = True
    kommune_field = None
    list_display = ["as_of", "started_at", "finished_at", "raised", "resolved", "queries"]


@admin.register(FollowUpMeeting)
class FollowUpMeetingAdmin(ReadOnlyAdmin):
    """Samtaler are case content, saved through the app (which re-evaluates the flags)."""

    superuser_only = True
    kommune_field = "forloeb__kommune"
    list_display = ["forloeb_id", "held_on"]
