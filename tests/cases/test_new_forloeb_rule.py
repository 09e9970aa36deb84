"""Opret forløb under the law of the day the forberedende del began (cases.rulepacks.new_forloeb_errors):
after the 2026 reform no new ressourceforløb; a case begun before it still may be opened."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import rulepacks
from cases.models import AccessLog, Borger, Forloeb
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def travel():
    """Move the clock to a day (noon in Copenhagen) for the rest of the test."""
    started = []

    def _travel(day: date):
        traveller = time_machine.travel(datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/Copenhagen")))
        traveller.start()
        started.append(traveller)

    yield _travel
    for traveller in reversed(started):
        traveller.stop()


REFORM = date(2026, 7, 1)


def test_the_rule_follows_the_pack_in_force_on_the_day_the_forberedende_del_began():
    assert rulepacks.new_forloeb_allowed(REFORM.replace(day=1, month=6))
    assert rulepacks.new_forloeb_allowed(date(2026, 6, 30))  # the transitional case
    assert not rulepacks.new_forloeb_allowed(REFORM)
    assert rulepacks.new_forloeb_errors(date(2026, 6, 30), field="opened_on") == {}
    (message,) = rulepacks.new_forloeb_errors(REFORM, field="opened_on")["opened_on"]
    assert "01.07.2026" in message and "Lov nr. 1750 af 29.12.2025" in message


def post_create(client, team, opened_on: date):
    data = {"cpr": "010190-1234", "first_name": "Ida", "last_name": "Holm", "team": team.pk}
    return client.post(reverse("cases:forloeb_create"), {**data, "opened_on": opened_on.isoformat()})


def test_a_forloeb_begun_after_the_reform_is_refused_on_its_date_and_nothing_is_saved(client, caseworker, team, travel):
    travel(date(2026, 12, 3))
    login(client, caseworker)
    page = client.get(reverse("cases:forloeb_create")).content.decode()
    assert "Beskæftigelsesreformen (2026)" in page and "Lov nr. 1750 af 29.12.2025" in page
    assert "Overgangsregel" in page

    response = post_create(client, team, date(2026, 9, 1))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_opened_on_error"' in body and "Lov nr. 1750 af 29.12.2025" in body
    assert not Borger.objects.exists() and not Forloeb.objects.exists() and not AccessLog.objects.exists()

    response = post_create(client, team, date(2026, 6, 15))
    assert response.status_code == 302
    assert Forloeb.objects.get().opened_on == date(2026, 6, 15)


def test_before_the_reform_the_form_shows_the_pack_then_in_force(client, caseworker, team, travel):
    travel(date(2026, 3, 2))
    page = login(client, caseworker).get(reverse("cases:forloeb_create")).content.decode()
    assert "Bedre ressourceforløb (2022)" in page and "Beskæftigelsesreformen" not in page
    assert post_create(client, team, date(2026, 3, 2)).status_code == 302


def test_after_the_reform_a_case_for_fleksjob_or_foertidspension_may_still_be_opened(client, caseworker, team, travel):
    """The reform stops new ressourceforløb, not the rehabiliteringsteam: a case opened with a view to
    fleksjob or førtidspension only is created; the ressourceforløb stays refused at the indstilling."""
    travel(date(2026, 12, 3))
    login(client, caseworker)
    data = {"cpr": "010190-1234", "first_name": "Ida", "last_name": "Holm", "team": team.pk, "opened_on": "2026-12-01"}
    refused = client.post(reverse("cases:forloeb_create"), data).content.decode()
    assert 'id="id_purpose_error"' in refused or "fleksjob eller førtidspension, så vælg det her" in refused
    assert not Forloeb.objects.exists()
    response = client.post(reverse("cases:forloeb_create"), {**data, "purpose": "fleksjob_fp"})
    assert response.status_code == 302
    assert Forloeb.objects.get().opened_on == date(2026, 12, 1)
