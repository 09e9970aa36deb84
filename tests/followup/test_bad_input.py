"""Bad input on the samtale form and the flag acknowledgement: a Danish message on the field,
nothing written, never a 500 (and never a 500 after the write, which a resubmit would duplicate)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases import clock
from cases.http import HTMX_FORM_ERROR
from followup.models import Flag, FollowUpMeeting
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = clock.today()
BAD_NEXT = ["x", "forloeb", "//evil.example/", "https://evil.example/min-dag/", "/\\evil.example"]


def samtale_data(caseworker, **overrides):
    return {
        "held_on": TODAY.isoformat(),
        "setting": "individuel",
        "channel": "fremmoede",
        "borger_attended": "on",
        "status_on_interventions": "Deltager i praktikken som aftalt.",
        "next_on": (TODAY + dt.timedelta(weeks=6)).isoformat(),
        "held_by": caseworker.pk,
        **overrides,
    }


def open_flag(forloeb):
    return Flag.objects.filter(forloeb=forloeb, resolved_at__isnull=True).first()


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_a_bad_next_on_the_samtale_form_goes_back_to_the_forloeb_and_saves_once(client, caseworker, overdue, bad):
    url = reverse("followup:followup_add", args=[overdue.pk])
    login(client, caseworker)
    assert client.get(url, {"next": bad}).status_code == 200
    response = client.post(url, samtale_data(caseworker, next=bad))
    assert response.status_code == 302
    assert response["Location"] == reverse("followup:forloeb", args=[overdue.pk])
    assert FollowUpMeeting.objects.filter(forloeb=overdue, held_on=TODAY).count() == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize("bad", BAD_NEXT)
def test_a_bad_next_on_the_flag_acknowledgement_goes_back_to_the_forloeb_and_acknowledges_once(
    client, caseworker, overdue, bad, htmx
):
    flag = open_flag(overdue)
    headers = {"HX-Request": "true"} if htmx else {}
    response = login(client, caseworker).post(
        reverse("followup:flag_acknowledge", args=[flag.pk]),
        {"comment": "Ringer i morgen", "next": bad},
        headers=headers,
    )
    if htmx:
        assert response.status_code == 200 and "Kvitteret af" in response.content.decode()
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("followup:forloeb", args=[overdue.pk])
    flag.refresh_from_db()
    assert flag.acknowledge_comment == "Ringer i morgen"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("held_on", "9999-12-31", "Datoen skal ligge mellem 01.01.1900 og 31.12.2100."),
        ("held_on", "0001-01-01", "Datoen skal ligge mellem 01.01.1900 og 31.12.2100."),
        ("held_on", "ikke en dato", "gyldig dato"),
        ("held_on", "2026-02-30", "gyldig dato"),
        ("next_on", "9999-12-31", "Datoen skal ligge mellem 01.01.1900 og 31.12.2100."),
        ("next_on", "0001-01-01", "Datoen skal ligge mellem 01.01.1900 og 31.12.2100."),
    ],
)
def test_a_samtale_date_out_of_range_or_garbled_gets_a_danish_message_on_the_field_and_saves_nothing(
    client, caseworker, overdue, field, value, message
):
    before = FollowUpMeeting.objects.filter(forloeb=overdue).count()
    response = login(client, caseworker).post(
        reverse("followup:followup_add", args=[overdue.pk]), samtale_data(caseworker, **{field: value})
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert message in response.content.decode()
    assert FollowUpMeeting.objects.filter(forloeb=overdue).count() == before


@pytest.mark.parametrize("compact", ["", "1"], ids=["opfoelgning-tab", "min-dag"])
def test_every_htmx_flag_form_answers_its_errors_with_422(client, caseworker, overdue, compact):
    """The htmx convention (cases.http.HTMX_FORM_ERROR, configured in templates/base.html):
    the partial is re-rendered with the Danish message and answered with 422."""
    flag = open_flag(overdue)
    response = login(client, caseworker).post(
        reverse("followup:flag_acknowledge", args=[flag.pk]),
        {"comment": "", "compact": compact, "next": reverse("followup:min_dag")},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == HTMX_FORM_ERROR == 422
    assert body.lstrip().startswith('<li class="flag') and f'id="flag-{flag.pk}"' in body and "<html" not in body
    assert "Skriv kort hvad der gøres ved det." in body and 'role="alert"' in body
    assert f'name="next" value="{reverse("followup:min_dag")}"' in body
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_the_commands_refuse_a_day_outside_the_date_range_with_a_danish_message(value):
    with pytest.raises(CommandError, match="Datoen skal ligge mellem 01.01.1900 og 31.12.2100"):
        call_command("evaluate_flags", "--dry-run", "--as-of", value)
