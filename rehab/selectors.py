"""Reads for the rehabiliteringsteam workflow, scoped to the user."""

from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from cases import clock
from cases import selectors as case_selectors
from cases.models import Forloeb, Role, User
from rehab import rules as rehab_rules
from rehab.models import (
    AgendaItem,
    Decision,
    Goal,
    HealthDocument,
    MeetingPhase,
    PreparatoryPart,
    Recommendation,
    TeamMeeting,
)


def forloeb_get(*, user: User, pk: int, perm: str = "rehab.view_documents") -> Forloeb:
    """A forløb the user may see (or act on) in the rehab workflow, or 404."""
    return case_selectors.forloeb_get_for_user(user=user, pk=pk, perm=perm)


def preparatory_part(*, forloeb: Forloeb) -> PreparatoryPart | None:
    return PreparatoryPart.objects.filter(forloeb=forloeb).first()


def goals_of(*, document) -> list[Goal]:
    if document is None:
        return []
    return list(document.goals.select_related("occupation").order_by("kind", "id"))


def health_documents(*, forloeb: Forloeb) -> list[HealthDocument]:
    return list(forloeb.health_documents.order_by("phase", "received_on", "requested_on", "id"))


def recommendations(*, forloeb: Forloeb) -> list[Recommendation]:
    return list(
        forloeb.recommendations.select_related("agenda_item__meeting", "recorded_by")
        .prefetch_related("interventions", "goals__occupation")
        .order_by("given_on", "id")
    )


def decisions(*, forloeb: Forloeb) -> list[Decision]:
    return list(forloeb.decisions.select_related("recommendation", "decided_by").order_by("decided_on", "id"))


def agenda_items_of_forloeb(*, forloeb: Forloeb, user: User) -> list[AgendaItem]:
    """The forløb's places on agendas, of the meetings the user may open (see meetings_visible_to)."""
    return list(
        forloeb.agenda_items.filter(meeting__in=meetings_visible_to(user=user))
        .select_related("meeting__rehab_team")
        .order_by("meeting__starts_at")
    )


def agenda_items_awaiting_recommendation(*, forloeb: Forloeb, user: User):
    """Meetings the forløb was discussed at (already begun) that have no indstilling yet,
    of the meetings the user may open."""
    return (
        AgendaItem.objects.filter(
            forloeb=forloeb,
            recommendation__isnull=True,
            meeting__starts_at__lte=clock.now(),
            meeting__in=meetings_visible_to(user=user),
        )
        .select_related("meeting__rehab_team")
        .order_by("-meeting__starts_at")
    )


def meetings_visible_to(*, user: User):
    """The meetings a user may open, with their agenda: rehab members only their own teams'
    meetings within the access window (rehab.rules.meetings_open_to_member, the one definition),
    caseworkers, team leaders and administrators those of their kommune. Every meeting page,
    agenda item, attendance form and packet is looked up through this."""
    qs = TeamMeeting.objects.select_related("rehab_team")
    if user.role == Role.REHAB_MEMBER:
        return qs.filter(pk__in=rehab_rules.meetings_open_to_member(user).values("pk"))
    if user.is_superuser:
        return qs
    if user.is_administrator or user.role in (Role.CASEWORKER, Role.COORDINATOR, Role.TEAM_LEADER):
        return qs.filter(rehab_team__kommune_id=user.kommune_id)
    return qs.none()


def upcoming_meetings(*, user: User, kommune_id: int | None = None):
    qs = meetings_visible_to(user=user).filter(starts_at__gte=clock.now() - timezone.timedelta(hours=12))
    if kommune_id:
        qs = qs.filter(rehab_team__kommune_id=kommune_id)
    return qs.order_by("starts_at")


def meeting_get(*, user: User, pk: int) -> TeamMeeting:
    try:
        return meetings_visible_to(user=user).get(pk=pk)
    except TeamMeeting.DoesNotExist:
        raise Http404 from None


