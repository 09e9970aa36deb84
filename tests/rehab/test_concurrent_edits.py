"""Two people editing the same case data (cases.concurrency): a save from a page loaded before
someone else's save is refused with what they changed, the user's own text stays in the form,
and nothing is written; set-once facts are never overwritten or cleared by a second POST."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from cases import clock
from rehab import services
from rehab.models import HealthDocument, Ordning, PreparatoryPart, Recommendation
from tests.conftest import login
from tests.edit_forms import form_html, page_token, token_in
from tests.factories import AgendaItemFactory, HealthDocumentFactory, TeamMeetingFactory
from tests.rehab.conftest import send_to_team

STALE = "En anden har gemt ændringer, efter du åbnede siden."


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def colleague_client(teammate):
    """A second browser: the caseworker's colleague in the same team."""
    return login(Client(), teammate)


def test_a_stale_save_of_the_forberedende_del_is_refused_and_keeps_the_users_text(
    client, colleague_client, forloeb, caseworker
):
    address = reverse("rehab:preparatory_edit", args=[forloeb.pk])
    login(client, caseworker)
    mine = page_token(client, address, address)  # both open the (not yet saved) forberedende del
    theirs = page_token(colleague_client, address, address)

    first = colleague_client.post(address, {"wishes": "Vil gerne være buschauffør.", "edit_token": theirs})
    assert first.status_code == 302

    response = client.post(
        address,
        {"wishes": "Vil gerne arbejde i en butik.", "borger_perspective": "Jeg er klar.", "edit_token": mine},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert STALE in body
    assert "Ønsker, erfaring og ressourcer i forhold til job og uddannelse: Vil gerne være buschauffør." in body
    assert "Vil gerne arbejde i en butik.</textarea>" in body and "Jeg er klar.</textarea>" in body
    part = PreparatoryPart.objects.get(forloeb=forloeb)
    assert (part.wishes, part.borger_perspective) == ("Vil gerne være buschauffør.", "")

    # Having read what the colleague saved, the user saves again from the re-rendered form.
    again = token_in(form_html(body, address))
    assert again and again != mine
    response = client.post(
        address, {"wishes": "Butik eller buschauffør.", "borger_perspective": "Jeg er klar.", "edit_token": again}
    )
    assert response.status_code == 302
    part.refresh_from_db()
    assert (part.wishes, part.borger_perspective) == ("Butik eller buschauffør.", "Jeg er klar.")


def test_a_save_without_the_pages_token_is_refused_and_saves_nothing(client, forloeb, caseworker):
    address = reverse("rehab:preparatory_edit", args=[forloeb.pk])
    for token in ({}, {"edit_token": "forfalsket"}):
        response = login(client, caseworker).post(address, {"wishes": "Noget", **token})
        assert response.status_code == 400
        assert "Formularen kunne ikke kontrolleres. Genindlæs siden, og prøv igen." in response.content.decode()
    assert not PreparatoryPart.objects.exists()


@pytest.fixture
def recommendation(ready_forloeb, caseworker, rehab_team):
    """An indstilling given three days ago at the team meeting five days ago."""
    forloeb = send_to_team(ready_forloeb, caseworker)
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=clock.now() - dt.timedelta(days=5))
    item = AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=dt.time(9, 0))
    return services.recommendation_record(
        forloeb=forloeb,
        agenda_item=item,
        given_on=clock.today() - dt.timedelta(days=3),
        ordning=Ordning.RESSOURCEFORLOEB,
        duration_years=2,
        hensyn=[],
        borger_perspective="",
        goals=[],
        interventions=[],
        actor=caseworker,
    )


def test_a_second_post_to_indstilling_sendt_never_clears_or_changes_a_date(
    client, colleague_client, recommendation, caseworker
):
    address = reverse("rehab:recommendation_sent", args=[recommendation.pk])
    sent, sent_gp = clock.today() - dt.timedelta(days=2), clock.today() - dt.timedelta(days=1)
    login(client, caseworker).post(address, {"sent_to_borger_on": sent.isoformat(), "sent_to_gp_on": ""})
    # The colleague's page still showed both dates empty: they register the letter to the GP.
    colleague_client.post(address, {"sent_to_borger_on": "", "sent_to_gp_on": sent_gp.isoformat()})
    recommendation.refresh_from_db()
    assert (recommendation.sent_to_borger_on, recommendation.sent_to_gp_on) == (sent, sent_gp)

    response = client.post(address, {"sent_to_borger_on": clock.today().isoformat(), "sent_to_gp_on": ""})
    assert any("Sendt til borgeren er allerede registreret" in m for m in messages_of(response))
    recommendation.refresh_from_db()
    assert (recommendation.sent_to_borger_on, recommendation.sent_to_gp_on) == (sent, sent_gp)
    assert Recommendation.objects.count() == 1


def test_a_health_document_received_twice_keeps_the_first_registration(client, colleague_client, forloeb, caseworker):
    doc = HealthDocumentFactory(forloeb=forloeb, received_on=None, summary="")
    address = reverse("rehab:health_received", args=[forloeb.pk, doc.pk])
    first = clock.today() - dt.timedelta(days=1)
    colleague_client.post(address, {"received_on": first.isoformat(), "summary": "Kan arbejde 4 timer."})
    response = login(client, caseworker).post(address, {"received_on": clock.today().isoformat(), "summary": "Andet"})
    assert response.status_code == 400
    assert "Modtaget er allerede registreret" in response.content.decode()
    doc = HealthDocument.objects.get(pk=doc.pk)
    assert (doc.received_on, doc.summary) == (first, "Kan arbejde 4 timer.")


def test_a_stale_attendance_form_is_refused_with_what_was_recorded(
    client, colleague_client, rehab_team, forloeb, caseworker
):
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=clock.now() - dt.timedelta(days=1))
    item = AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=dt.time(9, 0))
    page = reverse("rehab:meeting_detail", args=[meeting.pk])
    address = reverse("rehab:attendance", args=[item.pk])
    login(client, caseworker)
    mine = page_token(client, page, address)
    theirs = page_token(colleague_client, page, address)
    colleague_client.post(address, {"borger_present": "ja", "edit_token": theirs})

    response = client.post(address, {"borger_present": "nej", "edit_token": mine})
    assert STALE in " ".join(messages_of(response))
    assert "Borgeren deltog: Ja" in messages_of(response)
    item.refresh_from_db()
    assert item.borger_present is True
    assert re.search(r'value="ja"[^>]*checked', client.get(page).content.decode())
