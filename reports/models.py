"""Annual report content per programme and year: narratives, risks, quality criteria,
recommendations, EMCL decisions, lessons learned, each with its history (and that of the
activity ratings of 3.3.2, a model of indicators); and the report's approval state."""

import simple_history
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import ActivityRating, Rating


def _content_history() -> HistoricalRecords:
    """History of a report content model: who changed what, and why (written by reports.services)."""
    return HistoricalRecords(history_change_reason_field=models.TextField(null=True))


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved by the EMCL")

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    period_covered = models.CharField(_("period covered"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    emcl_session_date = models.DateField(_("date of the approving EMCL session"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Approvals and reopenings, each with its author and (for a reopening) its reason.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["programme", "year"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="report_unique")]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}"


class ReportSnapshot(models.Model):
    """The report as the EMCL approved it: the document HTML (the web page and the PDF both come from it).

    Written once at approval and never changed, except that its PDF is attached when rendered.
    Reopening the report marks the snapshot superseded (who, when, why); it is kept for audit.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="snapshots")
    html = models.TextField(_("document HTML"))
    html_sha256 = models.CharField(_("SHA-256 of the document HTML"), max_length=64)
    # The PDF job's key: the HTML together with the stylesheet that lays it out.
    fingerprint = models.CharField(_("fingerprint of the document and its stylesheet"), max_length=64)
    language = models.CharField(_("language"), max_length=8)
    emcl_session_date = models.DateField(_("date of the approving EMCL session"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"))
    pdf = models.FileField(_("approved PDF"), upload_to="reports/approved/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the approved PDF"), max_length=64, blank=True)
    superseded_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("approved report snapshot")
        verbose_name_plural = _("approved report snapshots")
        ordering = ["report", "-approved_at"]
        constraints = [
            # A report has at most one snapshot in force: the one of its current approval.
            models.UniqueConstraint(
                fields=["report"], condition=Q(superseded_at__isnull=True), name="report_snapshot_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.emcl_session_date} {self.html_sha256[:10]}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class NarrativeSection(models.Model):
    """A narrative text of the report. Paragraphs separated by blank lines; "- " starts a list item."""

    class Key(models.TextChoices):
        HIGHLIGHTS = "highlights", _("2.2 Highlights")
        KEY_RISKS = "key_risks", _("2.3 Key risks")
        CONTEXT = "context", _("3.1.1 Evolution of the context")
        INSTITUTIONAL_ANCHORAGE = "anchorage", _("3.1.2 Institutional anchorage")
        EXECUTION_MODALITIES = "modalities", _("3.1.3 Execution modalities")
        HARMONISATION = "harmonisation", _("3.1.4 Harmonisation dynamics")
        RESULTS_TO_OBJECTIVE = "results_objective", _("3.2.2.1 Results and the specific objective")
        SENSITIVE_FACTORS = "sensitive_factors", _("3.2.2.2 Sensitive factors")
        UNEXPECTED_RESULTS = "unexpected", _("3.2.2.3 Unexpected results")
        POTENTIAL_IMPACT = "impact", _("3.2.5 Potential impact")
        RESULT_ANALYSIS = "analysis", _("3.3.3 Analysis of progress (per result)")
        BUDGET_EXECUTION = "budget_execution", _("3.3.6 Budget execution")
        GENDER = "gender", _("4.1 Gender")
        ENVIRONMENT = "environment", _("4.2 Environment")

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="narratives")
    year = models.PositiveSmallIntegerField(_("year"))
    key = models.CharField(_("section"), max_length=20, choices=Key.choices)
    result = models.ForeignKey(
        "indicators.Result", on_delete=models.CASCADE, null=True, blank=True, related_name="narratives"
    )
    text = models.TextField(_("text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("narrative section")
        verbose_name_plural = _("narrative sections")
        ordering = ["programme", "year", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "key"], condition=Q(result__isnull=True), name="narrative_unique"
            ),
            models.UniqueConstraint(
                fields=["programme", "year", "key", "result"],
                condition=Q(result__isnull=False),
                name="narrative_unique_per_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year} {self.get_key_display()}"


class Risk(models.Model):
    """A risk of a logframe level for a year (3.2.3, 3.3.4). Probability and impact as the report scores them."""

    result = models.ForeignKey("indicators.Result", on_delete=models.CASCADE, related_name="risks")
    year = models.PositiveSmallIntegerField(_("year"))
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("risk"))
    probability = models.CharField(_("probability"), max_length=20, help_text=_("Bajo / Medio / Alto or A–D"))
    impact_description = models.TextField(_("potential impact"), blank=True)
    impact_score = models.CharField(_("impact score"), max_length=20, blank=True)
    level = models.CharField(_("risk level"), max_length=1, choices=Rating.choices)
    history = _content_history()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["result__order", "year", "order"]

    def __str__(self) -> str:
        return self.description[:80]


class QualityCriterion(models.Model):
    class Criterion(models.TextChoices):
        EFFICACY = "efficacy", _("Efficacy")
        EFFICIENCY = "efficiency", _("Efficiency")
        SUSTAINABILITY = "sustainability", _("Sustainability")
        RELEVANCE = "relevance", _("Relevance")

    result = models.ForeignKey("indicators.Result", on_delete=models.CASCADE, related_name="quality_criteria")
    year = models.PositiveSmallIntegerField(_("year"))
    criterion = models.CharField(_("criterion"), max_length=16, choices=Criterion.choices)
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    history = _content_history()

    class Meta:
        verbose_name = _("quality criterion")
        verbose_name_plural = _("quality criteria")
        ordering = ["result__order", "year", "pk"]
        constraints = [models.UniqueConstraint(fields=["result", "year", "criterion"], name="quality_criterion_unique")]

    def __str__(self) -> str:
        return f"{self.result} {self.year} {self.criterion}: {self.rating}"


class Recommendation(models.Model):
    result = models.ForeignKey("indicators.Result", on_delete=models.CASCADE, related_name="recommendations")
    year = models.PositiveSmallIntegerField(_("year"))
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("recommendation"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    actor = models.CharField(_("actor"), max_length=300, blank=True)
    deadline = models.CharField(_("deadline"), max_length=100, blank=True)
    history = _content_history()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["result__order", "year", "order"]

    def __str__(self) -> str:
        return self.text[:80]


class EmclDecision(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        IN_PROGRESS = "in_progress", _("in progress")
        EXECUTED = "executed", _("executed")

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="emcl_decisions")
    year = models.PositiveSmallIntegerField(_("report year"))
    order = models.PositiveSmallIntegerField(default=0)
    decision = models.TextField(_("decision"))
    source = models.CharField(_("source"), max_length=200, help_text=_("e.g. Acta EMCL del 18.02.2011"))
    minutes_date = models.DateField(_("date of the minutes"), null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=300, blank=True)
    moment = models.CharField(_("moment of the decision"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    updated_at = models.DateTimeField(auto_now=True)
    history = _content_history()

    class Meta:
        verbose_name = _("EMCL decision")
        verbose_name_plural = _("EMCL decisions")
        ordering = ["programme", "year", "order"]

    def __str__(self) -> str:
        return self.decision[:80]


class LessonLearned(models.Model):
    """A lesson learned. ``group`` is the heading it stands under (e.g. "R1 y R2"; "key" for 2.4.1)."""

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="lessons")
    year = models.PositiveSmallIntegerField(_("year"))
    group = models.CharField(_("group"), max_length=40)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("lesson"))
    addressees = models.TextField(_("addressees"), blank=True, help_text=_("One per line."))
    history = _content_history()

    class Meta:
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        ordering = ["programme", "year", "group", "order"]

    def __str__(self) -> str:
        return self.text[:80]


# An activity's rating for a year is report content (section 3.3.2): the reports app owns its write
# path (reports.services) and so its history, which lives here rather than in indicators.
simple_history.register(ActivityRating, app="reports", history_change_reason_field=models.TextField(null=True))


class ReportPdf(models.Model):
    """A PDF rendering of a report's HTML, keyed by the SHA-256 of that HTML (the data fingerprint).

    Rendering happens outside the request (``manage.py render_pdfs`` or the in-process worker
    thread); the job's ``progress`` (0–100) feeds the progress page. A finished job is the
    cache: the same data gives the same HTML, hence the same fingerprint and the same file.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RENDERING = "rendering", _("rendering")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="report_pdfs")
    year = models.PositiveSmallIntegerField(_("year"))
    fingerprint = models.CharField(_("SHA-256 of the rendered HTML"), max_length=64)
    html = models.TextField(_("HTML rendered"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("PDF"), upload_to="reports/pdf/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    freeze = models.BooleanField(_("freeze as the approved PDF when done"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report PDF")
        verbose_name_plural = _("report PDFs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "fingerprint"], name="report_pdf_unique"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_pdf_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year} {self.fingerprint[:10]} {self.status}"
