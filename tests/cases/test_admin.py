"""The Django admin: scoped to the administrator's kommune, and no way around the services."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse

from cases import clock, services
from cases.admin import KommuneScopedMixin
from cases.models import Borger, CoordinatorAssignment, Forloeb, Kommune, Outcome, Phase, PhaseTransition, Role, Team
from followup.models import EvaluationRun, FollowUpMeeting, RuleSettings
from interchange.models import ExportLog, ImportRecord
from outcomes.models import ExitStatus, ForloebResult, Sanction
from plans.models import InterventionType
from tests.conftest import login
from tests.factories import BorgerFactory, FlagFactory, ForloebFactory, KommuneFactory, TeamFactory, UserFactory


def _kommune_world(kommune: Kommune, tag: str) -> dict:
    """One kommune with a row of every kind the admin shows."""
    team = TeamFactory(kommune=kommune, name=f"Team {tag}")
    caseworker = UserFactory(username=f"ks-{tag}", kommune=kommune, teams=[team])
    borger = BorgerFactory(first_name="Borger", last_name=f"Efternavn{tag}")
    forloeb = ForloebFactory(team=team, borger=borger, opened_on=clock.today() - timedelta(days=30))
    services.forloeb_assign_coordinator(
        forloeb=forloeb, coordinator=caseworker, valid_from=forloeb.opened_on, actor=caseworker
    )
    FlagFactory(forloeb=forloeb)
    FollowUpMeeting.objects.create(
        forloeb=forloeb,
        held_on=clock.today() - timedelta(days=3),
        held_by=caseworker,
        created_by=caseworker,
        next_on=clock.today() + timedelta(days=30),
    )
    RuleSettings.objects.create(kommune=kommune)
    ImportRecord.objects.create(forloeb=forloeb, digest="0" * 64, schema_version="1.0", file_name=f"{tag}.json")
    recorded = {"recorded_by": caseworker, "recorded_at": clock.now()}
    ExitStatus.objects.create(forloeb=forloeb, point="1m", code="FP", **recorded)
    Sanction.objects.create(
        forloeb=forloeb, imposed_on=clock.today(), kind="fradrag", reason="ikke_medvirket", **recorded
    )
    ForloebResult.objects.create(forloeb=forloeb, updated_by=caseworker, updated_at=clock.now())
    ExportLog.objects.create(user=caseworker, kind="e1", file_format="csv", pseudonymised=True, via="web")
    return {"team": team, "caseworker": caseworker, "borger": borger, "forloeb": forloeb}


@pytest.fixture
def two_kommuner(db):
    a = KommuneFactory(code="901", name="Aby Kommune")
    b = KommuneFactory(code="902", name="Bby Kommune")
    EvaluationRun.objects.create(as_of=clock.today(), started_at=clock.now())
    InterventionType.objects.get_or_create(
        code="test-praktik",
        valid_from=clock.today() - timedelta(days=400),
        defaults={"name": "Testpraktik", "category": "virksomhedspraktik", "domain": "beskaeftigelse"},
    )
    return {"a": a, "b": b, "world_a": _kommune_world(a, "A"), "world_b": _kommune_world(b, "B")}


@pytest.fixture
def kommune_admin(two_kommuner):
    """The staff administrator of kommune A (not a superuser)."""
    return UserFactory(username="admin-a", role=Role.ADMINISTRATOR, kommune=two_kommuner["a"], is_staff=True)


@pytest.fixture
def superuser(two_kommuner):
    return UserFactory(username="root", role=Role.ADMINISTRATOR, kommune=None, is_staff=True, is_superuser=True)


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _rows_of_kommune(model_admin, kommune):
    return model_admin.model._default_manager.filter(**{model_admin.kommune_field: kommune.pk})


def test_every_registered_model_admin_and_inline_is_kommune_scoped():
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, KommuneScopedMixin):
            unscoped.append(model.__name__)
        for inline in model_admin.inlines:
            if not issubclass(inline, KommuneScopedMixin):
                unscoped.append(f"{model.__name__}.{inline.__name__}")
    assert unscoped == [], f"ModelAdmins without KommuneScopedMixin: {unscoped}"


def test_a_kommune_administrator_sees_only_their_own_kommunes_rows_in_every_changelist(
    client, two_kommuner, kommune_admin
):
    login(client, kommune_admin)
    seen_own = []
    for model, model_admin in admin.site._registry.items():
        response = client.get(_admin_url(model, "changelist"))
        assert response.status_code in (200, 404), (model.__name__, response.status_code)
        if response.status_code == 404:
            assert model_admin.superuser_only, f"{model.__name__}: 404 for the kommune's administrator"
            continue
        shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
        if model_admin.kommune_field is None:
            continue  # shared reference data
        assert shown, f"{model.__name__}: the kommune's own rows are missing"
        assert shown <= set(_rows_of_kommune(model_admin, two_kommuner["a"]).values_list("pk", flat=True)), (
            f"{model.__name__}: rows of another kommune in the list"
        )
        seen_own.append(model.__name__)
    assert {"Forloeb", "Team", "User", "Kommune", "Flag", "RuleSettings", "ExportLog", "ImportRecord"} <= set(seen_own)
    # Not even a name of the other kommune on the pages.
    assert "EfternavnB" not in client.get(_admin_url(Forloeb, "changelist")).content.decode()
    assert "Team B" not in client.get(_admin_url(Team, "changelist")).content.decode()


def test_a_kommune_administrator_gets_404_on_every_page_of_another_kommunes_row(client, two_kommuner, kommune_admin):
    login(client, kommune_admin)
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model_admin.kommune_field is None:
            continue
        obj = _rows_of_kommune(model_admin, two_kommuner["b"]).first()
        assert obj is not None, f"the test world has no {model.__name__} in kommune B"
        for view in ("change", "history", "delete"):
            response = client.get(_admin_url(model, view, obj.pk))
            assert response.status_code == 404, (model.__name__, view, response.status_code)
        response = client.post(_admin_url(model, "delete", obj.pk), {"post": "yes"})
        assert response.status_code == 404
        assert model._default_manager.filter(pk=obj.pk).exists()
        checked.append(model.__name__)
    assert "Forloeb" in checked and "User" in checked


def test_case_content_is_kept_out_of_the_admin_for_a_kommune_administrator(client, two_kommuner, kommune_admin):
    login(client, kommune_admin)
    own = two_kommuner["world_a"]
    assert client.get(_admin_url(Borger, "changelist")).status_code == 404
    assert client.get(_admin_url(Borger, "change", own["borger"].pk)).status_code == 404
    assert client.get(_admin_url(FollowUpMeeting, "changelist")).status_code == 404
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/cases/borger/" not in index
    assert "/admin/followup/followupmeeting/" not in index
    assert "/admin/cases/team/" in index


def test_the_foreign_key_choices_offer_only_the_administrators_kommune(client, two_kommuner, kommune_admin):
    login(client, kommune_admin)
    form = client.get(_admin_url(Team, "add")).context["adminform"].form
    assert list(form.fields["kommune"].queryset) == [two_kommuner["a"]]
    inline_formset = client.get(_admin_url(type(kommune_admin), "change", kommune_admin.pk)).context[
        "inline_admin_formsets"
    ][0]
    assert set(inline_formset.formset.form.base_fields["team"].queryset) == {two_kommuner["world_a"]["team"]}


def test_a_kommune_administrator_cannot_move_a_team_or_a_user_to_another_kommune(client, two_kommuner, kommune_admin):
    login(client, kommune_admin)
    team = two_kommuner["world_a"]["team"]
    response = client.post(_admin_url(Team, "change", team.pk), {"name": team.name, "kommune": two_kommuner["b"].pk})
    assert response.status_code == 200  # the form again, with a Danish message on the field
    assert response.context["adminform"].form.errors["kommune"]
    team.refresh_from_db()
    assert team.kommune == two_kommuner["a"]


def test_a_kommune_administrator_cannot_make_anyone_a_superuser(client, two_kommuner, kommune_admin):
    login(client, kommune_admin)
    caseworker = two_kommuner["world_a"]["caseworker"]
    response = client.get(_admin_url(type(caseworker), "change", caseworker.pk))
    assert "is_superuser" not in response.context["adminform"].form.fields
    assert "user_permissions" not in response.context["adminform"].form.fields


@pytest.mark.parametrize("who", ["superuser", "kommune_admin"])
def test_the_admin_cannot_change_a_forloebs_phase_borger_team_coordinator_or_closing(
    client, two_kommuner, who, request
):
    user = request.getfixturevalue(who)
    login(client, user)
    world = two_kommuner["world_a"]
    forloeb = world["forloeb"]
    other_team = TeamFactory(kommune=two_kommuner["a"], name="Team A2")
    other_borger = BorgerFactory()
    other_coordinator = UserFactory(kommune=two_kommuner["a"], teams=[other_team])
    before = Forloeb.objects.filter(pk=forloeb.pk).values().get()
    transitions, assignments = PhaseTransition.objects.count(), CoordinatorAssignment.objects.count()

    response = client.get(_admin_url(Forloeb, "change", forloeb.pk))
    assert response.status_code == 200
    editable = set(response.context["adminform"].form.fields)
    protected = {"phase", "borger", "team", "kommune", "current_coordinator", "closed_on", "outcome"}
    assert editable & protected == set()

    response = client.post(
        _admin_url(Forloeb, "change", forloeb.pk),
        {
            "borger": other_borger.pk,
            "team": other_team.pk,
            "kommune": two_kommuner["b"].pk,
            "phase": Phase.AFSLUTTET,
            "current_coordinator": other_coordinator.pk,
            "closed_on": clock.today().isoformat(),
            "outcome": Outcome.OTHER,
            "sequence_no": 1,
            "opened_on": forloeb.opened_on.isoformat(),
        },
    )
    assert response.status_code == 404
    assert Forloeb.objects.filter(pk=forloeb.pk).values().get() == before
    assert PhaseTransition.objects.count() == transitions
    assert CoordinatorAssignment.objects.count() == assignments


def test_a_forloeb_is_neither_added_nor_deleted_in_the_admin(client, two_kommuner, superuser):
    login(client, superuser)
    forloeb = two_kommuner["world_a"]["forloeb"]
    count = Forloeb.objects.count()
    assert client.get(_admin_url(Forloeb, "add")).status_code == 404
    response = client.post(
        _admin_url(Forloeb, "add"),
        {"borger": two_kommuner["world_b"]["borger"].pk, "team": forloeb.team_id, "sequence_no": 2},
    )
    assert response.status_code == 404  # not a 500 on the borger's open forløb either
    assert client.post(_admin_url(Forloeb, "delete", forloeb.pk), {"post": "yes"}).status_code == 404
    assert Forloeb.objects.count() == count


def test_the_superuser_sees_every_kommune_and_the_case_content(client, two_kommuner, superuser):
    login(client, superuser)
    listed = set(client.get(_admin_url(Forloeb, "changelist")).context["cl"].queryset.values_list("pk", flat=True))
    assert listed == {two_kommuner["world_a"]["forloeb"].pk, two_kommuner["world_b"]["forloeb"].pk}
    assert client.get(_admin_url(Borger, "changelist")).status_code == 200


def test_a_kommune_administrators_permission_without_a_forloeb_grants_no_forloeb(two_kommuner, kommune_admin):
    world_a, world_b = two_kommuner["world_a"], two_kommuner["world_b"]
    assert not kommune_admin.has_perm("cases.view_forloeb")
    assert not kommune_admin.has_perm("cases.change_forloeb_phase")
    assert kommune_admin.has_perm("cases.view_forloeb", world_a["forloeb"])
    assert not kommune_admin.has_perm("cases.view_forloeb", world_b["forloeb"])
    # The kommune-free permissions (the export page, its CPR mode) still answer for the role.
    assert kommune_admin.has_perm("interchange.export_evaluation")
    assert kommune_admin.has_perm("interchange.export_with_cpr")
    assert not world_a["caseworker"].has_perm("interchange.export_evaluation")


def test_the_admin_counts_forloeb_and_teams_only_of_the_administrators_kommune(client, two_kommuner, kommune_admin):
    login(client, kommune_admin)
    response = client.get(_admin_url(Team, "changelist"))
    assert response.context["cl"].result_count == Team.objects.filter(kommune=two_kommuner["a"]).count()
