"""Form widgets in Det Fælles Designsystem's markup, for the shared field renderer
(templates/cases/_form_fields.html) and the error summary (templates/_error_summary.html).

``{{ field|fds_widget }}`` renders a bound field's widget with the DKFDS class for its kind
(``form-input`` for text, number, date and text areas, ``form-select`` for a select), and ties it to
its hint and error message (``aria-describedby``, ``aria-invalid``). The widgets themselves are
unchanged, so parsing (e.g. ``cases.forms.BoundedDateField``) is untouched.
"""

from django import forms, template

register = template.Library()

_GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _kind_class(widget: forms.Widget) -> str:
    if isinstance(widget, (*_GROUPS, forms.CheckboxInput)):
        return ""
    if isinstance(widget, forms.SelectMultiple):
        return "form-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.FileInput):
        return ""
    return "form-input"


@register.filter
def fds_widget(field: forms.BoundField):
    widget = field.field.widget
    attrs: dict[str, str] = {}
    kind = _kind_class(widget)
    own = widget.attrs.get("class", "")
    if kind and kind not in own.split():
        attrs["class"] = f"{own} {kind}".strip()
    described = []
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if described and "aria-describedby" not in widget.attrs:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def is_group(field: forms.BoundField) -> bool:
    """A set of radio buttons or check boxes: a fieldset with a legend, not one label."""
    return isinstance(field.field.widget, _GROUPS)


@register.filter
def error_anchor(field: forms.BoundField) -> str:
    """The id the error summary links to: the field's input (the first option of a group)."""
    return field.id_for_label or field.auto_id or ""
