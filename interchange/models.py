"""What came in through the interchange format, and every evaluation export that went out."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Forloeb


class ImportRecord(models.Model):
    """One forløb written by an import, with the digest of the document it came from, so a
    second import of the same document is recognised and changes nothing."""

    forloeb = models.OneToOneField(Forloeb, on_delete=models.CASCADE, related_name="import_record")
    digest = models.CharField(max_length=64)
    schema_version = models.CharField(max_length=10)
    file_name = models.CharField(_("fil"), max_length=300)
    imported_at = models.DateTimeField(_("indlæst"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("indlæst forløb")
        verbose_name_plural = _("indlæste forløb")

    def __str__(self):
        return f"{self.forloeb_id} fra {self.file_name}"


class ExportKind(models.TextChoices):
    INTERCHANGE = "interchange", _("Forløb i udvekslingsformat")
    E1 = "e1", _("E1: ét forløb pr. række")
    E2 = "e2", _("E2: én indsats pr. række")
    E4 = "e4", _("E4: månedligt øjebliksbillede pr. borger")


class ExportLog(models.Model):
    """Who took which export, when, with what filter, and whether it was pseudonymised."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)
    kind = models.CharField(_("udtræk"), max_length=20, choices=ExportKind.choices)
    file_format = models.CharField(_("format"), max_length=10)
    pseudonymised = models.BooleanField(_("pseudonymiseret"))
    filters = models.JSONField(_("filter"), default=dict)
    rows = models.PositiveIntegerField(_("rækker"), default=0)
    via = models.CharField(_("via"), max_length=10, choices=[("web", "web"), ("cli", "kommandolinje")])

    class Meta:
        verbose_name = _("udtræk")
        verbose_name_plural = _("udtrækslog")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
