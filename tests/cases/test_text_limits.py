"""Every free text has a limit, the same in the model, the database, the forms and the interchange
schema (`cases.text`): a 50 MB CV can neither be typed, imported nor stored."""

import datetime as dt
import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse

from cases import clock
from cases.models import PhaseTransition
from cases.text import LONG_TEXT
from followup.models import FollowUpMeeting
from interchange.schema import build_schema
from rehab.models import PreparatoryPart
from tests.conftest import login


def _project_apps() -> list[str]:
    """Every app of this project (not Django's or a library's): a new app is covered at once."""
    return [
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(config.path).parts
    ]


def _form_modules() -> list[str]:
    """Every module of the project's apps whose name says it holds forms (forms.py, forms/…,
    *_forms.py)."""
    names = []
    for config in apps.get_app_configs():
        if config.label not in APPS:
            continue
        root = Path(config.path)
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root.parent).with_suffix("")
            if "migrations" in relative.parts or path.name == "__init__.py":
                continue
            if path.stem.endswith("forms") or "forms" in relative.parts:
                names.append(".".join(relative.parts))
    return names


APPS = _project_apps()
FORM_MODULES = _form_modules()


def test_the_scan_sees_every_app_and_forms_module():
    assert {"cases", "outcomes", "supervision"} <= set(APPS)
    assert {"cases.forms", "rehab.forms.preparatory", "outcomes.forms"} <= set(FORM_MODULES)


def text_fields():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField):
                    yield model, field


def test_every_text_field_of_the_apps_models_has_a_limit():
    unlimited = [f"{m._meta.label}.{f.name}" for m, f in text_fields() if not f.max_length]
    assert unlimited == [], "give the field max_length= (see cases/text.py)"


@pytest.mark.django_db
def test_the_database_checks_the_length_of_every_free_text_field():
    missing = []
    for model, field in text_fields():
        if not isinstance(field, models.TextField):
            continue  # a CharField is a varchar(max_length)
        name = f"{model._meta.app_label}_{model._meta.model_name}_{field.name}_length"
        with connection.cursor() as cursor:
            in_database = connection.introspection.get_constraints(cursor, model._meta.db_table)
        if name not in in_database or name not in {c.name for c in model._meta.constraints}:
            missing.append(f"{model._meta.label}.{field.name}")
    assert missing == [], "decorate the model with @text_limits and run makemigrations"


@pytest.mark.django_db
def test_the_database_refuses_an_over_long_text_whatever_the_path(forloeb, caseworker):
    transition = PhaseTransition.objects.create(
        forloeb=forloeb,
        transition="close",
        from_phase="forberedende_del",
        to_phase="afsluttet",
        actor=caseworker,
        at=clock.now(),
        reason="kort",
    )
    limit = PhaseTransition._meta.get_field("reason").max_length

    with pytest.raises(IntegrityError), transaction.atomic():
        PhaseTransition.objects.filter(pk=transition.pk).update(reason="x" * (limit + 1))

    transition.refresh_from_db()
    assert transition.reason == "kort"


def string_schemas(schema, path="$"):
    if isinstance(schema, dict):
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "string" in kinds:
            yield path, schema
        for key, value in schema.items():
            yield from string_schemas(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from string_schemas(value, f"{path}[{i}]")


def test_every_free_text_in_the_interchange_schema_has_a_max_length():
    unlimited = [
        path
        for path, s in string_schemas(build_schema())
        if "maxLength" not in s and not {"enum", "pattern", "const"} & set(s)
    ]
    assert unlimited == []


def test_the_schema_gives_a_text_the_limit_of_its_model_field():
    forloeb = build_schema()["properties"]["forloeb"]["items"]["properties"]
    preparatory = forloeb["preparatory_part"]["properties"]
    assert preparatory["cv"]["maxLength"] == PreparatoryPart._meta.get_field("cv").max_length == LONG_TEXT
    followup = forloeb["followups"]["items"]["properties"]
    assert followup["new_agreements"]["maxLength"] == FollowUpMeeting._meta.get_field("new_agreements").max_length


def test_every_text_field_of_every_form_has_a_max_length():
    unlimited = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form_class, forms.BaseForm) or form_class.__module__ != module_name:
                continue
            for field_name, field in form_class.base_fields.items():
                if type(field) is forms.CharField and field.max_length is None:
                    unlimited.append(f"{module_name}.{name}.{field_name}")
    assert unlimited == []


@pytest.mark.django_db
def test_the_forberedende_del_tells_the_browser_the_limit_of_the_cv(client, caseworker, forloeb):
    login(client, caseworker)

    page = client.get(reverse("rehab:preparatory_edit", args=[forloeb.pk])).content.decode()

    textarea = page[page.index('name="cv"') :].split(">", 1)[0]
    assert f'maxlength="{LONG_TEXT}"' in textarea


@pytest.mark.django_db
def test_an_over_long_samtale_note_is_refused_in_danish_and_nothing_is_saved(client, caseworker, forloeb):
    today = clock.today()
    limit = FollowUpMeeting._meta.get_field("new_agreements").max_length
    login(client, caseworker)

    response = client.post(
        reverse("followup:followup_add", args=[forloeb.pk]),
        {
            "held_on": today.isoformat(),
            "setting": "individuel",
            "channel": "fremmoede",
            "borger_attended": "on",
            "next_on": (today + dt.timedelta(weeks=6)).isoformat(),
            "held_by": caseworker.pk,
            "new_agreements": "x" * (limit + 1),
        },
    )

    assert response.status_code in (200, 400, 422)
    body = response.content.decode()
    assert "højst" in body and ("10000 tegn" in body or "10.000 tegn" in body)
    assert not FollowUpMeeting.objects.filter(forloeb=forloeb).exists()
