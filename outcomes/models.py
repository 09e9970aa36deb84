"""What became of the borger: forsørgelsesstatus one month and 13 weeks after the end, work,
fleksjob, revalidering and førtidspension, and the sanctions imposed during the forløb.

These are the data Parliament asked for (BEU alm. del spm. 244) and the ministry could not give
because no one recorded them (spec data-and-parliament.md §2.4-2.5). The code lists are the
spec's proposal; each exit code maps onto the categories of the 2015 answer (table 3) and of
Rigsrevisionen's 2017 figure 1, so national figures can be reproduced from the app's data.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Forloeb
from cases.text import NOTE, text_limits


class ExitStatusCode(models.TextChoices):
    """Forsørgelsesstatus after the end (spec §2.5)."""

    ORD_BESK = "ORD_BESK", _("Ordinær beskæftigelse")
    SELVFORS = "SELVFORS", _("Selvforsørgelse (uden job og uden ydelse)")
    UDD_SU = "UDD_SU", _("Uddannelse med SU")
    A_DAGPENGE = "A_DAGPENGE", _("A-dagpenge")
    KONTANTHJ = "KONTANTHJ", _("Kontanthjælp eller uddannelseshjælp")
    REVALIDERING = "REVALIDERING", _("Revalidering")
    FORREVALIDERING = "FORREVALIDERING", _("Forrevalidering")
    SYGEDAGPENGE = "SYGEDAGPENGE", _("Sygedagpenge")
    JOBAFKLARING = "JOBAFKLARING", _("Jobafklaringsforløb")
    FLEKSJOB = "FLEKSJOB", _("Fleksjob")
    LEDIGHEDSYDELSE = "LEDIGHEDSYDELSE", _("Ledighedsydelse")
    FP = "FP", _("Førtidspension mv.")
    NYT_RESSOURCEFORLOEB = "NYT_RESSOURCEFORLOEB", _("Nyt ressourceforløb")
    ANDET = "ANDET", _("Andet")
    UKENDT = "UKENDT", _("Ukendt")


# The 2015 answer's table 3 (003 L119-143) and Rigsrevisionen's figure 1 (000), spec §2.5. The
# mappings the spec marks as assumptions (UDD_SU, KONTANTHJ incl. uddannelseshjælp, JOBAFKLARING,
# NYT_RESSOURCEFORLOEB) are kept as the spec proposes them.
TABLE_3 = {
    ExitStatusCode.ORD_BESK: "Beskæftigelse/selvforsørgelse",
    ExitStatusCode.SELVFORS: "Beskæftigelse/selvforsørgelse",
    ExitStatusCode.UDD_SU: "Beskæftigelse/selvforsørgelse",
    ExitStatusCode.A_DAGPENGE: "A-dagpenge",
    ExitStatusCode.KONTANTHJ: "Kontanthjælp",
    ExitStatusCode.REVALIDERING: "Revalidering/Forrevalidering",
    ExitStatusCode.FORREVALIDERING: "Revalidering/Forrevalidering",
    ExitStatusCode.SYGEDAGPENGE: "Sygedagpenge",
    ExitStatusCode.JOBAFKLARING: "Andet",
    ExitStatusCode.FLEKSJOB: "Fleksjob",
    ExitStatusCode.LEDIGHEDSYDELSE: "Ledighedsydelse",
    ExitStatusCode.FP: "Førtidspension mv.",
    ExitStatusCode.NYT_RESSOURCEFORLOEB: "Andet",
    ExitStatusCode.ANDET: "Andet",
    ExitStatusCode.UKENDT: "Andet",
}
TABLE_3_ORDER = (
    "Beskæftigelse/selvforsørgelse",
    "A-dagpenge",
    "Kontanthjælp",
    "Revalidering/Forrevalidering",
    "Sygedagpenge",
    "Fleksjob",
    "Ledighedsydelse",
    "Førtidspension mv.",
    "Andet",
)
FIGURE_1 = {
    ExitStatusCode.ORD_BESK: "Ordinær beskæftigelse",
    ExitStatusCode.SELVFORS: "Selvforsørgelse",
    ExitStatusCode.UDD_SU: "SU",
    ExitStatusCode.A_DAGPENGE: "Dagpenge",
    ExitStatusCode.KONTANTHJ: "Kontanthjælp",
    ExitStatusCode.REVALIDERING: "Revalidering",
    ExitStatusCode.FORREVALIDERING: "Revalidering",
    ExitStatusCode.SYGEDAGPENGE: "Sygedagpenge/jobafklaring",
    ExitStatusCode.JOBAFKLARING: "Sygedagpenge/jobafklaring",
    ExitStatusCode.FLEKSJOB: "Fleksjob",
    ExitStatusCode.LEDIGHEDSYDELSE: "Ledighedsydelse",
    ExitStatusCode.FP: "Førtidspension",
    ExitStatusCode.NYT_RESSOURCEFORLOEB: "Ressourceforløb",
    ExitStatusCode.ANDET: "Andet",
    ExitStatusCode.UKENDT: "Andet",
}


class FollowUpPoint(models.TextChoices):
    """The two fixed points after the end at which the forsørgelsesstatus is recorded."""

    ONE_MONTH = "1m", _("1 måned efter afslutning")
    THIRTEEN_WEEKS = "13u", _("13 uger efter afslutning")

    def due_on(self, closed_on: dt.date) -> dt.date:
        """The day the status is to be recorded: one calendar month (the last day of a shorter
        month) or 13 weeks (91 days) after the day the forløb ended."""
        if self == FollowUpPoint.ONE_MONTH:
            return closed_on + relativedelta(months=1)
        return closed_on + dt.timedelta(weeks=13)


class HoursSource(models.TextChoices):
    BORGER = "borger", _("Oplyst af borgeren")
    KONTRAKT = "kontrakt", _("Ansættelseskontrakt")
    EINDKOMST = "eindkomst", _("eIndkomst")


@text_limits
class ExitStatus(models.Model):
    """The borger's forsørgelsesstatus at one follow-up point after the forløb ended."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="exit_statuses")
    point = models.CharField(_("tidspunkt"), max_length=3, choices=FollowUpPoint.choices)
    code = models.CharField(_("forsørgelsesstatus"), max_length=30, choices=ExitStatusCode.choices)
    job_hours_per_week = models.DecimalField(
        _("timer om ugen i job"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    hours_source = models.CharField(_("kilde til timetallet"), max_length=20, choices=HoursSource.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=NOTE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("registreret"))

    class Meta:
        verbose_name = _("forsørgelsesstatus efter forløbet")
        verbose_name_plural = _("forsørgelsesstatus efter forløbet")
        constraints = [models.UniqueConstraint(fields=["forloeb", "point"], name="one_exit_status_per_point")]

    def __str__(self):
        return f"{self.get_point_display()}: {self.get_code_display()}"


class BonusStatus(models.TextChoices):
    """Fleksjobbonus to the employer (BEU 244 question 6)."""

    NONE = "ingen", _("Ingen")
    PREAPPROVED = "forhaandsgodkendt", _("Forhåndsgodkendt")
    PAID = "udloest", _("Udløst")


class RevalideringType(models.TextChoices):
    REVALIDERING = "revalidering", _("Revalidering")
    FORREVALIDERING = "forrevalidering", _("Forrevalidering")


class ForloebResult(models.Model):
    """Work, fleksjob, revalidering and førtidspension during or after the forløb (BEU 244
    questions 3-9), one record per forløb, each fact with its date. Førtidspension indstillet
    (the rehabiliteringsteam's or the kommune's indstilling) and tilkendt (the kommune's
    afgørelse) are kept apart; `fp_held_before` marks a borger who kept a førtidspension through
    the forløb, whose exit must not count as an exit to førtidspension (R-000-18)."""

    forloeb = models.OneToOneField(Forloeb, on_delete=models.CASCADE, related_name="result")
    ordinary_job_from = models.DateField(_("ordinært job fra"), null=True, blank=True)
    job_hours_per_week = models.DecimalField(
        _("timer om ugen i ordinært job"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    hours_source = models.CharField(_("kilde til timetallet"), max_length=20, choices=HoursSource.choices, blank=True)
    fleksjob_visiteret_on = models.DateField(_("visiteret til fleksjob"), null=True, blank=True)
    fleksjob_expected_hours = models.DecimalField(
        _("forventede timer om ugen ved visitation"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    fleksjob_employed_on = models.DateField(_("ansat i fleksjob"), null=True, blank=True)
    fleksjob_hours_per_week = models.DecimalField(
        _("timer om ugen i fleksjob"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    fleksjob_employer_cvr = models.CharField(_("arbejdsgivers CVR-nummer"), max_length=8, blank=True)
    fleksjob_bonus_status = models.CharField(
        _("fleksjobbonus"), max_length=20, choices=BonusStatus.choices, default=BonusStatus.NONE
    )
    fleksjob_bonus_preapproved_on = models.DateField(_("bonus forhåndsgodkendt"), null=True, blank=True)
    fleksjob_bonus_paid_on = models.DateField(_("bonus udløst"), null=True, blank=True)
    revalidering_type = models.CharField(_("revalidering"), max_length=20, choices=RevalideringType.choices, blank=True)
    revalidering_from = models.DateField(_("revalidering fra"), null=True, blank=True)
    fp_indstillet_on = models.DateField(_("indstillet til førtidspension"), null=True, blank=True)
    fp_tilkendt_on = models.DateField(_("tilkendt førtidspension"), null=True, blank=True)
    fp_decision_ref = models.CharField(_("afgørelsens journalnummer"), max_length=50, blank=True)
    fp_held_before = models.BooleanField(_("havde førtidspension under forløbet"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("opdateret"))

    class Meta:
        verbose_name = _("resultat af forløbet")
        verbose_name_plural = _("resultater af forløb")

    def __str__(self):
        return f"Resultat af forløb {self.forloeb_id}"


# The facts a ForloebResult holds (what its form edits and the interchange carries), in field order.
RESULT_FACT_FIELDS = tuple(
    f.name for f in ForloebResult._meta.concrete_fields if f.name not in {"id", "forloeb", "updated_by", "updated_at"}
)


class SanctionType(models.TextChoices):
    FRADRAG = "fradrag", _("Fradrag i ydelsen")
    NEDSAETTELSE = "nedsaettelse", _("Nedsættelse af ydelsen")
    OPHOER = "ophoer", _("Ophør af ydelsen")


class SanctionReason(models.TextChoices):
    """BEU 244 question 11: sanctioned for not taking part in or not completing the forløb."""

    NOT_TAKEN_PART = "ikke_medvirket", _("Har ikke medvirket")
    NOT_COMPLETED = "ikke_gennemfoert", _("Har ikke gennemført")


@text_limits
class Sanction(models.Model):
    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="sanctions")
    imposed_on = models.DateField(_("dato"))
    kind = models.CharField(_("type"), max_length=20, choices=SanctionType.choices)
    reason = models.CharField(_("årsag"), max_length=20, choices=SanctionReason.choices)
    note = models.TextField(_("note"), blank=True, max_length=NOTE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("registreret"))

    class Meta:
        verbose_name = _("sanktion")
        verbose_name_plural = _("sanktioner")
        ordering = ["imposed_on", "pk"]

    def __str__(self):
        return f"{self.imposed_on}: {self.get_kind_display()}"
