"""Bad input never crashes: every date a form takes is bounded, every redirect parameter goes
through one check, and every htmx endpoint follows one error convention. The walks below are
generated from the code, so a new form, view or htmx endpoint that skips the rule fails here."""

import importlib
import json
import pkgutil
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from cases.forms import EARLIEST_DATE, LATEST_DATE, BoundedDateField, ForloebCreateForm
from cases.http import HTMX_FORM_ERROR, safe_next
from cases.rules import transition_input_errors
from followup.rulepacks import packs_for
from tests.conftest import login

BASE_DIR = Path(settings.BASE_DIR)
BEFORE_RULES = "Datoen ligger før 1.1.2013, hvor reglerne for ressourceforløb trådte i kraft."
PROJECT_APPS = [a for a in apps.get_app_configs() if Path(a.path).parent == BASE_DIR]


def _source_files():
    for app in PROJECT_APPS:
        for path in Path(app.path).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _form_classes():
    seen = set()
    for app in PROJECT_APPS:
        package = importlib.import_module(app.name)
        modules = [package]
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app.name}."):
            if ".migrations" in info.name:
                continue
            modules.append(importlib.import_module(info.name))
        for module in modules:
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__.split(".")[0] in {a.name for a in PROJECT_APPS}
                    and value not in seen
                ):
                    seen.add(value)
                    yield value


def test_the_walk_finds_the_forms_with_dates():
    names = {cls.__name__ for cls in _form_classes()}
    assert {"FollowUpForm", "DecisionForm", "PreparatoryPartForm", "TransitionForm", "MeetingForm"} <= names


