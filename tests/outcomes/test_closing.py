"""Closing a forløb says why it ended early (BEU 244 question 10): the reason from a controlled list
is required when the forløb closes before its planned end date and refused when it does not; a
reason missing afterwards can be recorded on the Resultat page."""

import datetime as dt

import pytest
from django.urls import reverse

from cases import clock, services
from cases.models import EarlyEndReason, Forloeb, Outcome, Phase
from cases.services import TransitionError
from tests.conftest import login
from tests.edit_forms import post_edit

pytestmark = pytest.mark.django_db
TODAY = clock.today()
REQUIRED = "Forløbet slutter før den planlagte slutdato"


def close(forloeb, actor, **extra):
    data = {"outcome": Outcome.KONTANTHJAELP, "closed_on": TODAY, **extra}
    return services.forloeb_transition(
        forloeb_id=forloeb.pk, transition="close", actor=actor, expected_phase=forloeb.phase, **data
    )


def close_url(forloeb):
    return reverse("cases:forloeb_transition", args=[forloeb.pk, "close"])


def test_closing_early_without_a_reason_is_refused_with_the_message_on_the_field(client, running_forloeb, caseworker):
    response = login(client, caseworker).post(
        close_url(running_forloeb),
        {"expected_phase": running_forloeb.phase, "outcome": "kontanthjaelp", "closed_on": TODAY.isoformat()},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_close_early_end_reason_error"' in body and REQUIRED in body
    running_forloeb.refresh_from_db()
    assert (running_forloeb.phase, running_forloeb.closed_on) == (Phase.IVAERKSAETTELSE, None)


def test_closing_early_with_a_reason_stores_it(client, running_forloeb, caseworker):
    response = login(client, caseworker).post(
        close_url(running_forloeb),
        {
            "expected_phase": running_forloeb.phase,
            "outcome": "kontanthjaelp",
            "closed_on": TODAY.isoformat(),
            "early_end_reason": EarlyEndReason.NO_PARTICIPATION,
        },
    )
    assert response.status_code == 302
    running_forloeb.refresh_from_db()
    assert (running_forloeb.phase, running_forloeb.early_end_reason) == (Phase.AFSLUTTET, "manglende_medvirken")


def test_the_close_step_asks_for_the_reason_and_says_when_it_is_required(client, running_forloeb, caseworker):
    from cases import dates

    body = login(client, caseworker).get(reverse("cases:forloeb_detail", args=[running_forloeb.pk])).content.decode()
    assert 'name="early_end_reason"' in body
    assert "Skal udfyldes, når forløbet afsluttes før den planlagte slutdato, " in body
    assert dates.text(running_forloeb.planned_end_date) in body


def test_a_forloeb_never_granted_is_closed_without_being_asked(client, forloeb, caseworker):
    body = login(client, caseworker).get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    assert 'name="early_end_reason"' not in body
    assert close(forloeb, caseworker).early_end_reason == ""


def test_closing_on_or_after_the_planned_end_needs_no_reason(running_forloeb, caseworker):
    Forloeb.objects.filter(pk=running_forloeb.pk).update(planned_end_date=TODAY)
    running_forloeb.refresh_from_db()
    closed = close(running_forloeb, caseworker, early_end_reason="")
    assert (closed.phase, closed.early_end_reason) == (Phase.AFSLUTTET, "")


def test_a_reason_for_a_forloeb_that_did_not_end_early_is_refused(running_forloeb, caseworker):
    Forloeb.objects.filter(pk=running_forloeb.pk).update(planned_end_date=TODAY - dt.timedelta(days=1))
    running_forloeb.refresh_from_db()
    with pytest.raises(TransitionError) as excinfo:
        close(running_forloeb, caseworker, early_end_reason=EarlyEndReason.HEALTH)
    assert "slutter ikke før den planlagte slutdato" in excinfo.value.field_errors["early_end_reason"]


def test_a_reason_outside_the_list_is_refused(running_forloeb, caseworker):
    with pytest.raises(TransitionError) as excinfo:
        close(running_forloeb, caseworker, early_end_reason="keder_sig")
    assert excinfo.value.field_errors["early_end_reason"] == "Vælg en af årsagerne."


def test_an_afgoerelse_that_closes_the_forloeb_early_gives_the_reason_its_ordning_says(running_forloeb, caseworker):
    """A caller that asks no person (rehab's afgørelse) passes no reason: fleksjob says it."""
    closed = close(running_forloeb, caseworker, outcome=Outcome.FLEKSJOB)
    assert closed.early_end_reason == EarlyEndReason.FLEKSJOB
    assert Forloeb.objects.get(pk=running_forloeb.pk).early_end_reason == "fleksjob"


def test_a_missing_reason_is_recorded_on_the_resultat_page(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=5)  # a year before its planned end, no reason recorded
    page = reverse("outcomes:forloeb_result", args=[forloeb.pk])
    login(client, caseworker)
    assert "Årsagen mangler" in client.get(page).content.decode()

    response = post_edit(
        client,
        page,
        reverse("outcomes:early_end_reason", args=[forloeb.pk]),
        {"early_end_reason": EarlyEndReason.HEALTH},
    )

    assert response.status_code == 302
    assert Forloeb.objects.get(pk=forloeb.pk).early_end_reason == "helbred"


def test_the_reason_of_an_early_end_cannot_be_removed_on_the_resultat_page(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=5, early_end_reason=EarlyEndReason.MOVED)
    page = reverse("outcomes:forloeb_result", args=[forloeb.pk])
    response = post_edit(
        login(client, caseworker),
        page,
        reverse("outcomes:early_end_reason", args=[forloeb.pk]),
        {"early_end_reason": ""},
    )
    assert response.status_code == 400
    assert REQUIRED in response.content.decode()
    assert Forloeb.objects.get(pk=forloeb.pk).early_end_reason == "flytning"
