from django.contrib import admin

from plans.models import InterventionType


@admin.register(InterventionType)
class InterventionTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "category", "domain", "legal_basis", "max_weeks", "valid_from", "valid_to")
    list_filter = ("category", "domain", "valid_to")
    search_fields = ("name", "code")
