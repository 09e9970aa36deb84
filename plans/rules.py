"""Guards and permissions of the plan. Registered from PlansConfig.ready()."""

import rules
from django.utils.translation import gettext_lazy as _

from cases import rules as case_rules


def _plan_completed(forloeb) -> bool:
    """A plan version completed in the current round: after a genforelæggelse and a new grant,
    the old plan does not count; a revision must be completed."""
    qs = forloeb.action_plans.filter(completed_on__isnull=False)
    if forloeb.phase_changed_at:  # when the forløb entered `indsatsdel` (this round)
        qs = qs.filter(created_at__gte=forloeb.phase_changed_at)
    return qs.exists()


plan_completed = case_rules.Guard(
    code="plan_completed",
    message=_("Indsatsplanen er ikke færdiggjort."),
    check=_plan_completed,
    met_by_step_form=True,
)


def register() -> None:
    case_rules.register_guard("start_ivaerksaettelse", plan_completed)
    case_rules.register_step_url("start_ivaerksaettelse", "plans:plan")


rules.add_perm("plans.view", case_rules.can_view_forloeb)
rules.add_perm("plans.edit", case_rules.can_change_forloeb)
