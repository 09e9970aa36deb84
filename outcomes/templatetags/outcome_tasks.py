"""Min dag's follow-up tasks after the end: ``{% load outcome_tasks %}``, then
``{{ point|follow_up_label }}`` (1 måned/13 uger efter afslutning) and ``{{ due|days_overdue:today }}``
(forfalder i dag, 1 dag over, 12 dage over)."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outcomes.models import FollowUpPoint

register = template.Library()


@register.filter
def follow_up_label(point: str) -> str:
    return str(FollowUpPoint(point).label) if point in FollowUpPoint.values else point


@register.filter
def days_overdue(due, today) -> str:
    days = (today - due).days
    if days <= 0:
        return _("forfalder i dag")
    return ngettext("%(n)d dag over", "%(n)d dage over", days) % {"n": days}