@pytest.mark.parametrize("form_class", list(_form_classes()), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_date_field_of_every_form_is_bounded(form_class):
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
            assert isinstance(field, BoundedDateField), (
                f"{form_class.__name__}.{name} must be cases.forms.BoundedDateField "
                "(ModelForms: Meta.formfield_callback = bounded_formfield)"
            )


def test_no_form_builds_an_unbounded_date_field_at_run_time():
    """Fields added in a form's __init__ are not in base_fields: the source must not make one."""
    pattern = re.compile(r"forms\.(DateField|DateTimeField|SplitDateTimeField)\(")
    offenders = [f"{p.relative_to(BASE_DIR)}" for p in _source_files() if pattern.search(p.read_text())]
    assert offenders == []


def test_no_view_parses_a_date_by_hand():
    pattern = re.compile(r"fromisoformat\(|strptime\(|parse_date\(|parse_datetime\(")
    views = [p for p in _source_files() if p.name == "views.py" or p.parent.name == "views"]
    assert views
    assert [str(p.relative_to(BASE_DIR)) for p in views if pattern.search(p.read_text())] == []


def test_the_date_picker_has_the_same_bounds_as_the_server():
    html = str(type("F", (forms.Form,), {"d": BoundedDateField()})()["d"])
    assert f'min="{EARLIEST_DATE.isoformat()}"' in html and f'max="{LATEST_DATE.isoformat()}"' in html


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_a_date_outside_the_range_gets_a_danish_message_on_the_field(value):
    field = BoundedDateField()
    with pytest.raises(forms.ValidationError) as exc:
        field.clean(value)
    assert exc.value.messages == ["Datoen skal ligge mellem 01.01.1900 og 31.12.2100."]


# --- next= ---------------------------------------------------------------------------------------


def test_no_view_reads_a_redirect_parameter_except_through_safe_next():
    pattern = re.compile(r"""\.(GET|POST|data|query_params)(\.get\(|\[)\s*["'](next|return_to|back|tilbage)["']""")
    offenders = [
        str(p.relative_to(BASE_DIR))
        for p in _source_files()
        if p != BASE_DIR / "cases" / "http.py" and pattern.search(p.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "value",
    [
        "x",
        "forloeb",
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        " /min-dag/",
        "\x01/min-dag/",
    ],
)
def test_safe_next_refuses_anything_but_a_local_path(value):
    request = RequestFactory().post("/", {"next": value})
    assert safe_next(request, "/standard/") == "/standard/"


def test_safe_next_keeps_a_local_path_with_its_query():
    request = RequestFactory().get("/", {"next": "/min-dag/?sagsbehandler=3"})
    assert safe_next(request, "/standard/") == "/min-dag/?sagsbehandler=3"


# --- htmx ------------------------------------------------------------------------------------------

# Every endpoint a template calls with htmx, and where its error path is tested with the
# convention's status (HTMX_FORM_ERROR). A new hx-get/hx-post must be added here with a test.
HTMX_ENDPOINTS = {
    "followup:flag_acknowledge": "tests/followup/test_bad_input.py::test_every_htmx_flag_form_answers_its_errors_with_422",
    "followup:flag_snooze": "tests/followup/test_triage.py::test_the_view_snoozes_for_the_caseworker_and_the_team_leader_and_answers_htmx_errors_with_422",
    "plans:intervention_move": "tests/plans/test_plan_pages.py::test_bad_input_shows_the_danish_message_in_the_row_and_changes_nothing",
    "followup:flag_row": "GET of one flag's forms on Min dag: no input to refuse; others get 404 (tests/test_authorization.py)",
    "desk:my_forloeb": "GET filters: a bad value falls back to its default, never an error (tests/cases/test_pages.py)",
}


def test_every_htmx_endpoint_in_the_templates_has_its_error_path_tested():
    pattern = re.compile(r"""hx-(?:get|post|put|patch|delete)="\{% url '([^']+)'""")
    found = {name for path in (BASE_DIR / "templates").rglob("*.html") for name in pattern.findall(path.read_text())}
    relative = {
        path.relative_to(BASE_DIR)
        for path in (BASE_DIR / "templates").rglob("*.html")
        if re.search(r"""hx-(?:get|post|put|patch|delete)="(?!\{% url)""", path.read_text())
    }
    assert found - HTMX_ENDPOINTS.keys() == set()
    # Relative hx-get ("?page=2", the sort headers) is only the forløb list, whose filters never fail.
    assert {str(p) for p in relative} <= {"templates/desk/my_forloeb.html"}


def test_the_base_template_lets_htmx_swap_the_form_error_status(client, caseworker):
    body = login(client, caseworker).get(reverse("desk:my_forloeb")).content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", body)
    assert meta, "templates/base.html must configure htmx"
    handling = json.loads(meta.group(1))["responseHandling"]
    first = {str(HTMX_FORM_ERROR): None, "404": None, "500": None, "200": None}
    for code in first:
        first[code] = next(rule for rule in handling if re.fullmatch(rule["code"], code))
    assert first[str(HTMX_FORM_ERROR)]["swap"] is True
    assert first["200"]["swap"] is True
    assert first["404"]["swap"] is False and first["500"]["swap"] is False
    assert body.index('name="htmx-config"') < body.index("<script")  # read when htmx loads


# --- Dates before the rules ----------------------------------------------------------------------


def test_a_grant_starting_before_2013_is_refused_on_the_start_date():
    forloeb = SimpleNamespace(opened_on=date(2011, 3, 1))
    data = {"start_date": date(2012, 6, 1), "planned_end_date": date(2014, 6, 1)}
    errors = transition_input_errors("grant", forloeb, data, today=date(2026, 1, 5))
    assert str(errors["start_date"]) == BEFORE_RULES


def test_a_forloeb_cannot_be_opened_before_2013(db, team):
    form = ForloebCreateForm({"opened_on": "2012-12-31"}, teams=type(team).objects.filter(pk=team.pk))
    assert not form.is_valid() and form.errors["opened_on"] == [BEFORE_RULES]


def test_the_opfoelgning_page_lists_the_rules_for_a_forloeb_started_before_2013():
    packs = packs_for(started_on=date(2010, 1, 1), day=date(2026, 1, 5))
    assert [why for _, why in packs] == ["day", "standard"]
