"""Meetings in the rehabiliteringsteam: who sees which meeting, planning, booking a forløb on
the agenda, attendance, and a meeting page that costs the same whatever the agenda."""

import re
from datetime import time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases import clock
from cases import services as case_services
from cases.models import Phase, Role, Sector
from rehab import services as rehab_services
from rehab.forms.meetings import agenda_form_for, attendance_form_for
from rehab.models import AgendaItem, DocumentKind, GoalKind, TeamMeeting
from tests.conftest import login
from tests.edit_forms import post_edit
from tests.factories import (
    AgendaItemFactory,
    BorgerFactory,
    ForloebFactory,
    HealthDocumentFactory,
    KommuneFactory,
    OccupationFactory,
    PreparatoryPartFactory,
    RehabMembershipFactory,
    RehabTeamFactory,
    TeamMeetingFactory,
    UserFactory,
)

NOW = timezone.now()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def record_attendance(client, item, data):
    """Record attendance from the meeting page, with the edit token its form gave; before the
    meeting the page has no such form, so the token is the one the form would carry."""
    address = reverse("rehab:attendance", args=[item.pk])
    if item.meeting.starts_at > clock.now():
        return client.post(address, {**data, "edit_token": attendance_form_for(item)["edit_token"].value()})
    return post_edit(client, reverse("rehab:meeting_detail", args=[item.meeting_id]), address, data)


@pytest.fixture
def rehab_team(kommune):
    return RehabTeamFactory(kommune=kommune, name="Rehabiliteringsteamet Nord")


@pytest.fixture
def other_rehab_team(kommune):
    return RehabTeamFactory(kommune=kommune, name="Rehabiliteringsteamet Syd")


@pytest.fixture
def member(rehab_member, rehab_team):
    RehabMembershipFactory(rehab_team=rehab_team, user=rehab_member)
    return rehab_member


