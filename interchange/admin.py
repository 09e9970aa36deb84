from django.contrib import admin

from cases.admin import ReadOnlyAdmin
from interchange.models import ExportLog, ImportRecord


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """A log written by the exports; an administrator reads their kommune's users' exports."""

    kommune_field = "user__kommune"
    list_display = ["at", "user", "kind", "file_format", "pseudonymised", "rows", "via", "filters"]
    list_filter = ["kind", "pseudonymised", "via"]


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdmin):
    """A log written by the import."""

    kommune_field = "forloeb__kommune"
    list_display = ["forloeb_id", "file_name", "schema_version", "imported_at", "imported_by"]
    search_fields = ["file_name"]
