"""Who may open a meeting of the rehabiliteringsteam: a member only the meetings of their own team
that are upcoming or held within the access window (rehab.rules.AGENDA_ACCESS_AFTER_MEETING), on
every page and form that shows a meeting or its agenda; a caseworker never sees who is on the
agenda for forløb of other teams."""

from datetime import time, timedelta

import pytest
from django.urls import reverse

from cases import clock
from cases.models import Role
from rehab.rules import AGENDA_ACCESS_AFTER_MEETING
from tests.conftest import login
from tests.factories import (
    AgendaItemFactory,
    BorgerFactory,
    ForloebFactory,
    RehabMembershipFactory,
    RehabTeamFactory,
    TeamMeetingFactory,
    UserFactory,
)

ATTENDANCE = {"sectors_present": ["kommunal_sundhed"], "borger_present": "ja"}


def held(days_ago: int, rehab_team):
    return TeamMeetingFactory(rehab_team=rehab_team, starts_at=clock.now() - timedelta(days=days_ago))


@pytest.fixture
def old_item(rehab_team, forloeb):
    """The forløb on a meeting of the member's own team held long ago (2019)..."""
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=clock.now().replace(year=2019))
    return AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=time(9, 0))


@pytest.fixture
def current_item(rehab_team, forloeb):
    """... and on one held last week, so the member may open the forløb itself."""
    return AgendaItemFactory(meeting=held(7, rehab_team), forloeb=forloeb, slot_start=time(10, 0))


def test_a_rehab_member_gets_404_on_a_meeting_held_before_the_window(client, rehab_member, old_item, current_item):
    login(client, rehab_member)
    assert client.get(reverse("rehab:meeting_detail", args=[old_item.meeting_id])).status_code == 404


def test_a_rehab_member_cannot_open_the_packet_or_record_attendance_of_an_old_meeting(
    client, rehab_member, old_item, current_item
):
    login(client, rehab_member)
    assert client.get(reverse("rehab:packet", args=[old_item.pk])).status_code == 404
    assert client.get(reverse("rehab:packet_pdf", args=[old_item.pk])).status_code == 404
    response = client.post(reverse("rehab:attendance", args=[old_item.pk]), ATTENDANCE)
    assert response.status_code == 404
    old_item.refresh_from_db()
    assert old_item.sectors_present == [] and old_item.borger_present is None


def test_the_old_meeting_is_not_listed_for_a_rehab_member(client, rehab_member, old_item, current_item):
    login(client, rehab_member)
    meetings = client.get(reverse("rehab:meeting_list")).content.decode()
    assert reverse("rehab:meeting_detail", args=[current_item.meeting_id]) in meetings
    assert reverse("rehab:meeting_detail", args=[old_item.meeting_id]) not in meetings
    rehab_page = client.get(reverse("rehab:forloeb_rehab", args=[current_item.forloeb_id])).content.decode()
    assert reverse("rehab:packet", args=[current_item.pk]) in rehab_page
    assert reverse("rehab:meeting_detail", args=[old_item.meeting_id]) not in rehab_page
    assert reverse("rehab:packet", args=[old_item.pk]) not in rehab_page


def test_a_rehab_member_sees_a_meeting_held_inside_the_window_with_its_agenda(
    client, rehab_member, rehab_team, forloeb
):
    days = AGENDA_ACCESS_AFTER_MEETING.days - 1
    item = AgendaItemFactory(meeting=held(days, rehab_team), forloeb=forloeb, slot_start=time(9, 0))
    login(client, rehab_member)
    response = client.get(reverse("rehab:meeting_detail", args=[item.meeting_id]))
    assert response.status_code == 200
    assert forloeb.borger.full_name in response.content.decode()
    assert client.get(reverse("rehab:packet", args=[item.pk])).status_code == 200
    assert client.post(reverse("rehab:attendance", args=[item.pk]), ATTENDANCE).status_code == 302


def test_a_rehab_member_gets_404_just_after_the_window_closes(client, rehab_member, rehab_team, forloeb):
    days = AGENDA_ACCESS_AFTER_MEETING.days + 1
    item = AgendaItemFactory(meeting=held(days, rehab_team), forloeb=forloeb, slot_start=time(9, 0))
    login(client, rehab_member)
    assert client.get(reverse("rehab:meeting_detail", args=[item.meeting_id])).status_code == 404
    assert client.get(reverse("rehab:packet", args=[item.pk])).status_code == 404


def test_a_member_of_another_rehab_team_gets_404(client, kommune, rehab_team, forloeb):
    item = AgendaItemFactory(meeting=held(1, rehab_team), forloeb=forloeb, slot_start=time(9, 0))
    stranger = UserFactory(kommune=kommune, role=Role.REHAB_MEMBER, sector="jobcenter")
    RehabMembershipFactory(rehab_team=RehabTeamFactory(kommune=kommune, name="Andet team"), user=stranger)
    login(client, stranger)
    assert client.get(reverse("rehab:meeting_detail", args=[item.meeting_id])).status_code == 404
    assert client.get(reverse("rehab:packet", args=[item.pk])).status_code == 404
    assert client.post(reverse("rehab:attendance", args=[item.pk]), ATTENDANCE).status_code == 404


def test_a_caseworker_sees_no_name_number_or_coordinator_of_another_teams_forloeb_on_the_agenda(
    client, outsider, other_team, caseworker, rehab_team, forloeb
):
    item = AgendaItemFactory(meeting=held(1, rehab_team), forloeb=forloeb, slot_start=time(9, 0))
    own = ForloebFactory(team=other_team, borger=BorgerFactory(first_name="Åse", last_name="Lund"))
    AgendaItemFactory(meeting=item.meeting, forloeb=own, slot_start=time(10, 0))
    login(client, outsider)
    response = client.get(reverse("rehab:meeting_detail", args=[item.meeting_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Åse Lund" in body  # the outsider's own forløb
    assert forloeb.borger.first_name not in body and forloeb.borger.last_name not in body
    assert caseworker.get_full_name() not in body
    assert reverse("rehab:packet", args=[item.pk]) not in body
    assert reverse("rehab:forloeb_rehab", args=[forloeb.pk]) not in body
