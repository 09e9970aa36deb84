from django.contrib import admin

from followup.models import EvaluationRun, Flag, FollowUpMeeting, RuleSettings


@admin.register(RuleSettings)
class RuleSettingsAdmin(admin.ModelAdmin):
    """The kommune's service standard and thresholds are configured here."""

    list_display = ["kommune", "standard_enabled", "samtaler_per_year", "max_gap_days"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """Read-only: flags are raised and resolved by the evaluation, never edited by hand."""

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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(admin.ModelAdmin):
    list_display = ["as_of", "started_at", "finished_at", "raised", "resolved", "queries"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(FollowUpMeeting)