@pytest.fixture
def upcoming(rehab_team):
    # 09:00 a week from now: booking slots from 09:00 on must not depend on the time the tests run.
    nine = timezone.localtime(NOW + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    return TeamMeetingFactory(rehab_team=rehab_team, starts_at=nine, place="Jobcentret, lokale 1")


@pytest.fixture
def past(rehab_team):
    return TeamMeetingFactory(rehab_team=rehab_team, starts_at=NOW - timedelta(days=2), place="Rådhuset, lokale 7")


@pytest.fixture
def ready(team, caseworker):
    """A forløb sent to the rehabiliteringsteam, awaiting a meeting."""
    f = ForloebFactory(
        team=team, phase=Phase.REHABILITERINGSTEAM, borger=BorgerFactory(first_name="Jens", last_name="Berg")
    )
    case_services.forloeb_assign_coordinator(
        forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker
    )
    return f


def book(client, forloeb, meeting, slot="10:00", minutes="30"):
    return client.post(
        reverse("rehab:agenda_add", args=[forloeb.pk]),
        {"meeting": meeting.pk, "slot_start": slot, "slot_minutes": minutes},
    )


# --- Who sees which meeting --------------------------------------------------------------------


def test_a_rehab_member_sees_only_the_meetings_of_their_own_teams(client, member, upcoming, other_rehab_team):
    theirs = TeamMeetingFactory(rehab_team=other_rehab_team, starts_at=NOW + timedelta(days=3), place="Andet sted")
    login(client, member)
    body = client.get(reverse("rehab:meeting_list")).content.decode()
    assert "Jobcentret, lokale 1" in body
    assert "Andet sted" not in body
    assert client.get(reverse("rehab:meeting_detail", args=[upcoming.pk])).status_code == 200
    assert client.get(reverse("rehab:meeting_detail", args=[theirs.pk])).status_code == 404


def test_the_list_shows_upcoming_meetings_first_then_the_latest_past_ones(client, caseworker, rehab_team, ready):
    TeamMeetingFactory(rehab_team=rehab_team, starts_at=NOW + timedelta(days=14), place="Sted om to uger")
    soon = TeamMeetingFactory(rehab_team=rehab_team, starts_at=NOW + timedelta(days=2), place="Sted om to dage")
    for days in range(1, 9):  # only the last five past meetings are listed
        TeamMeetingFactory(rehab_team=rehab_team, starts_at=NOW - timedelta(days=days), place=f"Gammelt sted {days}")
    AgendaItemFactory(meeting=soon, forloeb=ready, slot_start=time(9, 0))

    body = login(client, caseworker).get(reverse("rehab:meeting_list")).content.decode()
    assert body.index("Sted om to dage") < body.index("Sted om to uger") < body.index("Gammelt sted 1")
    assert "Gammelt sted 5" in body and "Gammelt sted 6" not in body
    assert "1 forløb på dagsordenen." in body[body.index("Sted om to dage") :]  # one forløb on the agenda
    assert reverse("rehab:meeting_detail", args=[soon.pk]) in body


@pytest.mark.parametrize("who", ["caseworker", "team_leader", "administrator"])
def test_caseworkers_leaders_and_administrators_may_plan_meetings(client, who, request, kommune):
    user = UserFactory(role=Role.ADMINISTRATOR) if who == "administrator" else request.getfixturevalue(who)
    login(client, user)
    assert "Planlæg møde" in client.get(reverse("rehab:meeting_list")).content.decode()
    assert client.get(reverse("rehab:meeting_create")).status_code == 200


def test_a_rehab_member_may_not_plan_meetings(client, member, rehab_team):
    login(client, member)
    assert "Planlæg møde" not in client.get(reverse("rehab:meeting_list")).content.decode()
    assert client.get(reverse("rehab:meeting_create")).status_code == 404
    response = client.post(
        reverse("rehab:meeting_create"),
        {"rehab_team": rehab_team.pk, "date": "2030-01-02", "time": "09:00", "place": "Her"},
    )
    assert response.status_code == 404
    assert not TeamMeeting.objects.exists()


# --- Planning a meeting ------------------------------------------------------------------------


def test_a_caseworker_plans_a_meeting(client, caseworker, rehab_team):
    day = timezone.localdate() + timedelta(days=10)
    response = login(client, caseworker).post(
        reverse("rehab:meeting_create"),
        {"rehab_team": rehab_team.pk, "date": day.isoformat(), "time": "09:30", "place": "Jobcentret, lokale 3"},
    )
    meeting = TeamMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:meeting_detail", args=[meeting.pk])
    assert timezone.localtime(meeting.starts_at).date() == day
    assert timezone.localtime(meeting.starts_at).time() == time(9, 30)
    assert (meeting.rehab_team, meeting.place) == (rehab_team, "Jobcentret, lokale 3")


def test_a_meeting_without_a_place_is_refused_in_danish(client, caseworker, rehab_team):
    response = login(client, caseworker).post(
        reverse("rehab:meeting_create"),
        {"rehab_team": rehab_team.pk, "date": "2030-01-02", "time": "09:00", "place": "  "},
    )
    assert response.status_code == 400
    assert "Angiv hvor mødet holdes." in response.content.decode()
    assert not TeamMeeting.objects.exists()


def test_garbled_dates_and_foreign_teams_are_refused_in_danish(client, caseworker, rehab_team):
    foreign = RehabTeamFactory(kommune=KommuneFactory(code="101", name="Andenby Kommune"))
    response = login(client, caseworker).post(
        reverse("rehab:meeting_create"),
        {"rehab_team": foreign.pk, "date": "31-02-ab", "time": "25:99", "place": "Her"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Vælg et af kommunens rehabiliteringsteams." in body
    assert "Skriv datoen som dd.mm.åååå." in body
    assert "Skriv klokkeslættet som tt:mm" in body
    assert not TeamMeeting.objects.exists()


# --- Booking a forløb on the agenda ----------------------------------------------------------


def test_a_forloeb_sent_to_the_team_is_booked_on_a_meeting(client, caseworker, team, upcoming):
    # The real way: fill in the forberedende del, add a goal and the LÆ 265, send it to the team.
    forloeb = ForloebFactory(team=team, borger=BorgerFactory(first_name="Ida", last_name="Holm"))
    case_services.forloeb_assign_coordinator(
        forloeb=forloeb, coordinator=caseworker, valid_from=forloeb.opened_on, actor=caseworker
    )
    part = PreparatoryPartFactory(forloeb=forloeb)
    rehab_services.goal_add(
        forloeb=forloeb,
        document=part,
        document_kind=DocumentKind.FORBEREDENDE_DEL,
        kind=GoalKind.JOB,
        description="Job i hjemmeplejen",
        occupation=OccupationFactory(),
        actor=caseworker,
    )
    HealthDocumentFactory(forloeb=forloeb)
    forloeb = case_services.forloeb_transition(
        forloeb_id=forloeb.pk, transition="to_rehab_team", actor=caseworker, expected_phase=forloeb.phase
    )
    assert forloeb.phase == Phase.REHABILITERINGSTEAM

    response = book(login(client, caseworker), forloeb, upcoming, slot="10:30", minutes="45")
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:forloeb_rehab", args=[forloeb.pk])
    item = AgendaItem.objects.get()
    assert (item.meeting, item.forloeb, item.slot_start, item.slot_minutes) == (upcoming, forloeb, time(10, 30), 45)
    assert any("er sat på mødet" in m for m in messages_of(response))


def test_booking_is_refused_while_the_forloeb_is_in_the_forberedende_del(client, caseworker, forloeb, upcoming):
    response = book(login(client, caseworker), forloeb, upcoming)
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:forloeb_rehab", args=[forloeb.pk])
    assert "Forløbet skal være sendt til rehabiliteringsteamet, før det kan sættes på et møde." in messages_of(response)
    assert not AgendaItem.objects.exists()


def test_a_slot_cannot_be_booked_twice(client, caseworker, team, ready, upcoming):
    AgendaItemFactory(meeting=upcoming, forloeb=ForloebFactory(team=team), slot_start=time(10, 0))
    response = book(login(client, caseworker), ready, upcoming, slot="10:00")
    assert "Tidspunktet overlapper et andet punkt på mødet (kl. 10:00)." in messages_of(response)
    assert not AgendaItem.objects.filter(forloeb=ready).exists()


def test_the_same_forloeb_cannot_be_booked_twice_on_one_meeting(client, caseworker, ready, upcoming):
    login(client, caseworker)
    book(client, ready, upcoming, slot="10:00")
    response = book(client, ready, upcoming, slot="11:00")
    assert "Forløbet står allerede på dette møde." in messages_of(response)
    assert AgendaItem.objects.filter(forloeb=ready).count() == 1


def test_bad_booking_input_gives_danish_messages(client, caseworker, ready, upcoming, rehab_team):
    past = TeamMeetingFactory(rehab_team=rehab_team, starts_at=NOW - timedelta(days=3))
    login(client, caseworker)
    response = client.post(reverse("rehab:agenda_add", args=[ready.pk]), {"slot_start": "25:99", "slot_minutes": "5"})
    errors = messages_of(response)
    assert "Møde: Vælg et møde." in errors
    assert "Tidspunkt på mødet: Skriv klokkeslættet som tt:mm, fx 09:30." in errors
    assert "Varighed (minutter): Varigheden skal være mindst 10 minutter." in errors
    response = book(client, ready, past)  # a meeting that has been held is not offered
    assert "Møde: Vælg et af de kommende møder." in messages_of(response)
    assert not AgendaItem.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_only_the_forloebs_own_team_may_book_it(client, who, request, ready, upcoming):
    response = book(login(client, request.getfixturevalue(who)), ready, upcoming)
    assert response.status_code == 404
    assert not AgendaItem.objects.exists()


def test_the_booking_form_partial_offers_the_upcoming_meetings_with_labels(caseworker, ready, upcoming, past):
    form = agenda_form_for(caseworker, ready)
    html = render_to_string("rehab/_agenda_form.html", {"form": form, "forloeb": ready})
    assert reverse("rehab:agenda_add", args=[ready.pk]) in html
    assert "Jobcentret, lokale 1" in html and "Rådhuset, lokale 7" not in html
    for field_id in re.findall(r'<(?:select|input)[^>]*\sid="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id
    assert 'value="30"' in html  # the default slot length

    waiting = ForloebFactory(team=ready.team)
    html = render_to_string(
        "rehab/_agenda_form.html", {"form": agenda_form_for(caseworker, waiting), "forloeb": waiting}
    )
    assert "<form" not in html and "når den forberedende del er færdig" in html


# --- The meeting page and attendance -----------------------------------------------------------


def test_the_meeting_page_lists_the_agenda_in_time_order_without_cpr(client, caseworker, team, ready, past):
    early = ForloebFactory(team=team, borger=BorgerFactory(first_name="Anna", last_name="Ask"))
    AgendaItemFactory(meeting=past, forloeb=ready, slot_start=time(11, 0))
    item = AgendaItemFactory(meeting=past, forloeb=early, slot_start=time(9, 0))
    body = login(client, caseworker).get(reverse("rehab:meeting_detail", args=[past.pk])).content.decode()
    agenda = body[body.index('id="agenda-heading"') : body.index('id="attendance-heading"')]
    assert agenda.index("Anna Ask") < agenda.index("Jens Berg")
    assert "Karin Sørensen" in agenda  # koordinerende sagsbehandler
    assert reverse("rehab:packet", args=[item.pk]) in agenda
    assert reverse("rehab:packet_pdf", args=[item.pk]) in agenda
    for borger in (ready.borger, early.borger):
        assert borger.cpr not in body and borger.formatted_cpr not in body and borger.masked_cpr not in body


def test_a_caseworker_of_another_team_sees_the_meeting_but_not_who_is_on_it(client, outsider, ready, past):
    AgendaItemFactory(meeting=past, forloeb=ready, slot_start=time(9, 0))
    body = login(client, outsider).get(reverse("rehab:meeting_detail", args=[past.pk])).content.decode()
    assert "Forløb i et andet team" in body
    assert "Jens Berg" not in body
    assert reverse("rehab:attendance", args=[ready.agenda_items.get().pk]) not in body


def test_attendance_is_recorded_after_the_meeting(client, caseworker, ready, past):
    item = AgendaItemFactory(meeting=past, forloeb=ready, slot_start=time(9, 0))
    response = record_attendance(
        login(client, caseworker),
        item,
        {
            "sectors_present": [Sector.EMPLOYMENT, Sector.SOCIAL, Sector.REGIONAL_HEALTH],
            "borger_present": "ja",
            "relative_present": "nej",
            "bisidder_present": "ukendt",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("rehab:meeting_detail", args=[past.pk]) + f"#punkt-{item.pk}"
    item.refresh_from_db()
    assert item.sectors_present == sorted([Sector.EMPLOYMENT, Sector.SOCIAL, Sector.REGIONAL_HEALTH])
    assert (item.borger_present, item.relative_present, item.bisidder_present) == (True, False, None)

    body = client.get(reverse("rehab:meeting_detail", args=[past.pk])).content.decode()
    assert "Sektorer til stede: Beskæftigelse, Social, Regional sundhedskoordinator." in body
    assert "Borgeren deltog: ja. Pårørende: nej. Bisidder: ved ikke." in body
    assert re.search(rf'value="{Sector.SOCIAL}"[^>]*checked', body)
    assert not re.search(rf'value="{Sector.EDUCATION}"[^>]*checked', body)


def test_a_rehab_member_of_the_team_records_attendance(client, member, ready, past):
    item = AgendaItemFactory(meeting=past, forloeb=ready, slot_start=time(9, 0))
    record_attendance(login(client, member), item, {"borger_present": "nej"})
    item.refresh_from_db()
    assert item.borger_present is False


def test_attendance_waits_for_the_meeting_to_begin(client, caseworker, ready, upcoming):
    item = AgendaItemFactory(meeting=upcoming, forloeb=ready, slot_start=time(9, 0))
    login(client, caseworker)
    body = client.get(reverse("rehab:meeting_detail", args=[upcoming.pk])).content.decode()
    assert "Fremmøde registreres, når mødet er begyndt." in body
    response = record_attendance(client, item, {"borger_present": "ja"})
    assert "Fremmøde kan først registreres, når mødet er begyndt." in messages_of(response)
    item.refresh_from_db()
    assert item.borger_present is None


def test_nonsense_attendance_is_refused_and_strangers_get_404(client, caseworker, outsider, ready, past):
    item = AgendaItemFactory(meeting=past, forloeb=ready, slot_start=time(9, 0))
    response = login(client, caseworker).post(
        reverse("rehab:attendance", args=[item.pk]), {"sectors_present": ["rumfart"], "borger_present": "måske"}
    )
    errors = " ".join(messages_of(response))
    assert "er ikke en sektor i rehabiliteringsteamet" in errors and "Vælg ja, nej eller ved ikke." in errors
    assert login(client, outsider).post(reverse("rehab:attendance", args=[item.pk]), {}).status_code == 404
    other_member = RehabMembershipFactory(rehab_team=RehabTeamFactory(kommune=ready.kommune)).user
    assert login(client, other_member).post(reverse("rehab:attendance", args=[item.pk]), {}).status_code == 404
    item.refresh_from_db()
    assert item.sectors_present == [] and item.borger_present is None


def fill_agenda(meeting, team, n):
    start = meeting.agenda_items.count()
    for i in range(start, start + n):
        AgendaItemFactory(meeting=meeting, forloeb=ForloebFactory(team=team), slot_start=time(8 + i // 4, i % 4 * 15))


@pytest.mark.parametrize("who", ["caseworker", "member"])
def test_the_meeting_page_runs_a_fixed_number_of_queries(
    client, who, request, team, past, django_assert_max_num_queries
):
    login(client, request.getfixturevalue(who))
    url = reverse("rehab:meeting_detail", args=[past.pk])
    fill_agenda(past, team, 2)
    with django_assert_max_num_queries(6) as few:
        assert client.get(url).status_code == 200
    fill_agenda(past, team, 10)
    with django_assert_max_num_queries(6) as many:
        body = client.get(url).content.decode()
    assert body.count("Gem fremmøde") == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_meeting_list_runs_a_fixed_number_of_queries(client, member, rehab_team, django_assert_max_num_queries):
    login(client, member)
    TeamMeetingFactory(rehab_team=rehab_team, starts_at=NOW + timedelta(days=4))  # the agenda is read once there is one
    with django_assert_max_num_queries(7) as few:
        client.get(reverse("rehab:meeting_list"))
    for days in (-3, -2, 1, 2, 3):
        TeamMeetingFactory(rehab_team=rehab_team, starts_at=NOW + timedelta(days=days))
    with django_assert_max_num_queries(7) as many:
        client.get(reverse("rehab:meeting_list"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_every_id_on_the_meeting_page_is_unique_and_every_field_has_a_label(client, caseworker, team, past):
    fill_agenda(past, team, 3)
    body = login(client, caseworker).get(reverse("rehab:meeting_detail", args=[past.pk])).content.decode()
    body = body[body.index("<main") :]  # the page's own fields, not the header's search
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    fields = re.findall(r'<(?:textarea|select|input)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', body)
    assert len(fields) == 3 * (len(Sector) + 3 * 3)
    for field_id in fields:
        assert f'for="{field_id}"' in body, field_id
    assert body.count("<fieldset>") == 3 * 4 and body.count("<legend>") == 3 * 4
    headings = [int(level) for level in re.findall(r"<h([1-6])", body)]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:], strict=False))
    assert "<th>" not in body  # every header cell has a scope


def test_the_meeting_form_has_a_label_for_every_field(client, caseworker, rehab_team):
    body = login(client, caseworker).get(reverse("rehab:meeting_create")).content.decode()
    body = body[body.index("<main") :]  # the page's own fields, not the header's search
    fields = re.findall(r'<(?:select|input)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', body)
    assert len(fields) == 4
    for field_id in fields:
        assert f'for="{field_id}"' in body, field_id


def test_an_unknown_meeting_gives_404(client, caseworker):
    assert login(client, caseworker).get(reverse("rehab:meeting_detail", args=[999999])).status_code == 404


def test_a_foreign_kommunes_meeting_gives_404(client, caseworker):
    foreign = TeamMeetingFactory(rehab_team=RehabTeamFactory(kommune=KommuneFactory(code="101", name="Andenby")))
    assert login(client, caseworker).get(reverse("rehab:meeting_detail", args=[foreign.pk])).status_code == 404
