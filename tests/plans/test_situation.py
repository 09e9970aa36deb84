"""Borgerens situation: problem areas, progression per delmål (SVG + table), other cases,
consents and coordination notes, each added through its own small form."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessAction, AccessLog
from plans import selectors, services
from plans.models import Consent, CoordinationNote, OtherCase, ProblemArea, Progress
from tests.conftest import login
from tests.factories import BorgerFactory
from tests.plans.test_min_plan import STEP, complete_plan

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


def url(forloeb):
    return reverse("plans:situation", args=[forloeb.pk])


def post_url(name, forloeb):
    return reverse(f"plans:{name}", args=[forloeb.pk])


def iso(d):
    return d.isoformat()


def section(body: str, heading_id: str) -> str:
    start = body.index(f'id="{heading_id}"')
    end = body.find("<section", start)
    return body[start : end if end != -1 else len(body)]


@pytest.fixture
def planned(granted, caseworker):
    complete_plan(granted, caseworker)
    return granted


@pytest.fixture
def milestone(planned):
    return selectors.current_plan(forloeb=planned).milestones.get()


def record(forloeb, milestone, actor, scores):
    start = TODAY - dt.timedelta(days=7 * len(scores))
    for n, score in enumerate(scores):
        services.progress_record(
            milestone=milestone,
            recorded_on=start + dt.timedelta(days=7 * n),
            score=score,
            note=f"Måling {n + 1}",
            actor=actor,
        )


# --- The page ------------------------------------------------------------------------------------------


def test_the_page_has_every_section_and_unique_ids(client, caseworker, forloeb):
    response = login(client, caseworker).get(url(forloeb))
    body = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "Problemområder",
        "Progression",
        "Andre sager",
        "Samtykker",
        "Koordinering på tværs af forvaltninger",
    ):
        assert f">{heading}</h2>" in body
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for prefix in ("problem_", "consent_", "othercase_", "coordination_"):
        assert f'id="{prefix}' in body
    assert 'aria-current="page"' in body
    assert "no-store" in response["Cache-Control"]


def test_opening_the_page_is_logged(client, caseworker, forloeb):
    login(client, caseworker).get(url(forloeb))
    assert list(AccessLog.objects.values_list("user", "borger", "forloeb", "action")) == [
        (caseworker.pk, forloeb.borger_id, forloeb.pk, AccessAction.VIEW_FORLOEB)
    ]


# --- Problem areas -----------------------------------------------------------------------------------------


def test_a_problem_area_is_added_and_shown(client, caseworker, forloeb):
    login(client, caseworker)
    response = client.post(
        post_url("problem_area_add", forloeb),
        {"kind": "psykisk", "source": "borgerens_angivelse", "recorded_on": iso(YESTERDAY)},
    )
    assert response.status_code == 302 and response["Location"].startswith(url(forloeb))
    body = client.get(response["Location"]).content.decode()
    assert "Problemområdet er registreret." in body
    problems = section(body, "problem-heading")
    assert "Psykisk" in problems and "Borgerens angivelse" in problems
    assert ProblemArea.objects.get().recorded_on == YESTERDAY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "fysisk", "source": "dokumenteret", "recorded_on": iso(TOMORROW)},
            "Datoen kan ikke ligge i fremtiden.",
        ),
        (
            {"kind": "psykisk", "source": "dokumenteret", "recorded_on": iso(TODAY)},
            "Problemområdet er allerede registreret.",
        ),
        ({"kind": "", "source": "dokumenteret", "recorded_on": iso(TODAY)}, "Dette felt er påkrævet."),
    ],
)
def test_a_bad_problem_area_shows_why_and_changes_nothing(client, caseworker, forloeb, data, message):
    services.problem_area_add(
        forloeb=forloeb, kind="psykisk", source="dokumenteret", recorded_on=TODAY, actor=caseworker
    )
    response = login(client, caseworker).post(post_url("problem_area_add", forloeb), data)
    assert response.status_code == 400
    form = section(response.content.decode(), "problem-heading")
    assert message in form and "<details open>" in form
    assert ProblemArea.objects.count() == 1


# --- Progression ------------------------------------------------------------------------------------------


def test_without_a_plan_progression_says_it_needs_delmaal(client, caseworker, forloeb):
    body = login(client, caseworker).get(url(forloeb)).content.decode()
    assert "Progression måles på delmålene i indsatsplanen." in section(body, "progress-heading")
    assert 'id="progress_' not in body


def test_progress_is_recorded_and_shown_as_a_chart_and_a_table(client, caseworker, planned, milestone):
    login(client, caseworker)
    response = client.post(
        post_url("progress_record", planned),
        {"milestone": milestone.pk, "recorded_on": iso(YESTERDAY), "score": "3", "note": "Kom hver dag"},
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Progressionen er registreret." in body
    progress = section(body, "progress-heading")
    assert STEP in progress and "Kom hver dag" in progress and '<td class="score">3</td>' in progress
    assert Progress.objects.get().milestone_lineage == milestone.lineage


def test_the_chart_has_an_accessible_name_and_the_table_the_same_numbers(client, caseworker, planned, milestone):
    record(planned, milestone, caseworker, [1, 2, 2, 4, 5])
    body = login(client, caseworker).get(url(planned)).content.decode()
    svg = re.search(r"<svg[^>]*>.*?</svg>", body, re.S).group(0)
    opening = svg[: svg.index(">")]
    assert 'role="img"' in opening
    label = re.search(r'aria-label="([^"]+)"', opening).group(1)
    assert STEP in label.replace("&#x27;", "'") and "5 målinger" in label and "fra 1 til 5" in label
    assert re.search(r"<title>[^<]*5 målinger", svg)
    chart = [(d, int(s)) for s, d in re.findall(r'data-score="(\d)" data-date="([\d-]+)"', svg)]
    table = re.search(r'<table class="[^"]*progress-table">.*?</table>', body, re.S).group(0)
    rows = [(d, int(s)) for d, s in re.findall(r'<tr data-date="([\d-]+)">.*?<td class="score">(\d)</td>', table, re.S)]
    assert chart == rows and [s for _, s in rows] == [1, 2, 2, 4, 5]
    # Higher scores are drawn higher up (smaller y).
    ys = [float(y) for y in re.findall(r'<circle[^>]*cy="([\d.]+)"', svg)]
    assert ys[0] > ys[1] == ys[2] > ys[3] > ys[4]


def test_progression_follows_the_delmaal_through_a_revision(client, caseworker, planned, milestone):
    record(planned, milestone, caseworker, [2, 3])
    draft = services.plan_revise(forloeb=planned, reason="Opfølgning", actor=caseworker)
    services.plan_complete(plan=draft, completed_on=TODAY, actor=caseworker)
    body = login(client, caseworker).get(url(planned)).content.decode()
    assert len(re.findall(r'<td class="score">', section(body, "progress-heading"))) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"score": "6"}, "Scoren skal være mellem 1 og 5."),
        ({"score": "0"}, "Scoren skal være mellem 1 og 5."),
        ({"recorded_on": iso(TOMORROW)}, "Datoen kan ikke ligge i fremtiden."),
        ({"milestone": "draft"}, "Marker en gyldig valgmulighed."),
    ],
)
def test_bad_progress_shows_why_and_changes_nothing(client, caseworker, planned, milestone, change, message):
    data = {"milestone": milestone.pk, "recorded_on": iso(TODAY), "score": "3", "note": ""} | change
    if data["milestone"] == "draft":  # a delmål of a revision not yet completed
        draft = services.plan_revise(forloeb=planned, reason="Opfølgning", actor=caseworker)
        data["milestone"] = services.milestone_add(plan=draft, description="Nyt", target_date=None, actor=caseworker).pk
    response = login(client, caseworker).post(post_url("progress_record", planned), data)
    assert response.status_code == 400
    assert message in section(response.content.decode(), "progress-heading")
    assert not Progress.objects.exists()


def test_progress_without_a_plan_is_refused(client, caseworker, forloeb):
    response = login(client, caseworker).post(
        post_url("progress_record", forloeb), {"milestone": "1", "recorded_on": iso(TODAY), "score": "3"}
    )
    assert response.status_code == 302
    assert "Færdiggør indsatsplanen først." in client.get(response["Location"]).content.decode()
    assert not Progress.objects.exists()


def test_the_page_runs_a_fixed_number_of_queries(client, caseworker, planned, milestone, django_assert_max_num_queries):
    consent = services.consent_add(
        forloeb=planned,
        recipient="sundhedskoordinator",
        scope="Helbred",
        given_on=TODAY,
        expires_on=None,
        actor=caseworker,
    )
    services.other_case_add(
        forloeb=planned, kind="misbrug", source="Borgeren", note="", consent=consent, actor=caseworker
    )
    services.coordination_note_add(
        forloeb=planned,
        written_on=TODAY,
        forvaltning="social",
        note="Aftalt",
        actor=caseworker,
        intervention=planned.interventions.first(),
    )
    record(planned, milestone, caseworker, [2, 3])
    login(client, caseworker)
    with django_assert_max_num_queries(25) as few:
        client.get(url(planned))
    record(planned, milestone, caseworker, [1, 2, 3, 4, 5, 4, 3, 5])
    with django_assert_max_num_queries(25) as many:
        body = client.get(url(planned)).content.decode()
    assert body.count('<td class="score">') == 10
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Other cases --------------------------------------------------------------------------------------------


def test_another_case_is_added_with_a_consent_and_shown_prominently(client, caseworker, forloeb):
    consent = services.consent_add(
        forloeb=forloeb,
        recipient="anden_forvaltning",
        scope="Socialforvaltningen",
        given_on=TODAY,
        expires_on=None,
        actor=caseworker,
    )
    login(client, caseworker)
    response = client.post(
        post_url("other_case_add", forloeb),
        {"kind": "misbrug", "source": "Borgeren selv", "note": "Ambulant behandling", "consent": consent.pk},
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Den anden sag er registreret." in body
    callout = body[body.index("other-cases-callout") : body.index('id="problem-heading"')]
    assert "Misbrug" in callout and "Rehabiliteringsteamet kan invitere den relevante sektor" in callout
    cases = section(body, "other-cases-heading")
    assert "Borgeren selv" in cases and "Ambulant behandling" in cases and "Socialforvaltningen" in cases
    assert OtherCase.objects.get().consent == consent


def test_another_case_needs_a_source_and_the_borgers_own_valid_consent(client, caseworker, forloeb):
    strangers = Consent.objects.create(borger=BorgerFactory(), recipient="anden_forvaltning", scope="x", given_on=TODAY)
    withdrawn = Consent.objects.create(
        borger=forloeb.borger,
        forloeb=forloeb,
        recipient="anden_forvaltning",
        scope="y",
        given_on=YESTERDAY,
        withdrawn_on=TODAY,
    )
    login(client, caseworker)
    response = client.post(post_url("other_case_add", forloeb), {"kind": "bolig", "source": "  "})
    assert response.status_code == 400
    assert "Angiv hvor oplysningen kommer fra." in section(response.content.decode(), "other-cases-heading")
    for consent in (strangers, withdrawn):
        response = client.post(
            post_url("other_case_add", forloeb), {"kind": "bolig", "source": "Borgeren", "consent": consent.pk}
        )
        assert response.status_code == 400
        assert "Marker en gyldig valgmulighed." in section(response.content.decode(), "other-cases-heading")
    assert not OtherCase.objects.exists()


# --- Consents -------------------------------------------------------------------------------------------------


def test_a_consent_is_added_and_its_state_shown(client, caseworker, forloeb):
    Consent.objects.create(
        borger=forloeb.borger,
        forloeb=forloeb,
        recipient="praktiserende_laege",
        scope="Gammelt",
        given_on=TODAY - dt.timedelta(days=400),
        expires_on=TODAY - dt.timedelta(days=35),
    )
    login(client, caseworker)
    response = client.post(
        post_url("consent_add", forloeb),
        {
            "recipient": "sundhedskoordinator",
            "scope": "Helbredsoplysninger",
            "given_on": iso(YESTERDAY),
            "expires_on": iso(TODAY + dt.timedelta(days=365)),
        },
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Samtykket er registreret." in body
    consents = section(body, "consents-heading")
    assert "Helbredsoplysninger" in consents and "Gyldigt" in consents and "Udløbet" in consents
    assert consents.count("Træk tilbage<") == 2  # expired ones can still be withdrawn, withdrawn ones not


def test_a_consent_is_withdrawn_today(client, caseworker, forloeb):
    consent = services.consent_add(
        forloeb=forloeb,
        recipient="anden_forvaltning",
        scope="Alt",
        given_on=YESTERDAY,
        expires_on=None,
        actor=caseworker,
    )
    login(client, caseworker)
    response = client.post(reverse("plans:consent_withdraw", args=[consent.pk]), {"forloeb": forloeb.pk})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY and not consent.is_valid_on(TODAY)
    body = client.get(response["Location"]).content.decode()
    assert "Samtykket er trukket tilbage." in body
    consents = section(body, "consents-heading")
    assert "Trukket tilbage" in consents and "Træk tilbage<" not in consents
    # Withdrawing again keeps the first date.
    client.post(reverse("plans:consent_withdraw", args=[consent.pk]), {"forloeb": forloeb.pk})
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"given_on": iso(TOMORROW)}, "Datoen kan ikke ligge i fremtiden."),
        ({"expires_on": iso(YESTERDAY - dt.timedelta(days=1))}, "Samtykket skal udløbe efter den dag, det blev givet."),
        ({"expires_on": iso(YESTERDAY)}, "Samtykket skal udløbe efter den dag, det blev givet."),
        ({"scope": ""}, "Beskriv hvad samtykket omfatter."),
    ],
)
def test_a_bad_consent_shows_why_and_changes_nothing(client, caseworker, forloeb, data, message):
    base = {"recipient": "anden_forvaltning", "scope": "Alt", "given_on": iso(YESTERDAY), "expires_on": ""}
    response = login(client, caseworker).post(post_url("consent_add", forloeb), base | data)
    assert response.status_code == 400
    assert message in section(response.content.decode(), "consents-heading")
    assert not Consent.objects.exists()


def test_a_consent_of_another_borger_cannot_be_withdrawn_from_this_forloeb(client, caseworker, forloeb):
    other = Consent.objects.create(borger=BorgerFactory(), recipient="anden_forvaltning", scope="x", given_on=TODAY)
    login(client, caseworker)
    assert client.post(reverse("plans:consent_withdraw", args=[other.pk]), {"forloeb": forloeb.pk}).status_code == 404
    assert client.post(reverse("plans:consent_withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_on is None


# --- Coordination ---------------------------------------------------------------------------------------------


def test_a_coordination_note_is_added_and_shown(client, caseworker, planned):
    praktik = planned.interventions.get(category="virksomhedsrettet")
    login(client, caseworker)
    response = client.post(
        post_url("coordination_note_add", planned),
        {
            "written_on": iso(TODAY),
            "forvaltning": "social",
            "note": "Bostøtte aftalt med socialforvaltningen.",
            "intervention": praktik.pk,
        },
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Koordineringsnotatet er gemt." in body
    notes = section(body, "coordination-heading")
    assert "Bostøtte aftalt med socialforvaltningen." in notes and "Socialforvaltning" in notes
    assert "Virksomhedspraktik i kantine" in notes and "Karin Sørensen" in notes
    assert CoordinationNote.objects.get().intervention == praktik


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"written_on": iso(TOMORROW)}, "Datoen kan ikke ligge i fremtiden."),
        ({"note": ""}, "Skriv notatet."),
        ({"note": "   "}, "Skriv notatet."),
    ],
)
def test_a_bad_coordination_note_shows_why_and_changes_nothing(client, caseworker, forloeb, data, message):
    base = {"written_on": iso(TODAY), "forvaltning": "sundhed", "note": "Noget"}
    response = login(client, caseworker).post(post_url("coordination_note_add", forloeb), base | data)
    assert response.status_code == 400
    assert message in section(response.content.decode(), "coordination-heading")
    assert not CoordinationNote.objects.exists()


# --- Who may see and write --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["teammate", "team_leader"])
def test_the_forloebs_team_opens_the_page(client, who, request, granted):
    assert login(client, request.getfixturevalue(who)).get(url(granted)).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "rehab_member"])
def test_everyone_else_gets_404_for_reading_and_every_write(client, who, request, planned, milestone, caseworker):
    consent = services.consent_add(
        forloeb=planned, recipient="anden_forvaltning", scope="Alt", given_on=TODAY, expires_on=None, actor=caseworker
    )
    login(client, request.getfixturevalue(who))
    assert client.get(url(planned)).status_code == 404
    posts = {
        "problem_area_add": {"kind": "psykisk", "source": "dokumenteret", "recorded_on": iso(TODAY)},
        "progress_record": {"milestone": milestone.pk, "recorded_on": iso(TODAY), "score": "3"},
        "other_case_add": {"kind": "bolig", "source": "Borgeren"},
        "consent_add": {"recipient": "anden_forvaltning", "scope": "Alt", "given_on": iso(TODAY)},
        "coordination_note_add": {"written_on": iso(TODAY), "forvaltning": "social", "note": "x"},
    }
    for name, data in posts.items():
        assert client.post(post_url(name, planned), data).status_code == 404, name
    withdraw = reverse("plans:consent_withdraw", args=[consent.pk])
    assert client.post(withdraw, {"forloeb": planned.pk}).status_code == 404
    assert not ProblemArea.objects.exists() and not Progress.objects.exists() and not OtherCase.objects.exists()
    assert Consent.objects.get().withdrawn_on is None and Consent.objects.count() == 1
    assert not CoordinationNote.objects.exists()
    assert not AccessLog.objects.filter(user__username__in=["udenfor", "rehab"]).exists()
