"""Mine forløb: sortable by next samtale, open flags (most severe first) and planned end; columns
that are the same on every row left out; a fixed number of queries; every listed forløb logged."""

import re
from datetime import timedelta

from django.urls import reverse

from cases import clock, services
from cases.models import AccessAction, AccessLog
from tests.conftest import login
from tests.factories import BorgerFactory, FlagFactory, FollowUpMeetingFactory, ForloebFactory, UserFactory

URL = "/forloeb/"


def coordinated(team, caseworker, last_name, **kwargs):
    f = ForloebFactory(team=team, borger=BorgerFactory(first_name="Borger", last_name=last_name), **kwargs)
    services.forloeb_assign_coordinator(forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker)
    f.refresh_from_db()
    return f


def names_in_order(body: str) -> list[str]:
    return re.findall(r"Borger (\w+)</a>", body)


def test_mine_forloeb_lives_at_forloeb(db):
    assert reverse("desk:my_forloeb") == URL


def test_sorted_by_next_samtale_soonest_first_and_back(client, caseworker, team):
    today = clock.today()
    started = today - timedelta(days=200)
    late = coordinated(team, caseworker, "Sen", start_date=started, planned_end_date=started + timedelta(days=700))
    soon = coordinated(team, caseworker, "Snart", start_date=started, planned_end_date=started + timedelta(days=400))
    coordinated(team, caseworker, "Ingen")  # not started: no samtale due, last both ways
    FollowUpMeetingFactory(forloeb=late, held_on=today - timedelta(days=3), next_on=today + timedelta(days=40))
    FollowUpMeetingFactory(forloeb=soon, held_on=today - timedelta(days=3), next_on=today + timedelta(days=5))
    login(client, caseworker)
    assert names_in_order(client.get(URL).content.decode()) == ["Snart", "Sen", "Ingen"]  # the default
    assert names_in_order(client.get(URL, {"sorter": "-samtale"}).content.decode()) == ["Sen", "Snart", "Ingen"]
    assert names_in_order(client.get(URL, {"sorter": "slut"}).content.decode()) == ["Snart", "Sen", "Ingen"]
    assert names_in_order(client.get(URL, {"sorter": "-slut"}).content.decode()) == ["Sen", "Snart", "Ingen"]


def test_sorted_by_open_flags_the_most_severe_first(client, caseworker, team):
    law = coordinated(team, caseworker, "Lov")
    standard = coordinated(team, caseworker, "Standard")
    coordinated(team, caseworker, "Ingen")
    FlagFactory(forloeb=law, basis_kind="lov")
    for n in range(3):  # more flags, but only the kommune's own standard
        FlagFactory(forloeb=standard, basis_kind="servicestandard", rule_id=f"TEST_STD_{n}")
    FlagFactory(forloeb=law, basis_kind="lov", rule_id="TEST_OLD", resolved_at=clock.now())  # resolved: not counted
    body = login(client, caseworker).get(URL, {"sorter": "advarsler"}).content.decode()
    assert names_in_order(body) == ["Lov", "Standard", "Ingen"]
    assert ">1<span" in body and ">3<span" in body
    assert names_in_order(client.get(URL, {"sorter": "-advarsler"}).content.decode()) == ["Ingen", "Standard", "Lov"]


def test_the_sort_headers_are_links_with_aria_sort(client, caseworker, team):
    coordinated(team, caseworker, "En")
    body = login(client, caseworker).get(URL, {"sorter": "slut", "phase": ""}).content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="\?[^"]*sorter=-slut', body)
    assert re.search(r'<th scope="col"><a href="\?[^"]*sorter=samtale', body)
    assert body.count("aria-sort=") == 1


def test_a_bad_sorter_falls_back_to_the_default(client, caseworker, team):
    coordinated(team, caseworker, "En")
    for value in ["x", "-", "borger__cpr", "-" * 30]:
        response = login(client, caseworker).get(URL, {"sorter": value})
        assert response.status_code == 200 and "Borger En" in response.content.decode()


def test_columns_that_are_the_same_on_every_row_are_left_out(client, caseworker, team, other_team, teammate):
    coordinated(team, caseworker, "En")
    coordinated(team, teammate, "To")
    login(client, caseworker)
    # One team, only my own forløb: neither the team nor the coordinator.
    body = client.get(URL).content.decode()
    assert ">Team</th>" not in body and "Koordinerende sagsbehandler</th>" not in body
    # The whole team: the coordinator differs.
    body = client.get(URL, {"scope": "team"}).content.decode()
    assert "Koordinerende sagsbehandler</th>" in body and ">Team</th>" not in body
    # A leader of two teams sees the team, until one team is chosen.
    leader = UserFactory(role="teamleder", teams=[team, other_team])
    body = login(client, leader).get(URL).content.decode()
    assert ">Team</th>" in body
    assert ">Team</th>" not in client.get(URL, {"team": team.pk}).content.decode()


def test_the_list_is_access_logged(client, caseworker, team):
    shown = [coordinated(team, caseworker, name) for name in ("En", "To")]
    login(client, caseworker).get(URL)
    rows = AccessLog.objects.filter(user=caseworker, action=AccessAction.LIST)
    assert sorted(rows.values_list("forloeb_id", flat=True)) == sorted(f.pk for f in shown)


def test_the_htmx_partial_still_answers_with_the_results_only(client, caseworker, team):
    coordinated(team, caseworker, "En")
    body = login(client, caseworker).get(URL, {"sorter": "advarsler"}, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<section id="results"') and "<html" not in body and "Borger En" in body


def test_a_fixed_number_of_queries_whatever_the_number_of_rows(client, caseworker, team, django_assert_max_num_queries):
    login(client, caseworker)

    def create(n):
        for i in range(n):
            f = coordinated(team, caseworker, f"N{i}", start_date=clock.today() - timedelta(days=30))
            FlagFactory(forloeb=f)
            FollowUpMeetingFactory(forloeb=f, held_on=clock.today() - timedelta(days=2))

    create(2)
    for sorter in ("samtale", "advarsler", "-slut"):
        with django_assert_max_num_queries(8) as few:
            client.get(URL, {"sorter": sorter, "scope": "team"})
        create(12)
        with django_assert_max_num_queries(8) as many:
            client.get(URL, {"sorter": sorter, "scope": "team"})
        assert len(many.captured_queries) == len(few.captured_queries)
