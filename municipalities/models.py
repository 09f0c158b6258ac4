"""Peru's district register (ubigeo), ODEL municipalities and beneficiary districts."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import SHARE_VALIDATORS

UBIGEO_VALIDATOR = RegexValidator(r"^\d{6}$", _("An ubigeo has exactly six digits (e.g. 050101)."))


class District(models.Model):
    """A district of the official register: INEI ubigeo with its RENIEC and SUNAT equivalents."""

    ubigeo = models.CharField(_("ubigeo (INEI)"), max_length=6, unique=True, validators=[UBIGEO_VALIDATOR])
    ubigeo_reniec = models.CharField(_("ubigeo (RENIEC)"), max_length=6, blank=True, db_index=True)
    ubigeo_sunat = models.CharField(_("ubigeo (SUNAT)"), max_length=6, blank=True, db_index=True)
    department = models.CharField(_("department"), max_length=60)
    province = models.CharField(_("province"), max_length=60)
    name = models.CharField(_("district"), max_length=80)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["ubigeo"]
        constraints = [
            models.CheckConstraint(condition=Q(ubigeo__regex=r"^[0-9]{6}$"), name="district_ubigeo_six_digits")
        ]

    def __str__(self) -> str:
        return f"{self.ubigeo} {self.name}"

    @property
    def department_code(self) -> str:
        return self.ubigeo[:2]


class OdelMunicipality(models.Model):
    """A municipality the programme works with through its ODEL (local economic development office)."""

    class Status(models.TextChoices):
        UNKNOWN = "", _("no data")
        CREATED = "created", _("created")
        INSTITUTIONALISED = "institutionalised", _("institutionalised and consolidated")

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="odel_municipalities")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    name_as_reported = models.CharField(_("name as reported"), max_length=100, blank=True)
    odel_status = models.CharField(_("ODEL status"), max_length=20, choices=Status.choices, blank=True, default="")
    is_pilot = models.BooleanField(_("pilot municipality"), default=False)
    pilot_since = models.DateField(_("pilot since"), null=True, blank=True)

    class Meta:
        verbose_name = _("ODEL municipality")
        verbose_name_plural = _("ODEL municipalities")
        ordering = ["programme", "district__ubigeo"]
        constraints = [models.UniqueConstraint(fields=["programme", "district"], name="odel_unique")]

    def __str__(self) -> str:
        return self.name_as_reported or self.district.name


class BeneficiaryDistrict(models.Model):
    """A district of intervention (annex 7.4). Names are kept as the list printed them."""

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="beneficiaries")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="beneficiary_of")
    country = models.CharField(_("country"), max_length=60, default="Perú")
    department_label = models.CharField(_("department as listed"), max_length=60)
    province_label = models.CharField(_("province as listed"), max_length=60)
    district_label = models.CharField(_("district as listed"), max_length=80)
    intervention_share = models.DecimalField(
        _("% intervention"), max_digits=7, decimal_places=4, null=True, blank=True, validators=SHARE_VALIDATORS
    )
    target_population = models.PositiveIntegerField(_("target population"), validators=[MinValueValidator(1)])
    women_share = models.DecimalField(
        _("% women"), max_digits=7, decimal_places=4, null=True, blank=True, validators=SHARE_VALIDATORS
    )
    domain = models.CharField(_("domain"), max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("beneficiary district")
        verbose_name_plural = _("beneficiary districts")
        ordering = ["programme", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "district"],
                name="beneficiary_unique",
                violation_error_message=_("This district is already a beneficiary of the programme."),
            ),
            models.CheckConstraint(
                condition=Q(women_share__isnull=True) | Q(women_share__gte=0, women_share__lte=100),
                name="beneficiary_women_share_0_100",
            ),
            models.CheckConstraint(
                condition=Q(intervention_share__isnull=True)
                | Q(intervention_share__gte=0, intervention_share__lte=100),
                name="beneficiary_intervention_share_0_100",
            ),
            models.CheckConstraint(condition=Q(target_population__gte=1), name="beneficiary_population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.district.ubigeo} {self.district_label}"


class BeneficiaryImport(models.Model):
    """One attempt to import a beneficiary workbook: who, when, which file, what it did."""

    class Codes(models.TextChoices):
        INEI = "inei", _("INEI")
        RENIEC = "reniec", _("RENIEC")
        SUNAT = "sunat", _("SUNAT")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        PREVIEW = "preview", _("preview (dry run)")
        REFUSED_ROWS = "refused_rows", _("refused: rows with errors")
        REFUSED_FILE = "refused_file", _("refused: unreadable or unsafe file")

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="beneficiary_imports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    codes = models.CharField(_("codes"), max_length=6, choices=Codes.choices, default=Codes.INEI)
    dry_run = models.BooleanField(_("dry run"), default=False)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    message = models.TextField(_("message"), blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    refused_rows = models.JSONField(_("refused rows"), default=list, blank=True)

    class Meta:
        verbose_name = _("beneficiary import")
        verbose_name_plural = _("beneficiary imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_outcome_display()})"
