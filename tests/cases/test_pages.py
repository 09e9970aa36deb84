"""Pages: team scoping, filters, forms with bad input, the access log and query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import AccessAction, AccessLog, Borger, Forloeb, Phase, PhaseTransition
from tests.conftest import login
from tests.edit_forms import post_edit
from tests.factories import BorgerFactory, ForloebFactory, UserFactory, allowed_opening_day

TODAY = timezone.localdate()


def detail_url(f):
    return reverse("cases:forloeb_detail", args=[f.pk])


def transition_url(f, name):
    return reverse("cases:forloeb_transition", args=[f.pk, name])


# --- Login ------------------------------------------------------------------------------


def test_the_login_page_is_danish_and_other_pages_need_login(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Log ind" in response.content.decode()
    assert client.get(reverse("desk:my_forloeb")).status_code == 302


def test_a_wrong_password_gives_a_danish_message(client, caseworker):
    response = client.post(reverse("login"), {"username": "ks", "password": "forkert"})
    assert "Brugernavn eller adgangskode er forkert" in response.content.decode()


# --- Team scoping on every page -----------------------------------------------------------


def pages_of(forloeb):
    return [detail_url(forloeb), reverse("cases:borger_detail", args=[forloeb.borger_id])]


@pytest.mark.parametrize("who", ["caseworker", "teammate", "team_leader"])
def test_the_team_sees_the_forloeb_and_the_borger(client, forloeb, who, request):
    login(client, request.getfixturevalue(who))
    for url in pages_of(forloeb):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "rehab_member"])
def test_people_outside_the_team_get_404_on_every_page(client, forloeb, who, request):
    login(client, request.getfixturevalue(who))
    for url in pages_of(forloeb):
        assert client.get(url).status_code == 404
    response = client.post(transition_url(forloeb, "to_rehab_team"), {"expected_phase": forloeb.phase})
    assert response.status_code == 404
    response = client.get(reverse("desk:my_forloeb"), {"scope": "team"})
    assert "Mette Hansen" not in response.content.decode()
    assert Forloeb.objects.get(pk=forloeb.pk).phase == Phase.FORBEREDENDE_DEL


def test_a_team_leader_of_another_team_gets_404(client, forloeb, other_team):
    login(client, UserFactory(role="teamleder", teams=[other_team]))
    assert client.get(detail_url(forloeb)).status_code == 404


def test_an_unknown_forloeb_gives_404(client, caseworker):
    assert login(client, caseworker).get(reverse("cases:forloeb_detail", args=[999999])).status_code == 404


# --- Mine forløb ------------------------------------------------------------------------


def test_mine_forloeb_shows_what_i_coordinate_and_team_shows_the_rest(client, forloeb, caseworker, teammate, team):
    other = ForloebFactory(team=team, borger=BorgerFactory(first_name="Bo", last_name="Lund"))
    services.forloeb_assign_coordinator(forloeb=other, coordinator=teammate, valid_from=other.opened_on, actor=teammate)
    login(client, caseworker)

    mine = client.get(reverse("desk:my_forloeb")).content.decode()
    assert "Mette Hansen" in mine and "Bo Lund" not in mine

    everyone = client.get(reverse("desk:my_forloeb"), {"scope": "team"}).content.decode()
    assert "Mette Hansen" in everyone and "Bo Lund" in everyone


def test_mine_forloeb_filters_by_phase_and_team(client, forloeb, team, other_team):
    leader = UserFactory(role="teamleder", teams=[team, other_team])
    ForloebFactory(team=other_team, phase=Phase.INDSATSDEL, borger=BorgerFactory(first_name="Per", last_name="Krag"))
    login(client, leader)

    page = client.get(reverse("desk:my_forloeb"), {"phase": Phase.INDSATSDEL}).content.decode()
    assert "Per Krag" in page and "Mette Hansen" not in page

    page = client.get(reverse("desk:my_forloeb"), {"team": team.pk}).content.decode()
    assert "Per Krag" not in page and "Mette Hansen" in page


def test_mine_forloeb_sorts_and_pages(client, caseworker, team):
    for i in range(30):
        f = ForloebFactory(team=team, borger=BorgerFactory(first_name="Navn", last_name=f"Efternavn{i:02d}"))
        services.forloeb_assign_coordinator(forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker)
    login(client, caseworker)

    first = client.get(reverse("desk:my_forloeb"), {"sorter": "navn"}).content.decode()
    assert "Efternavn00" in first and "Efternavn29" not in first and "Side 1 af 2" in first
    second = client.get(reverse("desk:my_forloeb"), {"sorter": "navn", "page": 2}).content.decode()
    assert "Efternavn29" in second and "Efternavn00" not in second


def test_an_htmx_request_gets_only_the_results_region(client, forloeb, caseworker):
    response = login(client, caseworker).get(reverse("desk:my_forloeb"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body and "Mette Hansen" in body


@pytest.mark.parametrize(
    "params", [{"phase": "noget"}, {"team": "abc"}, {"sorter": "x"}, {"page": "-4"}, {"page": "zz"}]
)
def test_mine_forloeb_ignores_nonsense_in_the_address(client, forloeb, caseworker, params):
    response = login(client, caseworker).get(reverse("desk:my_forloeb"), params)
    assert response.status_code == 200


def test_mine_forloeb_runs_a_fixed_number_of_queries(client, caseworker, team, django_assert_max_num_queries):
    login(client, caseworker)

    def create(n):
        for _ in range(n):
            f = ForloebFactory(team=team)
            services.forloeb_assign_coordinator(
                forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker
            )

    create(2)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("desk:my_forloeb"))
    create(40)
    with django_assert_max_num_queries(8) as many:
        client.get(reverse("desk:my_forloeb"))
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Forløb detail ------------------------------------------------------------------------


def test_the_detail_page_shows_the_timeline_and_allowed_next_steps(client, forloeb, caseworker):
    services.forloeb_transition(
        forloeb_id=forloeb.pk, transition="to_rehab_team", actor=caseworker, expected_phase=forloeb.phase
    )
    body = login(client, caseworker).get(detail_url(forloeb)).content.decode()
    assert "Forberedende del → <strong>Afventer rehabiliteringsteam</strong>" in body
    assert "Registrér indstilling" in body
    assert "Send til rehabiliteringsteamet" not in body  # not allowed from this phase
    assert "Afslut forløb" in body


def test_the_detail_page_runs_a_fixed_number_of_queries(
    client, forloeb, caseworker, teammate, django_assert_max_num_queries
):
    def move(transition, **data):
        nonlocal forloeb
        forloeb = services.forloeb_transition(
            forloeb_id=forloeb.pk, transition=transition, actor=caseworker, expected_phase=forloeb.phase, **data
        )

    move("to_rehab_team")
    login(client, caseworker)
    with django_assert_max_num_queries(12) as before:
        client.get(detail_url(forloeb))
    for _round in range(3):  # more history: transitions and coordinator handovers
        move("give_indstilling")
        move("genforelaeggelse", reason="Ny lægeattest")
        for user in (teammate, caseworker):
            services.forloeb_assign_coordinator(forloeb=forloeb, coordinator=user, valid_from=TODAY, actor=caseworker)
    with django_assert_max_num_queries(12) as after:
        client.get(detail_url(forloeb))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_blocked_step_says_what_is_missing(client, team, caseworker):
    orphan = ForloebFactory(team=team)
    body = login(client, caseworker).get(detail_url(orphan)).content.decode()
    assert "Mangler før dette kan ske" in body and "ingen koordinerende sagsbehandler" in body


def test_moving_a_phase_by_button_logs_it_and_redirects(client, forloeb, caseworker):
    response = login(client, caseworker).post(
        transition_url(forloeb, "to_rehab_team"), {"expected_phase": Phase.FORBEREDENDE_DEL}, follow=True
    )
    assert "Forløbet er flyttet til fasen “Afventer rehabiliteringsteam”" in response.content.decode()
    assert PhaseTransition.objects.get(forloeb=forloeb).actor == caseworker


def test_closing_without_an_outcome_shows_the_form_again_with_the_error(client, forloeb, caseworker):
    response = login(client, caseworker).post(
        transition_url(forloeb, "close"), {"expected_phase": forloeb.phase, "closed_on": TODAY.isoformat()}
    )
    assert response.status_code == 400
    assert "Vælg en afslutningsårsag." in response.content.decode()
    assert Forloeb.objects.get(pk=forloeb.pk).phase == Phase.FORBEREDENDE_DEL


def test_a_garbled_date_is_refused_in_danish(client, forloeb, caseworker):
    response = login(client, caseworker).post(
        transition_url(forloeb, "close"),
        {"expected_phase": forloeb.phase, "outcome": "fleksjob", "closed_on": "31-31-2026"},
    )
    assert response.status_code == 400
    assert "Indtast en gyldig dato." in response.content.decode()


def test_a_stale_page_gets_a_clear_message(client, forloeb, caseworker, teammate):
    services.forloeb_transition(
        forloeb_id=forloeb.pk, transition="to_rehab_team", actor=teammate, expected_phase=forloeb.phase
    )
    response = login(client, caseworker).post(
        transition_url(forloeb, "to_rehab_team"), {"expected_phase": Phase.FORBEREDENDE_DEL}
    )
    assert response.status_code == 400
    assert "ændret af en anden i mellemtiden" in response.content.decode()


def test_reassigning_the_coordinator_keeps_the_history(client, forloeb, caseworker, teammate):
    when = TODAY
    response = post_edit(
        login(client, caseworker),
        reverse("cases:forloeb_detail", args=[forloeb.pk]),
        reverse("cases:forloeb_assign_coordinator", args=[forloeb.pk]),
        {"coordinator": teammate.pk, "valid_from": when.isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    history = list(forloeb.coordinator_assignments.order_by("valid_from", "id").values_list("coordinator", "valid_to"))
    assert history == [(caseworker.pk, when), (teammate.pk, None)]
    assert Forloeb.objects.get(pk=forloeb.pk).current_coordinator == teammate


def test_a_coordinator_outside_the_team_cannot_be_chosen(client, forloeb, caseworker, outsider):
    response = post_edit(
        login(client, caseworker),
        reverse("cases:forloeb_detail", args=[forloeb.pk]),
        reverse("cases:forloeb_assign_coordinator", args=[forloeb.pk]),
        {"coordinator": outsider.pk, "valid_from": TODAY.isoformat()},
    )
    assert response.status_code == 400
    assert Forloeb.objects.get(pk=forloeb.pk).current_coordinator == caseworker


# --- Opret forløb -------------------------------------------------------------------------


def post_create(client, team, **overrides):
    data = {"cpr": "010190-1234", "first_name": "Ida", "last_name": "Holm", "team": team.pk}
    data["opened_on"] = allowed_opening_day(TODAY).isoformat()  # before the 2026 reform stopped new forløb
    return client.post(reverse("cases:forloeb_create"), {**data, **overrides})


def test_a_caseworker_opens_a_forloeb_for_a_new_borger_and_coordinates_it(client, caseworker, team):
    response = post_create(login(client, caseworker), team)
    forloeb = Forloeb.objects.get(borger__cpr="0101901234")
    assert response.status_code == 302 and response["Location"] == detail_url(forloeb)
    assert "0101901234" not in response["Location"]
    assert forloeb.sequence_no == 1 and forloeb.current_coordinator == caseworker


def test_a_second_forloeb_gets_the_next_sequence_number(client, forloeb, caseworker, team):
    services.forloeb_transition(
        forloeb_id=forloeb.pk,
        transition="close",
        actor=caseworker,
        expected_phase=forloeb.phase,
        outcome="kontanthjaelp",
        closed_on=TODAY,
    )
    borger = forloeb.borger
    post_create(
        login(client, caseworker), team, cpr=borger.cpr, first_name=borger.first_name, last_name=borger.last_name
    )
    assert list(forloeb.borger.forloeb.order_by("sequence_no").values_list("sequence_no", "phase")) == [
        (1, Phase.AFSLUTTET),
        (2, Phase.FORBEREDENDE_DEL),
    ]


@pytest.mark.parametrize(
    ("cpr", "message"),
    [("3102901234", "ikke en gyldig fødselsdato"), ("12345", "skal have 10 cifre"), ("", "Dette felt er påkrævet")],
)
def test_opening_a_forloeb_with_a_bad_cpr_shows_a_danish_error_and_saves_nothing(
    client, caseworker, team, cpr, message
):
    response = post_create(login(client, caseworker), team, cpr=cpr)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Borger.objects.exists() and not Forloeb.objects.exists()


def test_a_borger_with_an_open_forloeb_cannot_get_another(client, forloeb, caseworker, team):
    borger = forloeb.borger
    response = post_create(
        login(client, caseworker), team, cpr=borger.cpr, first_name=borger.first_name, last_name=borger.last_name
    )
    assert response.status_code == 400
    assert "allerede et åbent forløb" in response.content.decode()
    assert Forloeb.objects.count() == 1


def test_a_forloeb_cannot_be_opened_in_the_future_or_in_a_foreign_team(client, caseworker, other_team, team):
    login(client, caseworker)
    future = post_create(client, team, opened_on=(TODAY + timedelta(days=3)).isoformat())
    assert "fremtiden" in future.content.decode()
    foreign = post_create(client, other_team)
    assert "Marker en gyldig valgmulighed" in foreign.content.decode()
    assert not Forloeb.objects.exists()


# --- Personal data --------------------------------------------------------------------------


def test_looking_at_a_forloeb_or_borger_is_logged_without_the_cpr(client, forloeb, caseworker):
    login(client, caseworker)
    client.get(detail_url(forloeb))
    client.get(reverse("cases:borger_detail", args=[forloeb.borger_id]))

    rows = list(AccessLog.objects.filter(user=caseworker).values_list("action", "borger", "forloeb"))
    assert (AccessAction.VIEW_FORLOEB, forloeb.borger_id, forloeb.pk) in rows
    assert (AccessAction.VIEW_BORGER, forloeb.borger_id, None) in rows


def test_lists_show_the_birth_date_but_never_the_whole_cpr(client, forloeb, caseworker):
    body = login(client, caseworker).get(reverse("desk:my_forloeb")).content.decode()
    assert forloeb.borger.masked_cpr in body and forloeb.borger.cpr not in body


@pytest.mark.parametrize("phase", [Phase.FORBEREDENDE_DEL, Phase.IVAERKSAETTELSE])
def test_every_id_on_the_forloeb_page_is_unique_and_every_field_has_its_label(client, team, caseworker, phase):
    import re

    f = ForloebFactory(team=team, phase=phase, start_date=TODAY, planned_end_date=TODAY + timedelta(days=365))
    services.forloeb_assign_coordinator(forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker)
    body = login(client, caseworker).get(detail_url(f)).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for field_id in re.findall(r'<(?:textarea|select|input)[^>]*\sid="([^"]+)"', body):
        if f'id="{field_id}"' in body and 'type="hidden"' not in body.split(f'id="{field_id}"')[0][-200:]:
            assert f'for="{field_id}"' in body, field_id
