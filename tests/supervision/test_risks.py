"""The risk register (supervision.risks): every version is kept and last year's stays readable, a
stale edit is refused without losing the user's text, an accepted or scaled-down risk needs its
reason, and only the kommune's supervisors see it (others get 404)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases import clock
from cases.models import Role
from supervision import risks
from supervision.models import ControlKind, RiskResponse, RiskVersion
from tests.conftest import login
from tests.factories import KommuneFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
STALE = "Risikoen er ændret, efter du åbnede siden"


def risk_data(owner, **overrides) -> dict:
    """A risk controlled by the flag rule for overdue samtaler, to be re-assessed in a year."""
    return {
        "title": "Opfølgningssamtaler holdes ikke hvert kvartal",
        "description": "Fokusrevisionen fandt, at kun en del af forløbene havde de samtaler, loven kræver.",
        "likelihood": 4,
        "consequence": 4,
        "response": RiskResponse.CONTROL,
        "response_reason": "",
        "control_kind": ControlKind.FLAG_RULE,
        "control_ref": "STD_SAMTALE_OVERDUE",
        "control_text": "",
        "owner": owner,
        "review_on": clock.today() + dt.timedelta(days=365),
        **overrides,
    }


def make_risk(leader, *, team=None, **overrides):
    kommune_id = (team.kommune_id if team else None) or leader.kommune_id
    data = risk_data(overrides.pop("owner", leader), **overrides)
    return risks.risk_create(kommune_id=kommune_id, team=team, data=data, actor=leader)


def form_data(version: RiskVersion, **overrides) -> dict:
    data = {
        "title": version.title,
        "description": version.description,
        "likelihood": version.likelihood,
        "consequence": version.consequence,
        "response": version.response,
        "response_reason": version.response_reason,
        "control_kind": version.control_kind,
        "control_ref": version.control_ref,
        "control_text": version.control_text,
        "owner": version.owner_id,
        "review_on": version.review_on.isoformat(),
        "version": version.number,
    }
    return {**data, **overrides}


@pytest.fixture
def leader(kommune, team):
    return UserFactory(username="leder", role=Role.TEAM_LEADER, kommune=kommune, teams=[team])


@pytest.fixture
def admin(kommune):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, kommune=kommune)


# --- Versions ---------------------------------------------------------------------------------------


def test_every_edit_writes_a_new_version_and_last_years_register_stays_readable(leader):
    year_ago = clock.now() - dt.timedelta(days=400)
    with time_machine.travel(year_ago, tick=False):
        risk = make_risk(leader)
    risks.risk_revise(
        risk=risk, data=risk_data(leader, likelihood=2, control_ref="AGREED_SAMTALE_OVERDUE"), based_on=1, actor=leader
    )
    versions = risks.versions_of(risk)
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].likelihood == 4 and versions[1].control_ref == "STD_SAMTALE_OVERDUE"  # untouched
    assert versions[0].likelihood == 2 and versions[0].written_by == leader

    then = (year_ago + dt.timedelta(days=30)).date()
    (entry,) = risks.register(leader, leader.kommune_id, as_of=then)
    assert entry.version.number == 1 and entry.score == 16
    (entry,) = risks.register(leader, leader.kommune_id)
    assert entry.version.number == 2 and entry.score == 8
    assert risks.register(leader, leader.kommune_id, as_of=(year_ago - dt.timedelta(days=2)).date()) == []
    assert risks.version_as_of(versions, then).number == 1


def test_the_register_as_of_a_day_is_shown_on_the_page(client, leader):
    with time_machine.travel(clock.now() - dt.timedelta(days=400), tick=False):
        risk = make_risk(leader, title="Gammel formulering")
    risks.risk_revise(risk=risk, data=risk_data(leader, title="Ny formulering"), based_on=1, actor=leader)
    login(client, leader)
    old_day = (clock.today() - dt.timedelta(days=300)).isoformat()
    page = client.get(reverse("supervision:risk_list"), {"pr": old_day}).content.decode()
    assert "Gammel formulering" in page and "Ny formulering" not in page
    page = client.get(reverse("supervision:risk_detail", args=[risk.pk]), {"pr": old_day}).content.decode()
    assert "gjaldt version 1" in page and "Gammel formulering" in page and "Ny formulering" in page


def test_an_edit_that_changes_nothing_writes_no_version(leader):
    risk = make_risk(leader)
    with pytest.raises(ValidationError, match="Intet er ændret"):
        risks.risk_revise(risk=risk, data=risk_data(leader), based_on=1, actor=leader)
    assert risk.versions.count() == 1


# --- No lost work -----------------------------------------------------------------------------------


def test_a_stale_revision_is_refused_and_the_users_text_is_kept(client, leader, admin):
    risk = make_risk(leader)
    url = reverse("supervision:risk_detail", args=[risk.pk])
    login(client, leader)
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page
    # Someone else writes version 2 while the leader types.
    risks.risk_revise(risk=risk, data=risk_data(admin, consequence=5), based_on=1, actor=admin)

    mine = form_data(risk.versions.get(number=1), description="Min egen, lange vurdering af risikoen.")
    response = client.post(url, mine)
    body = response.content.decode()
    assert response.status_code == 400
    assert STALE in body and admin.get_full_name() in body
    assert "Min egen, lange vurdering af risikoen." in body  # the user's text is still in the form
    assert 'name="version" value="2"' in body  # the next save is based on what is stored now
    assert risk.versions.count() == 2

    response = client.post(url, {**mine, "version": 2})
    assert response.status_code == 302
    latest = risks.current_version(risk)
    assert latest.number == 3 and latest.description == "Min egen, lange vurdering af risikoen."


# --- Rules of a version ------------------------------------------------------------------------------


def test_an_accepted_or_scaled_down_risk_needs_its_reason(leader):
    for response in (RiskResponse.ACCEPTED, RiskResponse.REDUCED):
        with pytest.raises(ValidationError) as exc:
            make_risk(leader, response=response)
        assert "response_reason" in exc.value.message_dict
    risk = make_risk(
        leader,
        response=RiskResponse.ACCEPTED,
        response_reason="Få forløb og lav konsekvens; tjekkes ved årets genvurdering.",
    )
    version = risks.current_version(risk)
    assert version.control_kind == "" and version.control_ref == ""  # accepted: no control kept


def test_a_control_must_name_what_it_is(leader):
    cases = [
        ({"control_kind": ControlKind.FLAG_RULE, "control_ref": "NO_SUCH_RULE"}, "control_ref"),
        ({"control_kind": ControlKind.FIGURE, "control_ref": "STD_SAMTALE_OVERDUE"}, "control_ref"),
        ({"control_kind": ControlKind.OTHER, "control_ref": "", "control_text": " "}, "control_text"),
        ({"control_kind": "", "control_ref": ""}, "control_kind"),
        ({"review_on": clock.today() - dt.timedelta(days=1)}, "review_on"),
        ({"likelihood": 6}, "likelihood"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as exc:
            make_risk(leader, **overrides)
        assert field in exc.value.message_dict, overrides
    risk = make_risk(leader, control_kind=ControlKind.FIGURE, control_ref="3.9")
    assert risks.control_label(risks.current_version(risk)) == "Holdte opfølgningssamtaler de seneste 12 måneder"


def test_an_owner_from_another_kommune_is_refused(leader):
    stranger = UserFactory(kommune=KommuneFactory(code="555", name="Anden Kommune"))
    with pytest.raises(ValidationError) as exc:
        make_risk(leader, owner=stranger)
    assert "owner" in exc.value.message_dict


def test_a_retired_risk_leaves_the_register_but_stays_readable(client, leader):
    risk = make_risk(leader)
    login(client, leader)
    assert client.post(reverse("supervision:risk_retire", args=[risk.pk])).status_code == 302
    (entry,) = risks.register(leader, leader.kommune_id)
    assert entry.retired
    with pytest.raises(ValidationError, match="allerede udgået"):
        risks.risk_retire(risk=risk, actor=leader)
    with pytest.raises(ValidationError, match="udgået"):
        risks.risk_revise(risk=risk, data=risk_data(leader, likelihood=1), based_on=1, actor=leader)
    page = client.get(reverse("supervision:risk_list")).content.decode()
    assert "Udgåede risici" in page and "Opfølgningssamtaler holdes ikke hvert kvartal" in page


# --- Pages and scope --------------------------------------------------------------------------------


def test_a_leader_writes_a_risk_on_the_page_and_sees_the_register_by_score(client, leader, team):
    login(client, leader)
    page = client.get(reverse("supervision:risk_create"))
    assert page.status_code == 200
    data = form_data(
        RiskVersion(
            title="Ingen konkrete mål i indsatsplanen",
            likelihood=3,
            consequence=5,
            response=RiskResponse.CONTROL,
            control_kind=ControlKind.CASE_REVIEW,
            owner=leader,
            review_on=clock.today() + dt.timedelta(days=200),
            number=1,
        ),
        team=team.pk,
    )
    response = client.post(reverse("supervision:risk_create"), data)
    assert response.status_code == 302
    make_risk(leader, title="Lav risiko", likelihood=1, consequence=2)
    page = client.get(reverse("supervision:risk_list")).content.decode()
    assert page.index("Ingen konkrete mål i indsatsplanen") < page.index("Lav risiko")  # score 15 before 2
    assert "Risikomatrix" in page and "1 risiko (score 15)" in page

    bad = client.post(reverse("supervision:risk_create"), {**data, "response": RiskResponse.ACCEPTED})
    assert bad.status_code == 400 and "Skriv, hvorfor risikoen accepteres" in bad.content.decode()


def test_only_the_kommunes_supervisors_see_the_register(client, leader, team, other_team, caseworker, kommune):
    kommune_wide = make_risk(leader, title="Kommunens risiko")
    ours = make_risk(leader, team=team, title="Vores risiko")
    syd_leader = UserFactory(username="leder-syd", role=Role.TEAM_LEADER, kommune=kommune, teams=[other_team])
    theirs = make_risk(syd_leader, team=other_team, title="Syds risiko")
    titles = {e.version.title for e in risks.register(leader, kommune.pk)}
    assert titles == {"Kommunens risiko", "Vores risiko"}

    login(client, leader)
    assert client.get(reverse("supervision:risk_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("supervision:risk_retire", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("supervision:risk_detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("supervision:risk_detail", args=[kommune_wide.pk])).status_code == 200

    login(client, caseworker)  # not a supervisor
    assert client.get(reverse("supervision:risk_list")).status_code == 404
    assert client.get(reverse("supervision:risk_detail", args=[ours.pk])).status_code == 404

    elsewhere = KommuneFactory(code="444", name="Nabokommune")
    other_leader = UserFactory(role=Role.TEAM_LEADER, kommune=elsewhere, teams=[TeamFactory(kommune=elsewhere)])
    other = Client()
    login(other, other_leader)
    assert other.get(reverse("supervision:risk_detail", args=[kommune_wide.pk])).status_code == 404
    assert "Kommunens risiko" not in other.get(reverse("supervision:risk_list")).content.decode()
    assert other.get(reverse("supervision:risk_list"), {"kommune": kommune.pk}).status_code == 404


def test_the_register_exports_every_version_within_the_users_scope(client, leader, team, other_team, kommune):
    risk = make_risk(leader, team=team, title="Vores risiko")
    risks.risk_revise(
        risk=risk, data=risk_data(leader, title="Vores risiko, skærpet", likelihood=5), based_on=1, actor=leader
    )
    syd_leader = UserFactory(username="leder-syd", role=Role.TEAM_LEADER, kommune=kommune, teams=[other_team])
    make_risk(syd_leader, team=other_team, title="Syds risiko")
    login(client, leader)

    csv = client.get(reverse("supervision:risk_export_csv"))
    rows = client.get(reverse("supervision:risk_export_json")).json()

    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "Syds risiko" not in csv.content.decode()
    assert [(r["version"], r["titel"], r["sandsynlighed"]) for r in rows] == [
        (1, "Vores risiko", 4),
        (2, "Vores risiko, skærpet", 5),
    ]
    assert rows[0]["team"] == team.name and rows[1]["skrevet_af"]
