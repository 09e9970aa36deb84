"""Forberedende del, goals and health documents: what must be there before the team meeting."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Forloeb, Phase, PhaseTransition
from rehab.models import DocumentKind, Goal, GoalKind, HealthDocument, PreparatoryPart
from tests.conftest import login
from tests.edit_forms import post_edit
from tests.factories import COMPLETE_PREPARATORY, HealthDocumentFactory, OccupationFactory, PreparatoryPartFactory
from tests.rehab.conftest import make_ready_for_team

TODAY = timezone.localdate()


def save_preparatory(client, forloeb, data, **kwargs):
    """Save the forberedende del from its page, with the edit token the page gave."""
    address = reverse("rehab:preparatory_edit", args=[forloeb.pk])
    return post_edit(client, address, address, data, **kwargs)


def rehab_url(f):
    return reverse("rehab:forloeb_rehab", args=[f.pk])


def send(client, forloeb):
    return client.post(
        reverse("cases:forloeb_transition", args=[forloeb.pk, "to_rehab_team"]),
        {"expected_phase": Phase.FORBEREDENDE_DEL},
    )


# --- Writing the forberedende del ----------------------------------------------------------


def test_a_caseworker_writes_the_forberedende_del_in_sections_and_sees_what_is_missing(client, forloeb, caseworker):
    login(client, caseworker)
    response = save_preparatory(
        client,
        forloeb,
        {"work_started_on": TODAY.isoformat(), "wishes": "Vil gerne arbejde i en butik.", "borger_wish": "fleksjob"},
        follow=True,
    )
    assert "Den forberedende del er gemt." in response.content.decode()
    part = PreparatoryPart.objects.get(forloeb=forloeb)
    assert (part.wishes, part.borger_wish) == ("Vil gerne arbejde i en butik.", "fleksjob")

    page = client.get(rehab_url(forloeb)).content.decode()
    assert '<li class="">Borgerens perspektiv, med borgerens egne ord' in page
    assert '<li class="done">Ønsker, erfaring og ressourcer' in page


def test_an_incomplete_forberedende_del_keeps_the_case_from_the_team_with_a_clear_message(client, forloeb, caseworker):
    PreparatoryPartFactory(forloeb=forloeb, borger_perspective="", signed_by_borger_on=None)
    HealthDocumentFactory(forloeb=forloeb)
    login(client, caseworker)

    detail = client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    assert "Den forberedende del er ikke udfyldt." in detail

    response = send(client, forloeb)
    assert response.status_code == 400
    assert "Den forberedende del er ikke udfyldt." in response.content.decode()
    assert Forloeb.objects.get(pk=forloeb.pk).phase == Phase.FORBEREDENDE_DEL


def test_without_a_goal_the_forberedende_del_is_not_complete(client, forloeb, caseworker):
    PreparatoryPartFactory(forloeb=forloeb)
    HealthDocumentFactory(forloeb=forloeb)
    response = send(login(client, caseworker), forloeb)
    assert "Den forberedende del er ikke udfyldt." in response.content.decode()


def test_a_complete_forberedende_del_with_le265_lets_the_case_go_to_the_team(client, ready_forloeb, caseworker):
    response = send(login(client, caseworker), ready_forloeb)
    assert response.status_code == 302
    assert PhaseTransition.objects.get(forloeb=ready_forloeb).to_phase == Phase.REHABILITERINGSTEAM


def test_without_le265_the_case_cannot_go_to_the_team(client, forloeb, caseworker):
    make_ready_for_team(forloeb, caseworker)
    HealthDocument.objects.filter(forloeb=forloeb).update(received_on=None)
    response = send(login(client, caseworker), forloeb)
    assert "Der mangler en modtaget LÆ 265" in response.content.decode()
    assert Forloeb.objects.get(pk=forloeb.pk).phase == Phase.FORBEREDENDE_DEL


@pytest.mark.parametrize(("age_days", "allowed"), [(60, True), (182, True), (200, False)])
def test_a_le145_replaces_le265_only_when_under_six_months_old(client, forloeb, caseworker, age_days, allowed):
    make_ready_for_team(forloeb, caseworker)
    HealthDocument.objects.filter(forloeb=forloeb).update(
        form="LÆ145",
        requested_on=TODAY - dt.timedelta(days=age_days + 5),
        received_on=TODAY - dt.timedelta(days=age_days),
    )
    send(login(client, caseworker), forloeb)
    expected = Phase.REHABILITERINGSTEAM if allowed else Phase.FORBEREDENDE_DEL
    assert Forloeb.objects.get(pk=forloeb.pk).phase == expected


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"work_started_on": (TODAY + dt.timedelta(days=2)).isoformat()}, "Datoen kan ikke ligge i fremtiden."),
        (
            {"work_started_on": TODAY.isoformat(), "signed_by_borger_on": (TODAY - dt.timedelta(days=3)).isoformat()},
            "Borgeren kan ikke have underskrevet, før arbejdet blev påbegyndt.",
        ),
        ({"signed_by_borger_on": "30-02-2026"}, "Indtast en gyldig dato."),
        ({"previous_benefit": "lottogevinst"}, "Marker en gyldig valgmulighed."),
    ],
)
def test_bad_input_in_the_forberedende_del_is_refused_and_saves_nothing(
    client, forloeb, caseworker, data, field_message
):
    response = save_preparatory(login(client, caseworker), forloeb, data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not PreparatoryPart.objects.exists()


def test_the_forberedende_del_is_locked_once_the_indstilling_is_given(client, team, caseworker):
    from tests.factories import ForloebFactory

    forloeb = ForloebFactory(team=team, phase=Phase.INDSTILLING)
    response = save_preparatory(login(client, caseworker), forloeb, {"wishes": "Ændret efter mødet"})
    assert response.status_code == 400
    assert "kan kun ændres, indtil rehabiliteringsteamet har givet sin indstilling" in response.content.decode()
    assert not PreparatoryPart.objects.exists()


# --- Goals: concreteness is computed from the structure ------------------------------------


@pytest.mark.parametrize(
    ("kind", "occupation", "education", "concrete"),
    [
        (GoalKind.JOB, True, "", True),
        (GoalKind.JOB, False, "", False),
        (GoalKind.EDUCATION, False, "Social- og sundhedshjælperuddannelsen", True),
        (GoalKind.EDUCATION, False, "", False),
    ],
)
def test_a_goal_is_concrete_only_when_it_names_an_occupation_or_an_education(
    client, forloeb, caseworker, kind, occupation, education, concrete
):
    PreparatoryPartFactory(forloeb=forloeb)
    login(client, caseworker).post(
        reverse("rehab:goal_add", args=[forloeb.pk]),
        {
            "kind": kind,
            "description": "At komme i job" if not concrete else "Et bestemt mål",
            "occupation": OccupationFactory().pk if occupation else "",
            "education": education,
            "set_with_borger": "on",
        },
    )
    goal = Goal.objects.get(forloeb=forloeb)
    assert goal.is_concrete is concrete
    page = client.get(rehab_url(forloeb)).content.decode()
    assert ("Konkret</span>" in page) is concrete and ("Ikke konkret</span>" in page) is not concrete


def test_the_caseworker_cannot_declare_a_goal_concrete(client, forloeb, caseworker):
    PreparatoryPartFactory(forloeb=forloeb)
    login(client, caseworker).post(
        reverse("rehab:goal_add", args=[forloeb.pk]),
        {"kind": GoalKind.JOB, "description": "At komme i job", "is_concrete": "on"},
    )
    assert Goal.objects.get(forloeb=forloeb).is_concrete is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": GoalKind.JOB, "description": "Job", "education": "Tømreruddannelsen"},
            "Et jobmål har ingen uddannelse",
        ),
        (
            {"kind": GoalKind.EDUCATION, "description": "Udd.", "occupation": "OCC"},
            "Et uddannelsesmål har ingen stilling",
        ),
        ({"kind": GoalKind.JOB, "description": ""}, "Dette felt er påkrævet."),
        ({"kind": "drøm", "description": "x"}, "Marker en gyldig valgmulighed."),
    ],
)
def test_a_malformed_goal_is_refused_with_a_danish_message(client, forloeb, caseworker, data, message):
    PreparatoryPartFactory(forloeb=forloeb)
    if data.get("occupation") == "OCC":
        data = {**data, "occupation": OccupationFactory().pk}
    response = login(client, caseworker).post(reverse("rehab:goal_add", args=[forloeb.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Goal.objects.exists()


def test_goals_are_kept_per_document(forloeb, caseworker):
    part = make_ready_for_team(forloeb, caseworker)
    assert list(Goal.objects.filter(forloeb=forloeb).values_list("document_kind", flat=True)) == [
        DocumentKind.FORBEREDENDE_DEL
    ]
    assert part.goals.count() == 1


# --- Health documents ------------------------------------------------------------------------


def post_health(client, forloeb, **data):
    base = {"form": "LÆ265", "author_role": "praktiserende_laege", "phase": "foer", "requested_on": TODAY.isoformat()}
    return client.post(reverse("rehab:health_add", args=[forloeb.pk]), {**base, **data})


def test_a_le261_request_and_its_le265_answer_are_recorded(client, forloeb, caseworker):
    login(client, caseworker)
    post_health(client, forloeb, form="LÆ261", author_role="kommune", focus_question="Kan borgeren arbejde stående?")
    post_health(client, forloeb)
    doc = HealthDocument.objects.get(form="LÆ265")
    response = client.post(
        reverse("rehab:health_received", args=[forloeb.pk, doc.pk]),
        {"received_on": TODAY.isoformat(), "summary": "Kan arbejde 4 timer dagligt."},
        follow=True,
    )
    assert "Dokumentet er registreret som modtaget." in response.content.decode()
    assert list(HealthDocument.objects.order_by("form").values_list("form", "received_on")) == [
        ("LÆ261", None),
        ("LÆ265", TODAY),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"form": "LÆ155", "author_role": "kommunal_laegekonsulent"},
            "En kommunal lægekonsulent må ikke udarbejde lægeattester",
        ),
        (
            {"form": "LÆ265", "author_role": "kommunal_laegekonsulent"},
            "En kommunal lægekonsulent må ikke udarbejde lægeattester",
        ),
        ({"form": "LÆ265", "author_role": "speciallaege"}, "udarbejdes af: Praktiserende læge"),
        ({"form": "LÆ275", "author_role": "praktiserende_laege"}, "udarbejdes af: Klinisk funktion"),
        ({"form": "LÆ261", "author_role": "kommune", "focus_question": ""}, "konkret fokusspørgsmål"),
        (
            {"received_on": (TODAY - dt.timedelta(days=5)).isoformat()},
            "kan ikke være modtaget, før det blev rekvireret",
        ),
        ({"requested_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "Datoen kan ikke ligge i fremtiden."),
        ({"requested_on": ""}, "Angiv hvornår dokumentet blev rekvireret eller modtaget."),
    ],
)
def test_a_health_document_that_breaks_the_rules_is_refused(client, forloeb, caseworker, data, message):
    response = post_health(login(client, caseworker), forloeb, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not HealthDocument.objects.exists()


def test_advice_from_the_sundhedskoordinator_is_recorded_before_or_after_the_meeting(client, forloeb, caseworker):
    login(client, caseworker)
    post_health(
        client,
        forloeb,
        form="raadgivning",
        author_role="sundhedskoordinator",
        phase="efter",
        received_on=TODAY.isoformat(),
        purpose="overvejelse om genforelæggelse",
    )
    doc = HealthDocument.objects.get()
    assert (doc.form, doc.phase, doc.purpose) == ("raadgivning", "efter", "overvejelse om genforelæggelse")


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "rehab_member"])
def test_people_outside_the_team_cannot_open_or_change_the_forberedende_del(client, forloeb, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(rehab_url(forloeb)).status_code == 404
    assert client.post(reverse("rehab:preparatory_edit", args=[forloeb.pk]), COMPLETE_PREPARATORY).status_code == 404
    assert not PreparatoryPart.objects.exists()


def test_the_rehab_page_runs_a_fixed_number_of_queries(
    client, caseworker, ready_forloeb, django_assert_max_num_queries
):
    login(client, caseworker)
    with django_assert_max_num_queries(40) as few:
        client.get(rehab_url(ready_forloeb))
    for _ in range(5):
        HealthDocumentFactory(forloeb=ready_forloeb, form="LÆ155", author_role="speciallaege")
    with django_assert_max_num_queries(40) as many:
        client.get(rehab_url(ready_forloeb))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_le261_is_shown_as_a_sent_request_not_as_a_missing_document(client, forloeb, caseworker):
    HealthDocumentFactory(
        forloeb=forloeb, form="LÆ261", author_role="kommune", received_on=None, focus_question="Kan hun løfte?"
    )
    page = login(client, caseworker).get(rehab_url(forloeb)).content.decode()
    assert "anmodning (sendt)" in page and "Registrér modtaget" not in page
