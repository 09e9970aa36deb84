from django.contrib import admin

from cases.admin import KommuneScopedAdmin
from plans.models import InterventionType


@admin.register(InterventionType)
class InterventionTypeAdmin(KommuneScopedAdmin):
    """The indsats catalogue is shared by every kommune: read by administrators, changed by a
    superuser (a new row with a new valid_from, see the model)."""

    kommune_field = None
    list_display = ("name", "code", "category", "domain", "legal_basis", "max_weeks", "valid_from", "valid_to")
    list_filter = ("category", "domain", "valid_to")
    search_fields = ("name", "code")
