"""The case header: on every tab of a forløb (and the forms under them) the caseworker sees whose
forløb it is, which one, its phase, when the next opfølgningssamtale is due (agreed or by the
service standard; overdue in words, not colour only) and its open flags (how many, the worst
tier), without a query per fact."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from cases import clock, dates
from cases.models import Forloeb, Phase
from tests.conftest import login
from tests.factories import FlagFactory, FollowUpMeetingFactory

pytestmark = pytest.mark.django_db

TABS = [
    ("cases:forloeb_detail", "Overblik og faser"),
    ("rehab:forloeb_rehab", "Forberedende del og rehabiliteringsteam"),
    ("plans:plan", "Indsatsplan og indsatser"),
    ("plans:situation", "Borgerens situation"),
    ("followup:forloeb", "Opfølgning"),
    ("plans:min_plan", "Min Plan"),
]
FORMS = ["rehab:preparatory_edit", "followup:followup_add"]


@pytest.fixture
def started(forloeb):
    """Forløb nr. 1 of Mette Hansen in its indsatsdel, a samtale held 70 days ago with the next one
    agreed 56 days on (so 14 days overdue), and two open flags: one by law, one good practice."""
    today = clock.today()
    start = today - timedelta(days=200)
    Forloeb.objects.filter(pk=forloeb.pk).update(
        start_date=start, planned_end_date=start + timedelta(days=365 * 2), phase=Phase.INDSATSDEL
    )
    forloeb = Forloeb.objects.get(pk=forloeb.pk)
    FollowUpMeetingFactory(forloeb=forloeb, held_on=today - timedelta(days=70), next_on=today - timedelta(days=14))
    FlagFactory(forloeb=forloeb, rule_id="TEST_LAW", basis_kind="lov")
    FlagFactory(forloeb=forloeb, rule_id="TEST_OTHER", basis_kind="servicestandard")
    return forloeb


def header_text(html: str) -> str:
    block = re.search(r'<div class="case-header">(.*?)</div>\s*(<nav class="tabs"|$)', html, re.S)
    assert block, "no case header on the page"
    return re.sub(r"\s+", " ", strip_tags(block.group(1)))


def assert_header_facts(text: str, forloeb) -> None:
    due = clock.today() - timedelta(days=14)
    assert "Mette Hansen" in text
    assert "forløb 1" in text and "nr. 1" in text
    assert "Indsatsdel" in text
    assert f"Næste opfølgningssamtale {dates.text(due)} (aftalt), overskredet med 14 dage" in text
    assert "Åbne advarsler 2 åbne, værste: Lovkrav" in text


@pytest.mark.parametrize(("url_name", "tab"), TABS)
def test_every_tab_shows_the_case_header(client, caseworker, started, url_name, tab):
    response = login(client, caseworker).get(reverse(url_name, args=[started.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_header_facts(header_text(html), started)
    assert f'aria-current="page">{tab}</a>' in html


@pytest.mark.parametrize("url_name", FORMS)
def test_the_forms_under_a_tab_show_it_too(client, caseworker, started, url_name):
    response = login(client, caseworker).get(reverse(url_name, args=[started.pk]))
    assert response.status_code == 200
    assert_header_facts(header_text(response.content.decode()), started)


def test_no_samtale_due_and_no_flags_are_said_in_words(forloeb):
    text = strip_tags(Template("{% load case_header %}{% case_header f %}").render(Context({"f": forloeb})))
    text = re.sub(r"\s+", " ", text)
    assert "Næste opfølgningssamtale ingen planlagt endnu" in text
    assert "Åbne advarsler ingen" in text


def test_the_header_costs_a_fixed_number_of_queries(started):
    template = Template("{% load case_header %}{% case_header f %}")
    with CaptureQueriesContext(connection) as few:
        template.render(Context({"f": Forloeb.objects.select_related("borger").get(pk=started.pk)}))
    for n in range(5):
        FlagFactory(forloeb=started, rule_id=f"TEST_MORE_{n}")
        FollowUpMeetingFactory(forloeb=started, held_on=clock.today() - timedelta(days=100 + n))
    with CaptureQueriesContext(connection) as many:
        template.render(Context({"f": Forloeb.objects.select_related("borger").get(pk=started.pk)}))
    assert len(many) == len(few) <= 3
