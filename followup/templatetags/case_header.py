"""The case header on every tab of a forløb: ``{% load case_header %}{% case_header forloeb %}``.

Shows the forløb's phase, its next opfølgningssamtale (the day, agreed or by the service standard,
overdue in words) and its open flags (how many, the most urgent tier), in two queries whatever the
forløb holds: the due day from `followup.selectors.due_of` (`with_due`, the definition Min dag uses), and the
open flags' rules.
"""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import clock
from cases.models import Forloeb, Phase
from followup.models import Flag
from followup.rulepacks import RULES
from followup.rulepacks.base import TIER_LABELS, TIER_LAW, TIER_STANDARD
from followup.selectors import due_of

register = template.Library()


def _tier(rule_id: str, basis_kind: str) -> int:
    rule = RULES.get(rule_id)
    if rule is not None:
        return rule.tier
    return TIER_LAW if basis_kind == "lov" else TIER_STANDARD


def _due_words(due_on, today) -> str:
    days = (due_on - today).days
    if days < 0:
        return ngettext("overskredet med %(n)d dag", "overskredet med %(n)d dage", -days) % {"n": -days}
    if days == 0:
        return _("i dag")
    return ngettext("om %(n)d dag", "om %(n)d dage", days) % {"n": days}


@register.inclusion_tag("cases/_case_header.html")
def case_header(forloeb: Forloeb) -> dict:
    today = clock.today()
    due_on, why = due_of(forloeb_id=forloeb.pk, today=today)
    flags = list(
        Flag.objects.filter(forloeb_id=forloeb.pk, resolved_at__isnull=True).values_list("rule_id", "basis_kind")
    )
    tiers = [_tier(rule_id, basis_kind) for rule_id, basis_kind in flags]
    worst = min(tiers) if tiers else None
    return {
        "forloeb": forloeb,
        "is_open": forloeb.phase != Phase.AFSLUTTET,
        "due_on": due_on,
        "due_agreed": why == "aftalt",
        "due_overdue": bool(due_on and due_on < today),
        "due_words": _due_words(due_on, today) if due_on else "",
        "flag_count": len(tiers),
        "worst_tier": worst,
        "worst_tier_label": str(TIER_LABELS[worst]) if worst else "",
        "worst_is_law": worst == TIER_LAW,
    }
