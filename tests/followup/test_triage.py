"""Min dag as a triage list: one row per forløb that needs something, the most urgent first (what
the law requires, then the kommune's service standard, then good practice, then what is only
scheduled), one rule's flags on several subjects as one line, and good-practice flags put off
until a later day (`followup.services.flag_snooze`) with the snooze in the flag's history."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import clock
from followup import selectors, services
from followup.models import FlagSnooze
from tests.conftest import login
from tests.factories import BorgerFactory, FlagFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def running(make_forloeb, last_name, *, end_in_days=400):
    return make_forloeb(
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=end_in_days),
        borger=BorgerFactory(last_name=last_name),
    )


def flag(forloeb, rule_id, *, subject="", days_open=0):
    basis_kind = "lov" if rule_id in ("KS_NOT_IN_PLAN", "OVER40_NO_CONSENT") else "servicestandard"
    return FlagFactory(
        forloeb=forloeb,
        rule_id=rule_id,
        basis_kind=basis_kind,
        subject=subject,
        raised_on=TODAY - dt.timedelta(days=days_open),
    )


def test_law_comes_before_the_standard_before_good_practice_before_what_is_only_scheduled(
    make_forloeb, samtale, caseworker
):
    good = running(make_forloeb, "Andersen")
    samtale(good, TODAY - dt.timedelta(days=10))  # next samtale in seven weeks: nothing overdue
    flag(good, "NO_CONCRETE_GOAL", subject="indsatsplan", days_open=300)
    standard = running(make_forloeb, "Berg")
    samtale(standard, TODAY - dt.timedelta(days=10))
    flag(standard, "NO_INDSATSPLAN", days_open=5)
    flag(standard, "NO_NEXT_SAMTALE", days_open=50)
    law = running(make_forloeb, "Carlsen")
    samtale(law, TODAY - dt.timedelta(days=10))
    flag(law, "KS_NOT_IN_PLAN", days_open=2)
    flag(law, "NO_CONCRETE_GOAL", subject="indstilling", days_open=2)
    scheduled = running(make_forloeb, "Dahl", end_in_days=30)
    samtale(scheduled, TODAY - dt.timedelta(days=10))
    overdue = running(make_forloeb, "Eriksen")
    samtale(overdue, TODAY - dt.timedelta(days=30), next_on=TODAY - dt.timedelta(days=9))  # agreed: law
    flag(overdue, "AGREED_SAMTALE_OVERDUE", days_open=9)  # said by the overdue samtale's line

    work = selectors.worklist(coordinator=caseworker, today=TODAY)

    # Law: the overdue samtale (9 days) before the flag 2 days old; then the standard; then the
    # forløb with good practice beside something else; what is only scheduled; good practice alone apart.
    assert [row.forloeb for row in work.rows] == [overdue, law, standard, scheduled]
    assert [row.forloeb for row in work.good_practice_rows] == [good]
    top = work.rows[0].top
    assert (top.kind, top.tier, top.days_overdue) == ("samtale_overdue", 1, 9)
    assert top.action[0] == "Registrér samtale"
    assert top.action[1] == reverse("followup:followup_add", args=[overdue.pk])
    assert [v.flag.rule_id for v in top.flags] == ["AGREED_SAMTALE_OVERDUE"] and len(work.rows[0].items) == 1
    assert [item.tier for item in work.rows[1].items] == [1, 3]
    assert work.rows[2].top.text.startswith("Ingen færdig indsatsplan") and work.rows[2].top.tier == 2
    assert work.rows[3].top.kind == "ending"
    counts = {c.key: (c.count, c.anchor) for c in work.counts}
    assert counts["lovkrav"] == (2, f"forloeb-{overdue.pk}")
    assert counts["servicestandard"] == (1, f"forloeb-{standard.pk}")
    assert counts["god-praksis"][0] == 3
    assert counts["slutter"] == (1, f"forloeb-{scheduled.pk}")


def test_one_rule_on_several_subjects_is_one_line(make_forloeb, samtale, caseworker):
    f = running(make_forloeb, "Frandsen")
    samtale(f, TODAY - dt.timedelta(days=10))
    for subject in ("forberedende_del", "indstilling", "indsatsplan"):
        flag(f, "NO_CONCRETE_GOAL", subject=subject)

    (row,) = selectors.worklist(coordinator=caseworker, today=TODAY).good_practice_rows
    (line,) = row.items
    assert line.text == (
        "Intet konkret job- eller uddannelsesmål: forberedende del, indstilling og indsatsplan og Min Plan"
    )
    assert len(line.flags) == 3 and row.flag_count == 3


def test_the_page_shows_the_triage_list_to_the_caseworker_and_to_the_team_leader(
    client, make_forloeb, samtale, caseworker, team_leader
):
    f = running(make_forloeb, "Gregersen")
    samtale(f, TODAY - dt.timedelta(days=30), next_on=TODAY - dt.timedelta(days=9))
    flag(f, "NO_CONCRETE_GOAL", subject="indstilling")
    flag(f, "NO_CONCRETE_GOAL", subject="indsatsplan")

    for user, query in ((caseworker, ""), (team_leader, f"?sagsbehandler={caseworker.pk}")):
        body = login(client, user).get(reverse("followup:min_dag") + query).content.decode()
        assert f'id="forloeb-{f.pk}"' in body
        assert f'aria-label="Registrér samtale: {f.borger.full_name}"' in body
        assert "Intet konkret job- eller uddannelsesmål: indstilling og indsatsplan og Min Plan" in body
        assert 'href="#forloeb-' in body and "Lovkrav overskredet" in body


def test_snoozing_a_good_practice_flag_hides_it_until_the_day_and_keeps_it_in_the_history(
    client, make_forloeb, samtale, caseworker
):
    f = running(make_forloeb, "Hansen")
    samtale(f, TODAY - dt.timedelta(days=10))
    goal = flag(f, "NO_CONCRETE_GOAL", subject="indsatsplan")
    until = TODAY + dt.timedelta(days=30)

    snooze = services.flag_snooze(flag=goal, until=until, reason=" Afventer lægeerklæring ", actor=caseworker)

    assert (snooze.until, snooze.reason, snooze.snoozed_by) == (until, "Afventer lægeerklæring", caseworker)
    goal.refresh_from_db()
    assert goal.is_open  # a snooze never closes the flag
    work = selectors.worklist(coordinator=caseworker, today=TODAY)
    assert work.good_practice_rows == [] and [v.flag for v in work.snoozed] == [goal]
    assert {c.key: c.count for c in work.counts}["udsat"] == 1
    later = selectors.worklist(coordinator=caseworker, today=until)  # the day it runs to: back on the list
    assert [row.forloeb for row in later.good_practice_rows] == [f] and later.snoozed == []

    body = login(client, caseworker).get(reverse("followup:forloeb", args=[f.pk])).content.decode()
    assert "Udsat til " in body and "af Karin Sørensen: Afventer lægeerklæring" in body


@pytest.mark.parametrize(
    ("until_days", "reason", "field", "message"),
    [
        (0, "Afventer", "until", "Vælg en dag efter i dag."),
        (-3, "Afventer", "until", "Vælg en dag efter i dag."),
        (181, "Afventer", "until", "Højst 180 dage frem"),
        (30, "   ", "reason", "Skriv kort hvorfor advarslen udsættes."),
    ],
)
def test_a_snooze_needs_a_day_within_180_days_and_a_reason(
    make_forloeb, caseworker, until_days, reason, field, message
):
    f = running(make_forloeb, "Iversen")
    goal = flag(f, "NO_NEXT_SAMTALE")
    with pytest.raises(ValidationError) as exc:
        services.flag_snooze(flag=goal, until=TODAY + dt.timedelta(days=until_days), reason=reason, actor=caseworker)
    assert message in " ".join(exc.value.message_dict[field])
    assert not FlagSnooze.objects.exists()
    services.flag_snooze(flag=goal, until=TODAY + dt.timedelta(days=180), reason="Ok", actor=caseworker)


def test_only_an_open_good_practice_flag_can_be_snoozed(make_forloeb, caseworker):
    f = running(make_forloeb, "Jensen")
    until = TODAY + dt.timedelta(days=10)
    for rule_id in ("KS_NOT_IN_PLAN", "STD_SAMTALE_OVERDUE", "NO_INDSATSPLAN"):
        with pytest.raises(ValidationError, match="Kun en advarsel om god praksis"):
            services.flag_snooze(flag=flag(f, rule_id), until=until, reason="x", actor=caseworker)
    resolved = flag(f, "NO_NEXT_SAMTALE")
    type(resolved).objects.filter(pk=resolved.pk).update(resolved_at=clock.now(), resolved_on=TODAY)
    with pytest.raises(ValidationError, match="allerede løst"):
        services.flag_snooze(flag=resolved, until=until, reason="x", actor=caseworker)
    assert not FlagSnooze.objects.exists()


def test_the_view_snoozes_for_the_caseworker_and_the_team_leader_and_answers_htmx_errors_with_422(
    client, make_forloeb, caseworker, team_leader, outsider
):
    f = running(make_forloeb, "Kristensen")
    goal = flag(f, "NO_NEXT_SAMTALE")
    address = reverse("followup:flag_snooze", args=[goal.pk])
    until = (TODAY + dt.timedelta(days=14)).isoformat()

    assert login(client, outsider).post(address, {"until": until, "reason": "x"}).status_code == 404
    answer = login(client, caseworker).post(address, {"until": until, "reason": ""}, headers={"HX-Request": "true"})
    assert answer.status_code == 422 and "Skriv kort hvorfor advarslen udsættes." in answer.content.decode()
    assert not FlagSnooze.objects.exists()
    answer = client.post(address, {"until": until, "reason": "Venter på svar"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "udsat til" in answer.content.decode()
    answer = login(client, team_leader).post(address, {"until": until, "reason": "Leder: vent", "next": "/min-dag/"})
    assert answer.status_code == 302 and answer["Location"] == "/min-dag/"
    assert [s.snoozed_by for s in FlagSnooze.objects.order_by("id")] == [caseworker, team_leader]


def test_min_dag_fetches_a_flags_forms_only_when_the_user_opens_them(client, make_forloeb, caseworker, outsider):
    """Rendering a kvittér and an udsæt form for every open flag made Min dag the costliest page:
    the rows carry two htmx links, and `flag_row` answers with the row and the form asked for."""
    f = running(make_forloeb, "Kristensen")
    goal = flag(f, "NO_NEXT_SAMTALE")
    page = login(client, caseworker).get(reverse("followup:min_dag")).content.decode()
    row_url = reverse("followup:flag_row", args=[goal.pk])
    assert f"{row_url}?aabn=kvitter" in page and f"{row_url}?aabn=udsaet" in page
    assert 'name="comment"' not in page and 'name="reason"' not in page

    answer = client.get(row_url, {"aabn": "udsaet", "next": "/min-dag/"}, headers={"HX-Request": "true"})
    body = answer.content.decode()
    assert answer.status_code == 200 and f'id="flag-{goal.pk}"' in body
    assert 'name="reason"' in body and 'name="comment"' in body and 'value="/min-dag/"' in body
    assert re.search(r"<details open><summary>Udsæt", body)  # the form asked for is open
    assert login(client, outsider).get(row_url).status_code == 404


def _queries(caseworker) -> int:
    with CaptureQueriesContext(connection) as captured:
        work = selectors.worklist(coordinator=caseworker, today=TODAY)
        [row.counts for row in [work]]  # noqa: B018 - everything the page reads
    return len(captured)


def test_the_triage_list_takes_the_same_number_of_queries_for_3_and_30_forloeb(make_forloeb, samtale, caseworker):
    def add(n):
        for i in range(n):
            f = running(make_forloeb, f"Navn{i:02d}", end_in_days=30 + i)
            samtale(f, TODAY - dt.timedelta(days=70 + i), next_on=TODAY - dt.timedelta(days=i))
            flag(f, "NO_CONCRETE_GOAL", subject="indstilling")
            flag(f, "NO_CONCRETE_GOAL", subject="indsatsplan")
            snoozed = flag(f, "NO_NEXT_SAMTALE")
            services.flag_snooze(flag=snoozed, until=TODAY + dt.timedelta(days=5), reason="x", actor=caseworker)

    add(3)
    few = _queries(caseworker)
    add(27)
    assert _queries(caseworker) == few
    work = selectors.worklist(coordinator=caseworker, today=TODAY)
    assert len(work.rows) == 30 and len(work.snoozed) == 30