def meeting_agenda(*, meeting: TeamMeeting) -> list[AgendaItem]:
    return list(
        meeting.agenda_items.select_related(
            "forloeb__borger", "forloeb__current_coordinator", "forloeb__team"
        ).order_by("slot_start")
    )


@dataclass
class Packet:
    """The one-page meeting packet: what the team needs to know about one forløb."""

    forloeb: Forloeb
    age: int
    part: PreparatoryPart | None
    goals: list[Goal]
    health_before: list[HealthDocument]
    earlier_forloeb: list[Forloeb]
    agenda_item: AgendaItem | None


def meeting_packet(*, forloeb: Forloeb, agenda_item: AgendaItem | None = None) -> Packet:
    from rehab.services import age_on

    part = preparatory_part(forloeb=forloeb)
    day = timezone.localdate(agenda_item.meeting.starts_at) if agenda_item else clock.today()
    return Packet(
        forloeb=forloeb,
        age=age_on(forloeb, day),
        part=part,
        goals=goals_of(document=part),
        health_before=[d for d in health_documents(forloeb=forloeb) if d.phase == MeetingPhase.BEFORE],
        earlier_forloeb=case_selectors.earlier_forloeb(forloeb=forloeb),
        agenda_item=agenda_item,
    )


def preparatory_checklist(*, forloeb: Forloeb):
    return rehab_rules.preparatory_checklist(forloeb)


# --- Meeting pages: lists, agenda items and who may open what ---------------------------------

from datetime import timedelta  # noqa: E402

from django.db.models import Count  # noqa: E402

from rehab.models import RehabTeam  # noqa: E402

UPCOMING_GRACE = timedelta(hours=12)  # today's meetings stay "upcoming" (as in upcoming_meetings)


def meetings_overview(*, user: User, past_limit: int = 5, upcoming_limit: int = 100):
    """The user's upcoming meetings (soonest first) and the last few past ones (latest first),
    each with `agenda_count`; two queries whatever the data size."""
    cutoff = clock.now() - UPCOMING_GRACE
    qs = meetings_visible_to(user=user).annotate(agenda_count=Count("agenda_items", distinct=True))
    upcoming = list(qs.filter(starts_at__gte=cutoff).order_by("starts_at", "id")[:upcoming_limit])
    past = list(qs.filter(starts_at__lt=cutoff).order_by("-starts_at", "-id")[:past_limit])
    return upcoming, past


def rehab_teams_for(*, user: User):
    """The rehabiliteringsteams a user may plan meetings for: those of the user's kommune."""
    if user.is_superuser:
        return RehabTeam.objects.select_related("kommune").order_by("kommune__name", "name")
    return RehabTeam.objects.filter(kommune_id=user.kommune_id).order_by("name")


def agenda_item_get(*, user: User, pk: int) -> AgendaItem:
    """An agenda item of a meeting the user may see, or 404 (the forløb is checked separately)."""
    visible = meetings_visible_to(user=user).values("pk")
    try:
        return AgendaItem.objects.select_related("meeting__rehab_team").get(pk=pk, meeting_id__in=visible)
    except AgendaItem.DoesNotExist:
        raise Http404 from None


def forloeb_ids_viewable_on_agenda(*, user: User, items: list[AgendaItem]) -> set[int]:
    """Which forløb on an agenda the user may open (`rehab.view_documents`), in at most one query.

    For rehab members the per-object rule costs a query per forløb, so it is answered here
    in one query with the same condition (the forløb is on one of their teams' meetings)."""
    ids = {item.forloeb_id for item in items}
    if not ids:
        return set()
    if user.role == Role.REHAB_MEMBER and not user.is_superuser:
        return set(
            AgendaItem.objects.filter(
                forloeb_id__in=ids, meeting__in=rehab_rules.meetings_open_to_member(user)
            ).values_list("forloeb_id", flat=True)
        )
    return {item.forloeb_id for item in items if user.has_perm("rehab.view_documents", item.forloeb)}
