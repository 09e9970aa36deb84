"""The filter of the ledelsestilsyn pages (GET): which kommune, team or caseworker, as of which day,
over which period. Bad input never fails the page: a broken field gets a Danish message and falls
back to its default. A team or kommune outside the user's scope is not an input error but a
request for what the user may not see: `supervision.selectors.unit_for` answers it with 404."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import BoundedDateField, DateInput
from cases.models import Kommune, User
from supervision import selectors


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class UnitFilterForm(forms.Form):
    kommune = forms.IntegerField(
        label=_("Kommune"), required=False, error_messages={"invalid": _("Vælg en kommune på listen.")}
    )
    team = forms.IntegerField(label=_("Team"), required=False, error_messages={"invalid": _("Vælg et team på listen.")})
    # Any caseworker id is let through: the figures only ever count forløb of the teams in view.
    sagsbehandler = forms.IntegerField(
        label=_("Sagsbehandler"), required=False, error_messages={"invalid": _("Vælg en sagsbehandler på listen.")}
    )
    pr = BoundedDateField(label=_("Opgjort pr."), widget=DateInput(), required=False)
    fra = BoundedDateField(label=_("Periode fra"), widget=DateInput(), required=False)
    til = BoundedDateField(label=_("Periode til"), widget=DateInput(), required=False)

    def __init__(self, *args, user: User, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today
        if self.is_bound:  # a link that names no day: show the defaults the page uses
            data = self.data.copy()
            data["pr"] = data.get("pr") or today.isoformat()
            data["til"] = data.get("til") or data["pr"]
            data["fra"] = data.get("fra") or data["til"]
            self.data = data
        self.supervisor = selectors.is_supervisor(user)
        self.kommune_ids = selectors.kommune_ids_for(user)
        asked = _int_or_none(self.data.get("kommune"))
        # The teams to choose from are those of the kommune asked for (unit_for refuses a foreign one).
        self.kommune_id = asked if asked is not None else (self.kommune_ids[0] if self.kommune_ids else None)
        self.teams = list(selectors.teams_in_view(user, self.kommune_id).order_by("name")) if self.kommune_id else []
        self._kommune_choices()
        for name in ("pr", "fra", "til"):
            self.fields[name].initial = today
        if not self.supervisor:  # a caseworker sees their own figures only
            del self.fields["team"], self.fields["sagsbehandler"]
            return
        self.fields["team"].widget = forms.Select(
            choices=[("", _("Alle teams")), *[(t.pk, t.name) for t in self.teams]]
        )
        caseworkers = selectors.caseworkers_of([t.pk for t in self.teams])
        self.caseworker_names = {u.pk: u.get_full_name() or u.username for u in caseworkers}
        self.fields["sagsbehandler"].widget = forms.Select(
            choices=[("", _("Alle sagsbehandlere")), *self.caseworker_names.items()]
        )

    def _kommune_choices(self) -> None:
        if len(self.kommune_ids) <= 1:
            self.fields["kommune"].widget = forms.HiddenInput()
            return
        names = dict(Kommune.objects.filter(pk__in=self.kommune_ids).values_list("pk", "name"))
        self.fields["kommune"].widget = forms.Select(choices=[(pk, names.get(pk, pk)) for pk in self.kommune_ids])

    def clean(self):
        data = super().clean()
        pr, fra, til = data.get("pr"), data.get("fra"), data.get("til")
        if pr and pr > self.today:
            self.add_error("pr", _("Opgørelsesdagen kan ikke ligge i fremtiden."))
            pr = None
        pr = pr or self.today
        if til and til > pr:
            self.add_error("til", _("Perioden kan ikke slutte efter opgørelsesdagen."))
            til = None
        til = til or pr
        if fra and fra > til:
            self.add_error("fra", _("Perioden kan ikke begynde efter den slutter."))
        return data

    def unit_kwargs(self) -> dict:
        """The arguments of `selectors.unit_for`: what is valid, defaults for the rest."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        as_of = data.get("pr") or self.today
        period_to = data.get("til") or as_of
        period_from = data.get("fra") or period_to
        kommune = data.get("kommune")
        return {
            "kommune_id": kommune if kommune is not None else self.kommune_id,
            "as_of": as_of,
            "period_from": period_from,
            "period_to": period_to,
            "team_id": data.get("team"),
            "coordinator_id": data.get("sagsbehandler"),
        }


def filter_params(unit: selectors.Unit, *, supervisor: bool) -> dict:
    """The unit as query parameters, so that every link between the pages keeps the filter."""
    params = {"kommune": unit.kommune_id}
    if supervisor and unit.team_id is not None:
        params["team"] = unit.team_id
    if supervisor and unit.coordinator_id is not None:
        params["sagsbehandler"] = unit.coordinator_id
    params |= {"pr": unit.as_of.isoformat(), "fra": unit.period_from.isoformat(), "til": unit.period_to.isoformat()}
    return params
