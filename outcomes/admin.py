"""Outcomes are case content recorded through the app (which checks, logs the access and keeps
indstillet and tilkendt apart): read-only here, for superusers only, like the samtaler."""

from django.contrib import admin

from cases.admin import ReadOnlyAdmin
from outcomes.models import ExitStatus, ForloebResult, Sanction


@admin.register(ExitStatus)
class ExitStatusAdmin(ReadOnlyAdmin):
    superuser_only = True
    kommune_field = "forloeb__kommune"
    list_display = ["forloeb_id", "point", "code", "recorded_at"]
    list_filter = ["point", "code"]


@admin.register(ForloebResult)
class ForloebResultAdmin(ReadOnlyAdmin):
    superuser_only = True
    kommune_field = "forloeb__kommune"
    list_display = ["forloeb_id", "fleksjob_visiteret_on", "fp_indstillet_on", "fp_tilkendt_on", "updated_at"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    superuser_only = True
    kommune_field = "forloeb__kommune"
    list_display = ["forloeb_id", "imposed_on", "kind", "reason"]
    list_filter = ["kind", "reason"]
