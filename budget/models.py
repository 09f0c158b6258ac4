"""Budget lines (annex 7.3), yearly POA budgets (table 2.1), partner contribution, financial plan (7.5).

Money is Decimal in the programme's currency. Header lines of a FIT export carry the
subtotals FIT printed; they are stated figures and do not always equal the sum of
their children, so programme totals are computed from leaf lines only.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import MONEY


class FinMode(models.TextChoices):
    NONE = "", _("—")
    COGES = "COGES", _("COGES (co-managed)")
    REGIE = "REGIE", _("REGIE (BTC-managed)")


def _money(verbose_name, **kwargs) -> models.DecimalField:
    # The precision of money is declared once, beside the indicators' fields.
    return models.DecimalField(verbose_name, max_digits=MONEY.digits, decimal_places=MONEY.places, **kwargs)


class BudgetLine(models.Model):
    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="budget_lines")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("code"), max_length=20, help_text=_("Path of codes: A/01/01, Z/03/05, X …"))
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    is_header = models.BooleanField(_("header line"), default=False)
    fin_mode = models.CharField(_("financing mode"), max_length=5, choices=FinMode, blank=True, default="")
    amount = _money(_("amount"), null=True, blank=True)
    result = models.ForeignKey(
        "indicators.Result", on_delete=models.SET_NULL, null=True, blank=True, related_name="budget_lines"
    )
    activity = models.ForeignKey(
        "indicators.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="budget_lines"
    )
    budget_version = models.CharField(_("budget version"), max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="budget_line_code_unique"),
            models.CheckConstraint(
                condition=Q(is_header=True) | Q(amount__isnull=False), name="budget_leaf_has_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def depth(self) -> int:
        return self.code.count("/")


class BudgetExpense(models.Model):
    """Spending of a line over a span of years as FIT reports it ("Start - 2011", "Expenses 2012")."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="expenses")
    year_from = models.PositiveSmallIntegerField(
        _("from year"), null=True, blank=True, help_text=_("Empty: from the programme's start")
    )
    year_to = models.PositiveSmallIntegerField(_("to year"))
    amount = _money(_("amount"))

    class Meta:
        verbose_name = _("budget line expense")
        verbose_name_plural = _("budget line expenses")
        ordering = ["line", "year_to"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year_to"], name="expense_unique_per_year"),
            models.CheckConstraint(
                condition=Q(year_from__isnull=True) | Q(year_from__lte=models.F("year_to")),
                name="expense_span_ordered",
            ),
        ]

    def __str__(self) -> str:
        start = self.year_from or "start"
        return f"{self.line.code} {start}–{self.year_to}: {self.amount}"


class YearlyBudget(models.Model):
    """The yearly POA budget and what was spent that year (table 2.1)."""

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="yearly_budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    budget = _money(_("POA budget"))
    spent = _money(_("spent in the year"))

    class Meta:
        verbose_name = _("yearly budget (POA)")
        verbose_name_plural = _("yearly budgets (POA)")
        ordering = ["programme", "year"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="yearly_budget_unique")]

    def __str__(self) -> str:
        return f"{self.programme} POA {self.year}"


class PartnerContributionExecution(models.Model):
    """The partner (national counterpart) contribution executed up to the end of a year."""

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="partner_executions")
    year = models.PositiveSmallIntegerField(_("up to the end of year"))
    executed = _money(_("executed (cumulative)"))

    class Meta:
        verbose_name = _("partner contribution execution")
        verbose_name_plural = _("partner contribution executions")
        ordering = ["programme", "year"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="partner_execution_unique")]

    def __str__(self) -> str:
        return f"{self.programme} partner {self.year}"


class FinancialPlan(models.Model):
    """A FIT "Financial Planning" export (annex 7.5)."""

    programme = models.ForeignKey("indicators.Programme", on_delete=models.CASCADE, related_name="financial_plans")
    version = models.CharField(_("plan version"), max_length=10, help_text=_("e.g. 2012Q1"))
    budget_version = models.CharField(_("budget version"), max_length=10, blank=True)
    donor = models.CharField(_("donor"), max_length=20, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    unit = models.DecimalField(
        _("unit of the amounts"),
        max_digits=10,
        decimal_places=0,
        default=Decimal("1000"),
        help_text=_("1000 when the export prints amounts in thousands"),
    )
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    printed_on = models.DateField(_("printed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("financial plan")
        verbose_name_plural = _("financial plans")
        ordering = ["programme", "version"]
        constraints = [models.UniqueConstraint(fields=["programme", "version"], name="financial_plan_unique")]

    def __str__(self) -> str:
        return f"{self.programme} {self.version}"


class FinancialPlanLine(models.Model):
    """One line of the financial plan, in the plan's unit (thousands of EUR for FIT)."""

    plan = models.ForeignKey(FinancialPlan, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_lines"
    )
    order = models.PositiveIntegerField(default=0)
    label = models.CharField(_("label as printed"), max_length=200)
    is_header = models.BooleanField(_("header line"), default=False)
    fin_mode = models.CharField(_("financing mode"), max_length=5, choices=FinMode, blank=True, default="")
    budget = _money(_("budget"), null=True, blank=True)
    spent_to_previous_year = _money(_("spent to the end of the previous year"), null=True, blank=True)
    later_years = _money(_("planned for later years"), null=True, blank=True)

    class Meta:
        verbose_name = _("financial plan line")
        verbose_name_plural = _("financial plan lines")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return self.label


class FinancialPlanQuarter(models.Model):
    line = models.ForeignKey(FinancialPlanLine, on_delete=models.CASCADE, related_name="quarters")
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    amount = _money(_("amount"))

    class Meta:
        verbose_name = _("planned quarter")
        verbose_name_plural = _("planned quarters")
        ordering = ["line", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["line", "quarter"], name="plan_quarter_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="plan_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.line} Q{self.quarter}"
