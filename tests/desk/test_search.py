"""The search from the header: by name, CPR number, birth date or forløb id, only within what the
user may see, sent by POST (no CPR in an address) and access-logged with a masked criterion."""

from datetime import date

import pytest
from django.urls import reverse

from cases import services
from cases.models import AccessAction, AccessLog, Phase
from desk import search as search_terms
from tests.conftest import login
from tests.factories import BorgerFactory, ForloebFactory

CPR = "0102034321"  # 01.02.2003; stdnum reads the 7th digit 4 as 2000-2036
SEARCH = "/soeg/"


@pytest.fixture
def mine(team, caseworker):
    f = ForloebFactory(team=team, borger=BorgerFactory(first_name="Åse Marie", last_name="Bødker", cpr=CPR))
    services.forloeb_assign_coordinator(forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker)
    return f


@pytest.fixture
def theirs(other_team):
    """A borger of another team, with the same birth day and a similar name."""
    return ForloebFactory(
        team=other_team, borger=BorgerFactory(first_name="Åse", last_name="Bødkersen", cpr="0102034329")
    )


def post(client, q):
    return client.post(SEARCH, {"q": q})


def test_the_search_page_is_reached_without_the_query_in_the_address(client, caseworker):
    assert reverse("desk:search") == SEARCH
    response = login(client, caseworker).get(SEARCH)
    assert response.status_code == 200 and 'method="post"' in response.content.decode()


@pytest.mark.parametrize("q", ["bødker", "ÅSE BØDKER", "marie bød", "  åse   marie  "])
def test_by_name_every_word_must_match_and_case_does_not_matter(client, caseworker, mine, theirs, q):
    response = post(login(client, caseworker), q)
    body = response.content.decode().split('id="hits-heading"')[1]
    assert response.status_code == 200
    assert "Åse Marie Bødker" in body
    assert "Bødkersen" not in body  # another team's borger is not found


def test_a_name_that_matches_no_one_says_so(client, caseworker, mine):
    body = post(login(client, caseworker), "Zacharias").content.decode()
    assert "Ingen forløb, du har adgang til, passer på søgningen." in body


@pytest.mark.parametrize("q", [CPR, "010203-4321"])
def test_a_cpr_number_goes_straight_to_the_forloeb(client, caseworker, mine, q):
    response = post(login(client, caseworker), q)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:forloeb_detail", args=[mine.pk])
    assert CPR[6:] not in response["Location"]


def test_a_cpr_number_of_a_borger_with_an_old_forloeb_goes_to_the_open_one(client, caseworker, mine, team):
    type(mine).objects.filter(pk=mine.pk).update(phase=Phase.AFSLUTTET, closed_on=mine.opened_on)
    second = ForloebFactory(team=team, borger=mine.borger, sequence_no=2)
    response = post(login(client, caseworker), CPR)
    assert response["Location"] == reverse("cases:forloeb_detail", args=[second.pk])


@pytest.mark.parametrize("q", ["010203", "01.02.2003", "1.2.2003", "01022003"])
def test_a_birth_date_lists_those_born_that_day(client, caseworker, mine, theirs, team, q):
    ForloebFactory(team=team, borger=BorgerFactory(first_name="Anden", last_name="Dato", cpr="0202034320"))
    body = post(login(client, caseworker), q).content.decode()
    assert "Åse Marie Bødker" in body
    assert "Bødkersen" not in body and "Anden Dato" not in body


def test_a_whole_date_keeps_the_century(client, caseworker, mine, team):
    ForloebFactory(team=team, borger=BorgerFactory(first_name="Gammel", last_name="Sen", cpr="0102031320"))  # 1903
    body = post(login(client, caseworker), "01.02.2003").content.decode()
    assert "Åse Marie Bødker" in body and "Gammel Sen" not in body
    body = post(client, "010203").content.decode()
    assert "Åse Marie Bødker" in body and "Gammel Sen" in body


@pytest.mark.parametrize("form", ["{pk}", "forløb {pk}", "#{pk}", "nr. {pk}"])
def test_a_forloeb_id_goes_straight_to_the_forloeb(client, caseworker, mine, form):
    response = post(login(client, caseworker), form.format(pk=mine.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:forloeb_detail", args=[mine.pk])


def test_another_teams_borger_is_found_by_nothing(client, caseworker, theirs):
    login(client, caseworker)
    for q in ["0102034329", "010203-4329", "Bødkersen", str(theirs.pk), f"forløb {theirs.pk}"]:
        response = post(client, q)
        assert response.status_code == 200, q
        body = response.content.decode().split('id="hits-heading"')[1]
        assert "Bødkersen" not in body, q
        assert "Ingen forløb, du har adgang til, passer på søgningen." in body, q
    assert not AccessLog.objects.filter(borger=theirs.borger).exists()


def test_a_rehab_member_finds_nothing(client, rehab_member, mine):
    response = post(login(client, rehab_member), "Bødker")
    assert response.status_code == 200 and "Bødker" not in response.content.decode().split("Resultater")[-1]


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Skriv, hvad du søger efter."),
        ("   ", "Skriv, hvad du søger efter."),
        ("x" * 300, "Søgningen er for lang"),
        ("329903-1234", "ikke en gyldig fødselsdato"),
        ("320103", "ikke en gyldig fødselsdato"),
        ("31.02.2003", "ikke en gyldig dato"),
        ("Bo 12", "Skriv et navn, et CPR-nummer"),
        ("12345678901", "Skriv et navn, et CPR-nummer"),
        ("<script>", "Skriv et navn, et CPR-nummer"),
        ("a", "mindst to bogstaver"),
    ],
)
def test_bad_input_gets_a_danish_message_never_an_error_page(client, caseworker, q, message):
    response = post(login(client, caseworker), q)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AccessLog.objects.exists()


def test_each_search_is_logged_with_a_masked_criterion_and_never_the_cpr(client, caseworker, mine, team):
    other = ForloebFactory(team=team, borger=BorgerFactory(first_name="Åse", last_name="Lund", cpr="0102034320"))
    login(client, caseworker)
    post(client, "010203-4321")
    post(client, "01.02.2003")
    post(client, "010203")
    post(client, "Åse")
    post(client, f"forløb {mine.pk}")
    rows = list(AccessLog.objects.filter(action=AccessAction.SEARCH).order_by("id"))
    assert [(r.forloeb_id, r.criterion) for r in rows] == [
        (mine.pk, "CPR 010203-****"),
        (mine.pk, "født 01.02.2003"),
        (other.pk, "født 01.02.2003"),
        (mine.pk, "født 01.02.03"),
        (other.pk, "født 01.02.03"),
        (mine.pk, "navn: åse"),
        (other.pk, "navn: åse"),
        (mine.pk, f"forløb {mine.pk}"),
    ]
    assert all(r.user_id == caseworker.pk and r.borger_id == r.forloeb.borger_id for r in rows)
    for row in AccessLog.objects.values_list("criterion", "action"):
        assert CPR not in "".join(row) and "4321" not in "".join(row)


def test_the_criterion_label_never_holds_a_whole_cpr():
    assert search_terms.parse("010203-4321").label == "CPR 010203-****"
    assert search_terms.parse("0102034321").value == "0102034321"
    assert search_terms.parse("01.02.2003").value == date(2003, 2, 1)
