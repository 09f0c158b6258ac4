"""Programme, logical framework, indicators, their values and targets, tasks, memberships.

Periods are stored as (year, quarter) with quarter 0 meaning the whole year; see
``indicators.periods``. Measured values and money are Decimals. A value in the
state "no data" (``no_data=True``) carries no number: it is never a zero.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.periods import Period
from indicators.precision import Precision

SHARE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
QUARTER_VALIDATORS = [MinValueValidator(0), MaxValueValidator(4)]

# The precision of every stored figure, declared here once. The form, the API, the entry service and
# the programme loader refuse what exceeds it; check constraints keep any other write out. 15 digits
# is what SQLite holds exactly (indicators.precision): 99,999,999,999.9999 for a measured value.
MEASURE = Precision(digits=15, places=4)
MONEY = Precision(digits=15, places=2)
SHARE = Precision(digits=7, places=4)
# A percentage indicator's values lie in 0–100 unless the indicator declares another allowed range.
PERCENTAGE_RANGE = (Decimal("0"), Decimal("100"))


def _money(verbose_name=None, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=MONEY.digits, decimal_places=MONEY.places, **kwargs)


def _measure(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=MEASURE.digits, decimal_places=MEASURE.places, **kwargs)


def _share(**kwargs) -> models.DecimalField:
    """A share in percent, 0–100 (49.97 means 49.97 %)."""
    return models.DecimalField(
        max_digits=SHARE.digits, decimal_places=SHARE.places, validators=SHARE_VALIDATORS, **kwargs
    )


def _share_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 100})


def _held(field: str, precision: Precision) -> Q:
    """The column's magnitude bound as a check: SQLite enforces no DecimalField's digits by itself."""
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": -precision.largest, f"{field}__lte": precision.largest}
    )


def held_constraints(model: str, fields: list[str], precision: Precision) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=_held(f, precision), name=f"{model}_{f}_held") for f in fields]


class Rating(models.TextChoices):
    """BTC quality ratings."""

    A = "A", _("A – very good")
    B = "B", _("B – good")
    C = "C", _("C – problems")
    D = "D", _("D – serious problems")


class Programme(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, default="Perú")
    zone = models.CharField(_("intervention zone"), max_length=300, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    belgian_contribution = _money(_("Belgian contribution"))
    partner_contribution = _money(_("partner contribution"), default=Decimal("0"))
    responsible_name = models.CharField(_("programme responsible"), max_length=200, blank=True)
    responsible_role = models.CharField(_("responsible's position"), max_length=200, blank=True)
    executor_name = models.CharField(_("execution responsible"), max_length=200, blank=True)
    executor_role = models.CharField(_("execution responsible's position"), max_length=200, blank=True)
    signature_date = models.DateField(_("signature of the execution agreement"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), null=True, blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    global_objective = models.TextField(_("global objective"), blank=True)
    specific_objective = models.TextField(_("specific objective"), blank=True)
    donor_code = models.CharField(_("donor code"), max_length=50, blank=True)
    executor_code = models.CharField(_("executor code"), max_length=50, blank=True)
    national_partner = models.CharField(_("national partner"), max_length=200, blank=True)
    executing_agency = models.CharField(_("executing agency"), max_length=200, blank=True)
    management_mode = models.CharField(_("management mode"), max_length=100, blank=True)
    start_planned = models.DateField(_("planned start"), null=True, blank=True)
    start_effective = models.DateField(_("effective start"), null=True, blank=True)
    end_planned = models.DateField(_("planned end"), null=True, blank=True)
    end_effective = models.DateField(_("effective end"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]
        constraints = held_constraints("programme", ["belgian_contribution", "partner_contribution"], MONEY)

    def __str__(self) -> str:
        return self.code

    @property
    def total_contribution(self) -> Decimal:
        return self.belgian_contribution + self.partner_contribution

    @property
    def start(self) -> date | None:
        """The day the programme started: effective start, else planned start, else the agreement's signature."""
        return self.start_effective or self.start_planned or self.signature_date

    @property
    def end(self) -> date | None:
        """The day the programme ended (or will end): effective end, else planned end."""
        return self.end_effective or self.end_planned

    @property
    def years(self) -> range:
        """The calendar years of the programme's life, start to end inclusive (2008–2012 for PER0601011).

        Empty when the record has no start; a programme without an end runs to its start year.
        """
        start, end = self.start, self.end
        if start is None:
            return range(0)
        return range(start.year, max(start.year, end.year if end else start.year) + 1)


