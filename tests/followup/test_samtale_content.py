"""Fokusrevision 3.10: a samtale the borger attended says how the borger's indsatser go. The rule is
followup.services.followup_register's; the form shows it on the status field, the previous samtale
beside it, and opens with the focus on the status."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import clock, dates
from followup import services
from followup.models import FollowUpMeeting
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = clock.today()
STATUS_MESSAGE = "Skriv status på borgerens deltagelse i indsatserne"


@pytest.fixture
def running(make_forloeb):
    return make_forloeb(
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=400),
    )


def data(**overrides):
    return {
        "held_on": TODAY,
        "setting": "individuel",
        "channel": "fremmoede",
        "borger_attended": True,
        "status_on_interventions": "Deltager stabilt i praktikken.",
        "next_on": TODAY + dt.timedelta(weeks=6),
        **overrides,
    }


@pytest.mark.parametrize("status", ["", "   \n "])
def test_an_attended_samtale_without_status_is_refused_and_nothing_is_saved(running, caseworker, status):
    with pytest.raises(ValidationError) as exc:
        services.followup_register(forloeb=running, data=data(status_on_interventions=status), actor=caseworker)
    assert STATUS_MESSAGE in exc.value.message_dict["status_on_interventions"][0]
    assert not FollowUpMeeting.objects.exists()


def test_an_udeblivelse_needs_no_status(running, caseworker):
    meeting = services.followup_register(
        forloeb=running, data=data(borger_attended=False, status_on_interventions=""), actor=caseworker
    )
    assert not meeting.borger_attended and meeting.status_on_interventions == ""


def test_the_form_puts_the_message_on_the_status_field_saves_nothing_and_focuses_it(client, running, caseworker):
    url = reverse("followup:followup_add", args=[running.pk])
    form = {
        "held_on": TODAY.isoformat(),
        "setting": "individuel",
        "channel": "fremmoede",
        "borger_attended": "on",
        "status_on_interventions": "",
        "next_on": (TODAY + dt.timedelta(weeks=6)).isoformat(),
        "held_by": caseworker.pk,
    }
    response = login(client, caseworker).post(url, form)
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="samtale_status_on_interventions_error"' in body and STATUS_MESSAGE in body
    assert 'aria-invalid="true"' in body
    field = body[body.index('<textarea name="status_on_interventions"') :].split(">", 1)[0]
    assert "autofocus" in field
    assert not FollowUpMeeting.objects.exists()

    response = client.post(url, {**form, "status_on_interventions": "Praktikken går godt."})
    assert response.status_code == 302
    assert FollowUpMeeting.objects.get().status_on_interventions == "Praktikken går godt."


def test_the_form_opens_with_the_date_filled_in_and_the_focus_on_the_status(client, running, caseworker):
    body = login(client, caseworker).get(reverse("followup:followup_add", args=[running.pk])).content.decode()
    assert f'value="{TODAY.isoformat()}"' in body
    assert body.count("autofocus") == 1
    field = body[body.index('<textarea name="status_on_interventions"') :].split(">", 1)[0]
    assert "autofocus" in field


def test_the_previous_samtale_is_shown_beside_the_form(client, running, caseworker, samtale):
    earlier = samtale(running, TODAY - dt.timedelta(days=70), next_on=TODAY - dt.timedelta(days=14))
    FollowUpMeeting.objects.filter(pk=earlier.pk).update(status_on_interventions="Gammel status.")
    latest = samtale(running, TODAY - dt.timedelta(days=20), next_on=TODAY + dt.timedelta(days=30))
    FollowUpMeeting.objects.filter(pk=latest.pk).update(
        status_on_interventions="Mentorforløbet kører.", new_agreements="Praktikken udvides til 12 timer."
    )
    login(client, caseworker)
    for url in (reverse("followup:followup_add", args=[running.pk]), reverse("followup:forloeb", args=[running.pk])):
        body = client.get(url).content.decode()
        aside = body[body.index('<aside class="previous-samtale"') : body.index("</aside>")]
        assert "Sidste samtale" in aside
        assert "Mentorforløbet kører." in aside and "Praktikken udvides til 12 timer." in aside
        assert "Gammel status." not in aside
        assert dates.text(latest.held_on) in aside and dates.text(TODAY + dt.timedelta(days=30)) in aside


def test_the_first_samtale_says_there_is_none_before(client, running, caseworker):
    body = login(client, caseworker).get(reverse("followup:followup_add", args=[running.pk])).content.decode()
    assert "Det er den første opfølgningssamtale i forløbet." in body
