"""Each role lands where its work is, and its menu holds only pages it can use."""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Role, Sector
from desk.navigation import menu_entries
from tests.conftest import login
from tests.factories import RehabMembershipFactory, RehabTeamFactory, UserFactory

LANDING = {
    "caseworker": "followup:min_dag",
    "coordinator": "followup:min_dag",
    "team_leader": "supervision:dashboard",
    "administrator": "supervision:dashboard",
    "rehab_member": "rehab:meeting_list",
}


@pytest.fixture
def people(team, kommune):
    rehab = UserFactory(username="rehab-m", role=Role.REHAB_MEMBER, sector=Sector.SOCIAL, kommune=kommune)
    RehabMembershipFactory(rehab_team=RehabTeamFactory(kommune=kommune), user=rehab)
    return {
        "caseworker": UserFactory(username="sb", role=Role.CASEWORKER, kommune=kommune, teams=[team]),
        "coordinator": UserFactory(username="ks-m", role=Role.COORDINATOR, kommune=kommune, teams=[team]),
        "team_leader": UserFactory(username="tl", role=Role.TEAM_LEADER, kommune=kommune, teams=[team]),
        "administrator": UserFactory(username="adm", role=Role.ADMINISTRATOR, kommune=kommune),
        "rehab_member": rehab,
    }


@pytest.mark.parametrize("role", LANDING)
def test_each_role_lands_where_its_work_is(client, people, role):
    response = login(client, people[role]).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(LANDING[role])
    assert client.get(response["Location"]).status_code == 200


def test_after_login_the_user_is_sent_to_the_landing_page(client, people):
    response = client.post(reverse("login"), {"username": "tl", "password": "test-adgang-1234"})
    assert response.status_code == 302 and response["Location"] == reverse("desk:home")


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", LANDING)
def test_every_menu_entry_answers_200_for_that_role(people, role):
    user = people[role]
    client = login(Client(), user)
    response = client.get(reverse("desk:my_forloeb") if role != "rehab_member" else reverse("rehab:meeting_list"))
    items = response.context["nav_items"]
    assert items, "the menu is never empty"
    assert [item["url"] for item in items] == [reverse(name) for name, _label in menu_entries(user)]
    for item in items:
        assert client.get(item["url"]).status_code == 200, f"{role}: {item['label']} ({item['url']})"
    assert sum(item["current"] for item in items) == 1


def labels(user):
    return [str(label) for _name, label in menu_entries(user)]


def test_the_menus_per_role(people):
    assert labels(people["caseworker"]) == [
        "Min dag",
        "Mine forløb",
        "Møder i rehabiliteringsteamet",
        "Opret forløb",
        "Mine tal",
    ]
    assert labels(people["team_leader"]) == [
        "Min dag",
        "Mine forløb",
        "Møder i rehabiliteringsteamet",
        "Opret forløb",
        "Ledelsestilsyn",
        "Udtræk",
    ]
    assert "Ledelsestilsyn" in labels(people["administrator"]) and "Udtræk" in labels(people["administrator"])
    # A member of the rehabiliteringsteam sees no forløb list, makes no forløb and has no Min dag.
    assert labels(people["rehab_member"]) == ["Møder i rehabiliteringsteamet"]


def test_the_header_search_is_shown_to_those_who_can_see_forloeb(client, people):
    body = login(client, people["caseworker"]).get(reverse("desk:my_forloeb")).content.decode()
    assert 'role="search"' in body and 'action="/soeg/"' in body and 'method="post"' in body
    body = login(Client(), people["rehab_member"]).get(reverse("rehab:meeting_list"))
    assert 'action="/soeg/"' not in body.content.decode()


def test_the_menu_costs_no_query(rf, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from desk.navigation import menu

    request = rf.get("/forloeb/")
    request.user = people["team_leader"]
    request.resolver_match = None
    with CaptureQueriesContext(connection) as queries:
        menu(request)
    assert len(queries) == 0
