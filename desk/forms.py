from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Phase
from desk import search as search_terms
from desk.selectors import DEFAULT_SORT, ListFilter, is_sorter


class ListFilterForm(forms.Form):
    """GET filters of Mine forløb. Unknown values fall back to defaults, never an error page."""

    scope = forms.ChoiceField(
        label=_("Vis"),
        choices=[("mine", _("Forløb jeg koordinerer")), ("team", _("Alle forløb i mine teams"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    phase = forms.ChoiceField(
        label=_("Fase"),
        choices=[("", _("Alle faser")), *Phase.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sorter = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, teams, default_scope: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("Alle mine teams")), *[(t.pk, t.name) for t in teams]]
        if len(teams) < 2:
            del self.fields["team"]  # one team: nothing to choose
        self.fields["scope"].initial = default_scope
        self.default_scope = default_scope

    def to_filter(self) -> ListFilter:
        data = {}
        if self.is_bound:
            self.is_valid()
            # Keep what is valid; a broken field falls back to its default.
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        sorter = data.get("sorter") or DEFAULT_SORT
        return ListFilter(
            scope=data.get("scope") or self.default_scope,
            phase=data.get("phase") or "",
            team=data.get("team"),
            sorter=sorter if is_sorter(sorter) else DEFAULT_SORT,
            page=data.get("page") or 1,
        )


class SearchForm(forms.Form):
    """The header's search (sent by POST, so a CPR number never stands in an address or a server log)."""

    q = forms.CharField(
        label=_("Søg efter borger eller forløb"),
        required=False,
        max_length=search_terms.MAX_LENGTH,
        error_messages={"max_length": _("Søgningen er for lang (højst %(limit_value)s tegn).")},
    )

    def clean(self):
        cleaned = super().clean()
        if "q" in cleaned:
            try:
                cleaned["criterion"] = search_terms.parse(cleaned["q"])
            except forms.ValidationError as exc:
                self.add_error("q", exc)
        return cleaned
