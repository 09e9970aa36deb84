"""How long a free text may be, everywhere: forms, the interchange schema and the database.

Every text field of the apps' models has a limit. A CharField has its `max_length` (the
database's varchar). A free-text TextField gets `max_length=` one of the sizes below, chosen by
what a caseworker writes there, and its model the `@text_limits` decorator, which adds a
CheckConstraint `char_length(field) <= max_length` for each such field, so the database refuses
a longer text whatever the path (a form, the import's COPY, the shell). The limit is written
once, on the field: ModelForms take it from there (the browser's `maxlength`, and Django's Danish
message), other forms through `limit_of()`, and `interchange/schema.py` puts it in the JSON
Schema as `maxLength` (`text_of()`). Short texts are CharFields with their own `max_length`.
"""

from django.db import models
from django.db.models.functions import Length

NOTE = 2_000  # a note, an assessment, a question to a doctor
LONG_TEXT = 10_000  # a section of the forberedende del, a CV, a samtale's content (about four pages)


def length_check(model: type[models.Model], field: models.Field) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.lookups.LessThanOrEqual(Length(field.name), field.max_length),
        name=f"{model._meta.app_label}_{model._meta.model_name}_{field.name}_length",
    )


def text_limits(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: a database check of the length of each of the model's TextFields with a
    `max_length`. (Declared on the model, not in Meta, so the limit is written only once; the
    migrations hold the constraints as usual.)"""
    checks = [
        length_check(model, f)
        for f in model._meta.local_fields
        if isinstance(f, models.TextField) and f.max_length is not None
    ]
    model._meta.constraints = [*model._meta.constraints, *checks]
    # The migration autodetector reads the constraints of a model that declares some in Meta.
    model._meta.original_attrs["constraints"] = model._meta.constraints
    return model


def limit_of(model: type[models.Model], name: str) -> int:
    """The limit of a model's text field, for a form field that is not made by a ModelForm."""
    return model._meta.get_field(name).max_length
