"""Rules of the rehabiliteringsteam workflow: completeness of the forberedende del, the
health documentation, and the guards this app adds to the forløb state machine.

Imported by RehabConfig.ready(), which registers the guards with cases.rules.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import rules
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import clock
from cases import rules as case_rules

LAE145_MAX_AGE = timedelta(days=183)  # "may replace LÆ 265 when under 6 months old"


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool


def preparatory_checklist(forloeb, *, today: date | None = None) -> list[ChecklistItem]:
    """What the forberedende del needs before the case can go to the rehabiliteringsteam (R8, R12-R14)."""
    from rehab.models import PreparatoryPart

    today = today or clock.today()
    part = PreparatoryPart.objects.filter(forloeb=forloeb).first()
    items = []
    for name in PreparatoryPart.REQUIRED_SECTIONS:
        label = PreparatoryPart._meta.get_field(name).verbose_name
        value = getattr(part, name, None) if part else None
        items.append(ChecklistItem(str(label).capitalize(), bool(value and str(value).strip())))
    has_goal = bool(part) and part.goals.exists()
    items.append(ChecklistItem(str(_("Mindst ét job- eller uddannelsesmål")), has_goal))
    signed = bool(part and part.signed_by_borger_on)
    items.append(ChecklistItem(str(_("Borgerens underskrift (dato)")), signed))
    items.append(
        ChecklistItem(
            str(_("LÆ 265 modtaget (eller LÆ 145 under 6 måneder gammel)")), has_health_basis(forloeb, today=today)
        )
    )
    return items


def has_health_basis(forloeb, *, today: date) -> bool:
    """R14: the GP's assessment (LÆ 265), or a LÆ 145 received within the last six months."""
    from rehab.models import HealthDocument, HealthForm

    docs = HealthDocument.objects.filter(forloeb=forloeb, received_on__isnull=False)
    if docs.filter(form=HealthForm.LAE265).exists():
        return True
    return docs.filter(form=HealthForm.LAE145, received_on__gte=today - LAE145_MAX_AGE).exists()


def _preparatory_complete(forloeb) -> bool:
    return all(item.done for item in preparatory_checklist(forloeb)[:-1])


def _health_basis(forloeb) -> bool:
    return has_health_basis(forloeb, today=clock.today())


def _round_started(forloeb):
    """When the forløb entered its current phase (the current 'round' with the team)."""
    return forloeb.phase_changed_at or timezone.make_aware(timezone.datetime(1970, 1, 1))


def _recommendation_recorded(forloeb) -> bool:
    return forloeb.recommendations.filter(created_at__gte=_round_started(forloeb)).exists()


def _positive_decision(forloeb) -> bool:
    from rehab.models import Ordning

    return forloeb.decisions.filter(ordning=Ordning.RESSOURCEFORLOEB, created_at__gte=_round_started(forloeb)).exists()


def _frikommune_decision(forloeb) -> bool:
    from rehab.models import Ordning, WithoutTeamGround

    return forloeb.decisions.filter(
        ordning=Ordning.RESSOURCEFORLOEB,
        without_team_ground=WithoutTeamGround.FRIKOMMUNE,
        created_at__gte=_round_started(forloeb),
    ).exists()


preparatory_complete = case_rules.Guard(
    code="preparatory_complete",
    message=_("Den forberedende del er ikke udfyldt. Se tjeklisten under “Forberedende del”."),
    check=_preparatory_complete,
)
health_basis = case_rules.Guard(
    code="health_basis",
    message=_("Der mangler en modtaget LÆ 265 fra praktiserende læge (eller en LÆ 145 under 6 måneder gammel)."),
    check=_health_basis,
)
recommendation_recorded = case_rules.Guard(
    code="recommendation_recorded",
    message=_("Rehabiliteringsteamets indstilling er ikke registreret."),
    check=_recommendation_recorded,
    met_by_step_form=True,
)
positive_decision = case_rules.Guard(
    code="positive_decision",
    message=_("Kommunens afgørelse om ressourceforløb er ikke registreret."),
    check=_positive_decision,
    met_by_step_form=True,
)
frikommune_decision = case_rules.Guard(
    code="frikommune_decision",
    message=_("Afgørelsen efter frikommuneundtagelsen er ikke registreret."),
    check=_frikommune_decision,
    met_by_step_form=True,
)


def register() -> None:
    case_rules.register_guard("to_rehab_team", preparatory_complete)
    case_rules.register_guard("to_rehab_team", health_basis)
    case_rules.register_guard("give_indstilling", recommendation_recorded)
    case_rules.register_guard("grant", positive_decision)
    case_rules.register_guard("grant_without_team", frikommune_decision)
    case_rules.register_step_url("give_indstilling", "rehab:recommendation_create")
    case_rules.register_step_url("grant", "rehab:decision_create")
    case_rules.register_step_url("grant_without_team", "rehab:decision_create")


# --- Permissions ---------------------------------------------------------------------------


# A member keeps access for a while after the meeting, to record the indstilling.
AGENDA_ACCESS_AFTER_MEETING = timedelta(days=60)


def meetings_open_to_member(user):
    """The one definition of the window: the meetings a rehabiliteringsteam member may open are
    their own teams' meetings that are upcoming or held within AGENDA_ACCESS_AFTER_MEETING.
    Every meeting page, the agenda, attendance, the packet and the forløb rule below use it
    (through rehab.selectors.meetings_visible_to for the pages)."""
    from rehab.models import RehabTeam, TeamMeeting

    return TeamMeeting.objects.filter(
        rehab_team__in=RehabTeam.objects.filter(memberships__user=user),
        starts_at__gte=clock.now() - AGENDA_ACCESS_AFTER_MEETING,
    )


@rules.predicate
def is_rehab_member_with_forloeb_on_agenda(user, forloeb) -> bool:
    """A rehab team member sees a forløb only while it is on one of their meetings' agendas:
    an upcoming meeting, or one held within the last 60 days."""
    from cases.models import Role
    from rehab.models import AgendaItem

    if forloeb is None or user.role != Role.REHAB_MEMBER:
        return False
    return AgendaItem.objects.filter(forloeb=forloeb, meeting__in=meetings_open_to_member(user)).exists()


@rules.predicate
def can_plan_meetings(user) -> bool:
    """Caseworkers, team leaders and administrators plan meetings for their kommune's
    rehabiliteringsteams; the team's own members (and users without a kommune) do not."""
    from cases.models import CASE_ROLES, Role

    if user.is_superuser:
        return True
    return user.kommune_id is not None and (user.is_administrator or user.role in (*CASE_ROLES, Role.TEAM_LEADER))


can_view_rehab_documents = case_rules.can_view_forloeb | is_rehab_member_with_forloeb_on_agenda

rules.add_perm("rehab.view_documents", can_view_rehab_documents)
rules.add_perm("rehab.edit_preparatory", case_rules.can_change_forloeb)
rules.add_perm("rehab.record_recommendation", case_rules.can_change_forloeb | is_rehab_member_with_forloeb_on_agenda)
rules.add_perm("rehab.record_decision", case_rules.can_change_forloeb)
rules.add_perm("rehab.book_meeting", case_rules.can_change_forloeb)
rules.add_perm("rehab.plan_meeting", can_plan_meetings)
rules.set_perm(
    "cases.transition_give_indstilling", case_rules.can_change_forloeb | is_rehab_member_with_forloeb_on_agenda
)
