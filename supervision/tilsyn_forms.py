"""Forms of the risk register and the tilsyn rounds. They parse and label input; the rules live in
`supervision.risks` and `supervision.rounds`, whose Danish messages the views put back here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.concurrency import EditTokenMixin
from cases.forms import BoundedDateField, DateInput
from cases.text import limit_of
from supervision import risks as risk_module
from supervision import sampling
from supervision.models import ControlKind, Level, RiskResponse, RiskVersion, RoundRisk, SampleMethod, TilsynRound

TEXTAREA = forms.Textarea(attrs={"rows": 3})
SEED_MAX = 2**32 - 1
SUMMARY_MAX = limit_of(TilsynRound, "summary") - limit_of(RoundRisk, "reassessment") - 200  # room for the reason
REASON_MAX = limit_of(RoundRisk, "reassessment")


class RiskForm(forms.Form):
    title = forms.CharField(label=_("Risiko"), max_length=RiskVersion._meta.get_field("title").max_length)
    description = forms.CharField(
        label=_("Beskrivelse"),
        widget=TEXTAREA,
        required=False,
        max_length=limit_of(RiskVersion, "description"),
        help_text=_("Hvad kan gå galt, for hvem, og hvad vil vi se, hvis det sker?"),
    )
    likelihood = forms.TypedChoiceField(label=_("Sandsynlighed"), choices=Level.choices, coerce=int)
    consequence = forms.TypedChoiceField(label=_("Konsekvens"), choices=Level.choices, coerce=int)
    response = forms.ChoiceField(label=_("Håndtering"), choices=RiskResponse.choices)
    response_reason = forms.CharField(
        label=_("Begrundelse"),
        widget=TEXTAREA,
        required=False,
        max_length=limit_of(RiskVersion, "response_reason"),
        help_text=_("Skal udfyldes, når risikoen accepteres eller kun kontrolleres i mindre omfang."),
    )
    control_kind = forms.ChoiceField(
        label=_("Kontrol"), choices=[("", _("(ingen)")), *ControlKind.choices], required=False
    )
    control_ref = forms.ChoiceField(
        label=_("Advarselsregel eller nøgletal"),
        required=False,
        help_text=_("Når kontrollen er en advarselsregel eller et nøgletal: hvilken."),
    )
    control_text = forms.CharField(
        label=_("Kontrollen beskrevet"),
        widget=TEXTAREA,
        required=False,
        max_length=limit_of(RiskVersion, "control_text"),
        help_text=_("Når kontrollen er en anden kontrol: hvad gøres, hvor ofte og af hvem."),
    )
    owner = forms.ModelChoiceField(label=_("Ejer"), queryset=None, empty_label=_("(vælg)"))
    review_on = BoundedDateField(label=_("Vurderes igen senest"), widget=DateInput())

    def __init__(self, *args, kommune_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["control_ref"].choices = risk_module.control_choices()
        self.fields["owner"].queryset = risk_module.owners_for(kommune_id)

    def risk_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in risk_module.RISK_FIELDS}


class RiskCreateForm(RiskForm):
    team = forms.TypedChoiceField(label=_("Gælder"), coerce=int, empty_value=None, required=False)

    field_order = ["team"]

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.pk: t for t in teams}
        self.fields["team"].choices = [("", _("Hele kommunen")), *[(t.pk, t.name) for t in teams]]

    @property
    def chosen_team(self):
        return self.teams.get(self.cleaned_data.get("team"))


class RiskReviseForm(RiskForm):
    """A new version of a risk. `version` is the number of the version the form showed: a newer one
    written since refuses the save (`supervision.risks.StaleRisk`), keeping the user's text."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, current: RiskVersion | None = None, **kwargs):
        if current is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {k: getattr(current, k) for k in risk_module.RISK_FIELDS} | {
                "owner": current.owner_id,
                "version": current.number,
            }
        super().__init__(*args, **kwargs)

    def based_on(self, number: int) -> None:
        """After a refused save: keep the user's input, base the next save on version `number`."""
        data = self.data.copy()
        data[self.add_prefix("version")] = number
        self.data = data


class AsOfForm(forms.Form):
    """The register as it stood on a day (GET); a bad date is ignored with a message."""

    pr = BoundedDateField(label=_("Registret pr."), widget=DateInput(), required=False)


# --- Rounds -----------------------------------------------------------------------------------------


class RoundStartForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=TilsynRound._meta.get_field("title").max_length)
    team = forms.TypedChoiceField(label=_("Enhed"), coerce=int, empty_value=None, required=False)
    period_from = BoundedDateField(label=_("Periode fra"), widget=DateInput())
    period_to = BoundedDateField(label=_("Periode til"), widget=DateInput())
    purpose = forms.CharField(
        label=_("Formål"),
        widget=TEXTAREA,
        max_length=limit_of(TilsynRound, "purpose"),
        help_text=_("Hvad skal runden kontrollere, og hvorfor nu?"),
    )
    risks = forms.ModelMultipleChoiceField(
        label=_("Risici, runden kontrollerer"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Stikprøven og gennemgangen skal følge af risikovurderingen."),
    )

    def __init__(self, *args, teams, all_label: str, risks: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.pk: t for t in teams}
        self.fields["team"].choices = [("", all_label), *[(t.pk, t.name) for t in teams]]
        self.fields["risks"].queryset = risk_module.Risk.objects.filter(pk__in=[e.risk.pk for e in risks])
        titles = {e.risk.pk: f"{e.version.title} ({_('score')} {e.score})" for e in risks}
        self.fields["risks"].label_from_instance = lambda risk: titles.get(risk.pk, str(risk))

    @property
    def chosen_team(self):
        return self.teams.get(self.cleaned_data.get("team"))


STRATA_CHOICES = ((sampling.BY_CASEWORKER, _("Pr. koordinerende sagsbehandler")), (sampling.BY_TEAM, _("Pr. team")))


class RoundDrawForm(EditTokenMixin, forms.Form):
    """How to draw the sample. Carries the round's edit token: a sample drawn by someone else after
    the page was loaded is not replaced without the user seeing it."""

    edit_token_fields = ("drawn_at", "status")

    method = forms.ChoiceField(
        label=_("Metode"), choices=SampleMethod.choices, initial=SampleMethod.RISK_WEIGHTED, widget=forms.RadioSelect
    )
    size = forms.IntegerField(
        label=_("Antal forløb"),
        min_value=1,
        error_messages={"required": _("Angiv, hvor mange forløb der skal trækkes.")},
    )
    strata = forms.ChoiceField(
        label=_("Stratificering"),
        choices=STRATA_CHOICES,
        initial=sampling.BY_CASEWORKER,
        help_text=_("Kun ved stratificeret trækning: hver gruppe får sin andel, og mindst ét forløb."),
    )
    rotation = forms.BooleanField(
        label=_("Rotation: forløb hos sagsbehandlere fra sidste runde trækkes kun, når der ikke er andre"),
        required=False,
        initial=True,
    )
    seed = forms.IntegerField(
        label=_("Startværdi (seed)"),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        help_text=_("Tom: appen vælger et tilfældigt tal og gemmer det, så trækningen kan gentages."),
    )


class RoundCloseForm(forms.Form):
    """The round's summary and, per linked risk, its re-assessment (and optionally new levels and
    review date, which write a new version of the risk)."""

    summary = forms.CharField(
        label=_("Opsamling"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=SUMMARY_MAX,
        help_text=_("Hvad viste runden? Resultater, fejl og de opfølgninger, der er aftalt."),
        error_messages={"required": _("Skriv en opsamling på runden.")},
    )
    unreviewed_reason = forms.CharField(
        label=_("Begrundelse for at afslutte uden at alle forløb er gennemgået"),
        widget=TEXTAREA,
        required=False,
        max_length=REASON_MAX,
    )

    def __init__(self, *args, links: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.links = links
        for link in links:
            current = link.current
            self.fields[f"reassessment_{link.pk}"] = forms.CharField(
                label=_("Genvurdering: %(title)s") % {"title": current.title},
                widget=TEXTAREA,
                max_length=limit_of(RoundRisk, "reassessment"),
                help_text=_("Hvad ændres til næste runde: risikoen, kontrollen eller stikprøven?"),
                error_messages={"required": _("Skriv genvurderingen: hvad ændres til næste runde?")},
            )
            self.fields[f"likelihood_{link.pk}"] = forms.TypedChoiceField(
                label=_("Sandsynlighed nu"), choices=Level.choices, coerce=int, initial=current.likelihood
            )
            self.fields[f"consequence_{link.pk}"] = forms.TypedChoiceField(
                label=_("Konsekvens nu"), choices=Level.choices, coerce=int, initial=current.consequence
            )
            self.fields[f"review_on_{link.pk}"] = BoundedDateField(
                label=_("Vurderes igen senest"), widget=DateInput(), initial=current.review_on
            )
            self.fields[f"based_on_{link.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=current.number, min_value=1
            )

    def based_on(self, link_pk: int, number: int) -> None:
        """After a refused save: keep the user's input, base the risk's next revision on `number`."""
        data = self.data.copy()
        data[self.add_prefix(f"based_on_{link_pk}")] = number
        self.data = data

    def field_groups(self) -> list[tuple[object, list]]:
        """Per linked risk, its fields in order (for the template)."""
        names = ("reassessment", "likelihood", "consequence", "review_on")
        return [(link, [self[f"{name}_{link.pk}"] for name in names]) for link in self.links]

    def reassessments(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            link.pk: {
                "text": data.get(f"reassessment_{link.pk}", ""),
                "likelihood": data.get(f"likelihood_{link.pk}"),
                "consequence": data.get(f"consequence_{link.pk}"),
                "review_on": data.get(f"review_on_{link.pk}"),
                "based_on": data.get(f"based_on_{link.pk}"),
            }
            for link in self.links
        }
