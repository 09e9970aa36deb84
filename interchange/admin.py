from django.contrib import admin

from interchange.models import ExportLog, ImportRecord


class ReadOnly(admin.ModelAdmin):
    """A log: written by the import and the exports, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnly):
    list_display = ["at", "user", "kind", "file_format", "pseudonymised", "rows", "via", "filters"]
    list_filter = ["kind", "pseudonymised", "via"]


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnly):
    list_display = ["forloeb_id", "file_name", "schema_version", "imported_at", "imported_by"]
    search_fields = ["file_name"]