class Partner(models.Model):
    """A partner institution of section 1 (instancias socias)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=50, blank=True)
    represented_by = models.CharField(_("represented by"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")
        ordering = ["programme", "order"]

    def __str__(self) -> str:
        return self.acronym or self.name


class Result(models.Model):
    """A level of the logical framework: the specific objective (OE) or a result (R1–R4)."""

    class Kind(models.TextChoices):
        SPECIFIC_OBJECTIVE = "OE", _("specific objective")
        RESULT = "R", _("result")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(_("code"), max_length=8, help_text=_("OE, R1, R2 …"))
    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(default=0)
    statement = models.TextField(_("statement"))
    # One item per line, as the logframe (annex 7.1) lists them.
    targets = models.TextField(_("targets (metas)"), blank=True)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    assumptions = models.TextField(_("assumptions"), blank=True)
    weight = models.DecimalField(
        _("weight in the specific objective"), max_digits=6, decimal_places=3, null=True, blank=True
    )

    class Meta:
        verbose_name = _("logframe level")
        verbose_name_plural = _("logframe levels")
        ordering = ["programme", "order"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="result_code_unique")]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.code}"


class Indicator(models.Model):
    class UnitKind(models.TextChoices):
        COUNT = "count", _("count")
        MONEY = "money", _("money")
        PERCENTAGE = "percentage", _("percentage")
        AREA = "area", _("area")
        COUNT_SHARE = "count_share", _("count with share")
        QUALITATIVE = "qualitative", _("qualitative")

    class Direction(models.TextChoices):
        ASCENDING = "asc", _("ascending (more is better)")
        DESCENDING = "desc", _("descending (less is better)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("summed (new units per period)")
        RUNNING_TOTAL = "running", _("running total from the programme's start")
        LATEST = "latest", _("latest value (stock or percentage)")
        RATIO = "ratio", _("ratio of summed numerator and denominator")

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=16, help_text=_("R2.3 …"))
    order = models.PositiveSmallIntegerField(default=0)
    name = models.TextField(_("name"))
    monitoring_name = models.TextField(
        _("name in the monitoring card"), blank=True, help_text=_("The label annex 7.2 uses, when it differs.")
    )
    unit_kind = models.CharField(_("unit kind"), max_length=16, choices=UnitKind.choices)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("S/., ha, actividades …"))
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.ASCENDING)
    aggregation = models.CharField(
        _("aggregation over periods"), max_length=8, choices=Aggregation.choices, default=Aggregation.LATEST
    )
    baseline = _measure(verbose_name=_("baseline"), null=True, blank=True)
    baseline_share = _share(verbose_name=_("baseline share (%)"), null=True, blank=True)
    baseline_text = models.CharField(_("baseline as printed"), max_length=60, blank=True)
    final_target = _measure(verbose_name=_("final target"), null=True, blank=True)
    final_target_share = _share(verbose_name=_("final target share (%)"), null=True, blank=True)
    final_target_text = models.CharField(_("final target as printed"), max_length=60, blank=True)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    has_data = models.BooleanField(
        _("carries data"), default=True, help_text=_("False for indicators only the logframe names.")
    )
    disaggregated_by_chain = models.BooleanField(_("disaggregated by value chain"), default=False)
    disaggregated_by_sex = models.BooleanField(_("disaggregated by sex"), default=False)
    disaggregated_by_region = models.BooleanField(
        _("disaggregated by region"),
        default=False,
        help_text=_("One row per department of the programme's beneficiary districts on the quarter form."),
    )
    expected_min = _measure(verbose_name=_("expected minimum"), null=True, blank=True)
    expected_max = _measure(verbose_name=_("expected maximum"), null=True, blank=True)
    allowed_min = _measure(
        verbose_name=_("allowed minimum"),
        null=True,
        blank=True,
        help_text=_(
            "Values below are refused. Left empty with the maximum, a percentage accepts 0–100; "
            "the expected range only warns."
        ),
    )
    allowed_max = _measure(
        verbose_name=_("allowed maximum"),
        null=True,
        blank=True,
        help_text=_("Values above are refused (e.g. 200 for a plan compliance that can exceed 100 %)."),
    )
    weight = models.DecimalField(_("weight in the result's average"), max_digits=6, decimal_places=3, default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["result__programme", "result__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=_share_in_range("baseline_share"), name="indicator_baseline_share_0_100"),
            models.CheckConstraint(condition=_share_in_range("final_target_share"), name="indicator_final_share_0_100"),
            models.CheckConstraint(
                condition=Q(allowed_min__isnull=True)
                | Q(allowed_max__isnull=True)
                | Q(allowed_min__lte=F("allowed_max")),
                name="indicator_allowed_range_ordered",
            ),
            *held_constraints(
                "indicator",
                ["baseline", "final_target", "expected_min", "expected_max", "allowed_min", "allowed_max"],
                MEASURE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:60]}"

    @property
    def programme(self) -> Programme:
        return self.result.programme

    @property
    def allowed_range(self) -> tuple[Decimal | None, Decimal | None]:
        """(lowest, highest) value the indicator accepts; None is no bound. A percentage: 0–100 unless declared."""
        if self.allowed_min is None and self.allowed_max is None:
            if self.unit_kind == self.UnitKind.PERCENTAGE:
                return PERCENTAGE_RANGE
            return (None, None)
        return (self.allowed_min, self.allowed_max)


class Sex(models.TextChoices):
    ALL = "", _("all")
    FEMALE = "F", _("women")
    MALE = "M", _("men")


class IndicatorValue(models.Model):
    """An indicator's actual value in one period, optionally for one value chain, region or sex."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), default=0, validators=QUARTER_VALIDATORS, help_text=_("0 = whole year")
    )
    chain = models.ForeignKey(
        "chains.ValueChain", on_delete=models.PROTECT, null=True, blank=True, related_name="indicator_values"
    )
    region = models.CharField(
        _("region (department code)"), max_length=2, blank=True, default="", help_text=_("Empty = all regions")
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex, blank=True, default=Sex.ALL)
    value = _measure(verbose_name=_("value"), null=True, blank=True)
    share = _share(verbose_name=_("share (%)"), null=True, blank=True)
    numerator = _measure(verbose_name=_("numerator"), null=True, blank=True)
    denominator = _measure(verbose_name=_("denominator"), null=True, blank=True)
    no_data = models.BooleanField(_("no data"), default=False)
    no_data_reason = models.CharField(_("reason for no data"), max_length=300, blank=True)
    source_text = models.CharField(_("as printed in the source"), max_length=120, blank=True)
    is_stated = models.BooleanField(
        _("stated by a report"), default=False, help_text=_("Figure taken from a report, not entered in the app.")
    )
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.FileField(_("means of verification (file)"), upload_to="evidence/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    follow_up = models.BooleanField(_("flagged for follow-up"), default=False)
    version = models.PositiveIntegerField(default=1, help_text=_("Incremented on every save (optimistic locking)."))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year", "quarter"]
        constraints = [
            # NULL chain is "all chains"; two partial constraints make uniqueness hold on SQLite and PostgreSQL.
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter", "region", "sex"],
                condition=Q(chain__isnull=True),
                name="value_unique_without_chain",
                violation_error_message=_("This indicator already has a value for this period."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter", "chain", "region", "sex"],
                condition=Q(chain__isnull=False),
                name="value_unique_with_chain",
                violation_error_message=_("This indicator already has a value for this period and chain."),
            ),
            models.CheckConstraint(condition=Q(quarter__gte=0, quarter__lte=4), name="value_quarter_0_4"),
            models.CheckConstraint(condition=_share_in_range("share"), name="value_share_0_100"),
            models.CheckConstraint(
                condition=Q(no_data=False) | Q(value__isnull=True, share__isnull=True),
                name="value_no_data_has_no_number",
            ),
            *held_constraints("value", ["value", "numerator", "denominator"], MEASURE),
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


class IndicatorTarget(models.Model):
    """A target for a period (the year-N reference value), optionally per value chain."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0, validators=QUARTER_VALIDATORS)
    chain = models.ForeignKey("chains.ValueChain", on_delete=models.PROTECT, null=True, blank=True)
    value = _measure(verbose_name=_("target"), null=True, blank=True)
    share = _share(verbose_name=_("target share (%)"), null=True, blank=True)
    source_text = models.CharField(_("as printed in the source"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"], condition=Q(chain__isnull=True), name="target_unique"
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter", "chain"],
                condition=Q(chain__isnull=False),
                name="target_unique_with_chain",
            ),
            models.CheckConstraint(condition=_share_in_range("share"), name="target_share_0_100"),
            *held_constraints("target", ["value"], MEASURE),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} target {Period(self.year, self.quarter)}"


class IndicatorComment(models.Model):
    """The comment of an indicator row for a year. ``source`` tells which table it came from."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comments")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source table"), max_length=40, blank=True)
    text = models.TextField(_("comment"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator comment")
        verbose_name_plural = _("indicator comments")
        ordering = ["indicator", "year", "source"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year", "source"], name="indicator_comment_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}"


class StatedScore(models.Model):
    """Efficacy, efficiency, sustainability and average indicator achievement as a report states them.

    Ratios (0.73 = 73 %). These are figures of record (table 2.1, annex 7.2), never computed.
    """

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="stated_scores")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0, validators=QUARTER_VALIDATORS)
    efficacy = models.DecimalField(_("efficacy"), max_digits=8, decimal_places=4, null=True, blank=True)
    efficiency = models.DecimalField(_("efficiency"), max_digits=8, decimal_places=4, null=True, blank=True)
    sustainability = models.DecimalField(_("sustainability"), max_digits=8, decimal_places=4, null=True, blank=True)
    average_achievement = models.DecimalField(
        _("average indicator achievement"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=60, blank=True, help_text=_("e.g. 'Informe anual 2011, 2.1'"))

    class Meta:
        verbose_name = _("stated score")
        verbose_name_plural = _("stated scores")
        ordering = ["result", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["result", "year", "quarter"], name="stated_score_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=0, quarter__lte=4), name="stated_score_quarter_0_4"),
        ]

    def __str__(self) -> str:
        return f"{self.result} {Period(self.year, self.quarter)}"


class StatedAchievement(models.Model):
    """An indicator's achievement for a period as annex 7.2 states it (ratio: 1.52 = 152 %)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="stated_achievements")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0, validators=QUARTER_VALIDATORS)
    achievement = models.DecimalField(_("achievement"), max_digits=8, decimal_places=4)
    source = models.CharField(_("source"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("stated achievement")
        verbose_name_plural = _("stated achievements")
        ordering = ["indicator", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "quarter"], name="stated_achievement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {Period(self.year, self.quarter)}"


class Activity(models.Model):
    """An activity of a result (3.3.2), also a budget line of annex 7.3."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField(_("code"), max_length=16)
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["result", "order"]
        constraints = [models.UniqueConstraint(fields=["result", "code"], name="activity_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ActivityRating(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=1, choices=Rating)
    comment = models.TextField(_("comment (only for C or D)"), blank=True)

    class Meta:
        verbose_name = _("activity rating")
        verbose_name_plural = _("activity ratings")
        ordering = ["activity", "year"]
        constraints = [models.UniqueConstraint(fields=["activity", "year"], name="activity_rating_unique")]

    def __str__(self) -> str:
        return f"{self.activity} {self.year}: {self.rating}"


class Task(models.Model):
    """A planned task of an activity in a period: the input of efficacy, efficiency and sustainability."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tasks")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    name = models.CharField(_("name"), max_length=300)
    planned = models.BooleanField(_("planned"), default=True)
    executed = models.BooleanField(_("executed"), default=False)
    planned_cost = _money(_("planned programme cost"), default=0)
    actual_cost = _money(_("actual programme cost"), default=0)
    beneficiary_contribution = _money(_("contribution by beneficiaries"), default=0)
    partner_contribution = _money(_("contribution by partner institutions"), default=0)
    assumable = models.BooleanField(
        _("assumable by beneficiaries or partners"),
        default=False,
        help_text=_("Tasks that beneficiaries or partners could take over after the programme."),
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["activity", "year", "quarter", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="task_quarter_1_4"),
            models.CheckConstraint(
                condition=Q(planned_cost__gte=0, actual_cost__gte=0, beneficiary_contribution__gte=0)
                & Q(partner_contribution__gte=0),
                name="task_costs_not_negative",
            ),
            *held_constraints(
                "task", ["planned_cost", "actual_cost", "beneficiary_contribution", "partner_contribution"], MONEY
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a programme, and for staff what they may enter."""

    class Role(models.TextChoices):
        STAFF = "staff", _("programme staff")
        REVIEWER = "reviewer", _("reviewer (UGCP)")
        EMCL = "emcl", _("EMCL member")
        ADMIN = "admin", _("administrator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    results = models.ManyToManyField(Result, blank=True, verbose_name=_("results assigned"))
    chains = models.ManyToManyField("chains.ValueChain", blank=True, verbose_name=_("value chains assigned"))
    regions = models.CharField(
        _("regions assigned"), max_length=100, blank=True, help_text=_("Department codes, comma-separated.")
    )
    all_scope = models.BooleanField(
        _("all results, chains and regions"), default=False, help_text=_("Staff who may enter every indicator.")
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "programme"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.programme}: {self.role}"


# ---------------------------------------------------------------------------------------------
# Quarterly entry workflow: quarter state, review comments, notifications.


class QuarterState(models.Model):
    """Entry state of one quarter of a programme: when it opens, whether it is submitted, approved, reopened.

    The quarter opens on ``opens_on`` (the quarter's first day when empty) and closes
    ``settings.ENTRY_CLOSE_AFTER_DAYS`` after its end; an approved quarter is locked. Only a
    reviewer lifts either lock, by reopening with a reason.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open for entry")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved (locked)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quarter_states")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    opens_on = models.DateField(_("opens for entry on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reopened = models.BooleanField(
        _("reopened by a reviewer"), default=False, help_text=_("Open for entry whatever the closing date.")
    )
    reason = models.CharField(_("reason of the last change"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarter entry state")
        verbose_name_plural = _("quarter entry states")
        ordering = ["programme", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "quarter"], name="quarter_state_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarter_state_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {Period(self.year, self.quarter)}: {self.status}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


class ValueReview(models.Model):
    """A reviewer's comment on one value when returning it (the reason the person who entered it reads)."""

    class Action(models.TextChoices):
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("value review")
        verbose_name_plural = _("value reviews")
        ordering = ["value", "created_at"]

    def __str__(self) -> str:
        return f"{self.value} {self.action}"


class Notification(models.Model):
    """An in-application message to one user (a returned value, a reopened quarter)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]
