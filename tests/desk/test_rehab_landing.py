"""A member of the rehabiliteringsteam lands on the upcoming meetings with a link to each packet."""

from datetime import time, timedelta

from django.urls import reverse
from django.utils import timezone

from cases.models import AccessAction, AccessLog
from tests.conftest import login
from tests.factories import AgendaItemFactory, BorgerFactory, ForloebFactory, TeamMeetingFactory


def test_upcoming_meetings_come_first_with_their_packets(client, rehab_member, rehab_team, forloeb, team):
    soon = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() + timedelta(days=3))
    item = AgendaItemFactory(meeting=soon, forloeb=forloeb, slot_start=time(10, 0))
    held = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() - timedelta(days=10))
    AgendaItemFactory(
        meeting=held,
        forloeb=ForloebFactory(team=team, borger=BorgerFactory(first_name="Tidligere", last_name="Møde")),
        slot_start=time(9, 0),
    )
    body = login(client, rehab_member).get(reverse("rehab:meeting_list")).content.decode()
    assert body.index("Kommende møder") < body.index("Seneste afholdte møder")
    assert reverse("rehab:packet", args=[item.pk]) in body and "Mette Hansen" in body
    assert "Tidligere Møde" not in body  # a past meeting is listed, its borgere are not
    logged = AccessLog.objects.filter(user=rehab_member, action=AccessAction.LIST)
    assert list(logged.values_list("forloeb_id", flat=True)) == [forloeb.pk]


def test_a_packet_the_user_may_not_open_is_not_linked(client, outsider, rehab_team, forloeb):
    soon = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() + timedelta(days=3))
    item = AgendaItemFactory(meeting=soon, forloeb=forloeb, slot_start=time(10, 0))
    body = login(client, outsider).get(reverse("rehab:meeting_list")).content.decode()
    assert reverse("rehab:packet", args=[item.pk]) not in body and "Mette Hansen" not in body
    assert "Du har ikke adgang til mødepakkerne på dette møde." in body


def test_the_meeting_list_costs_a_fixed_number_of_queries(
    client, rehab_member, rehab_team, team, django_assert_max_num_queries
):
    login(client, rehab_member)

    def create(n):
        meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() + timedelta(days=3 + n))
        for i in range(n):
            AgendaItemFactory(meeting=meeting, forloeb=ForloebFactory(team=team), slot_start=time(8 + i, 0))

    create(1)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("rehab:meeting_list"))
    create(6)
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("rehab:meeting_list"))
    assert len(many.captured_queries) == len(few.captured_queries)
