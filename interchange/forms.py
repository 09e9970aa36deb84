"""The form of the evaluation export page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import BoundedDateField, DateInput
from interchange.models import ExportKind


class EvaluationExportForm(forms.Form):
    """Which export, in which format, for which team and period, and whether pseudonymised.
    The administrative mode (CPR numbers) is for administrators only."""

    udtraek = forms.ChoiceField(
        label=_("Udtræk"),
        choices=[(k.value, k.label) for k in (ExportKind.E1, ExportKind.E2, ExportKind.E4)],
        initial=ExportKind.E1,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg et udtræk."), "invalid_choice": _("Vælg E1, E2 eller E4.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV (UTF-8)")), ("xlsx", _("Excel (XLSX)"))],
        initial="csv",
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg et format."), "invalid_choice": _("Vælg CSV eller XLSX.")},
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        required=False,
        empty_label=_("Alle mine teams"),
        error_messages={"invalid_choice": _("Vælg et af dine egne teams.")},
    )
    fra = BoundedDateField(
        label=_("Periode fra"),
        widget=DateInput(),
        required=False,
        error_messages={"invalid": _("Skriv en gyldig dato, fx 2025-01-31.")},
    )
    til = BoundedDateField(
        label=_("Periode til"),
        widget=DateInput(),
        required=False,
        error_messages={"invalid": _("Skriv en gyldig dato, fx 2025-01-31.")},
        help_text=_(
            "Udtrækket omfatter de forløb, der var åbne på et tidspunkt i perioden. "
            "E4 giver én række pr. borger og måned i perioden."
        ),
    )
    pseudonymiseret = forms.BooleanField(
        label=_("Pseudonymiseret"),
        required=False,
        initial=True,
        help_text=_("Borgere og sagsbehandlere står som nøgler i stedet for CPR-nummer og brugernavn."),
    )

    def __init__(self, *args, teams, may_use_cpr: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.may_use_cpr = may_use_cpr

    def clean(self):
        data = super().clean()
        start, end = data.get("fra"), data.get("til")
        if start and end and start > end:
            self.add_error("til", _("Periodens slutdato ligger før dens startdato."))
        if not data.get("pseudonymiseret") and not self.may_use_cpr:
            self.add_error(
                "pseudonymiseret",
                _("Kun en administrator kan tage et udtræk med CPR-numre. Sæt kryds i “Pseudonymiseret”."),
            )
        return data
