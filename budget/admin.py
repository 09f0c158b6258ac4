from django.contrib import admin

from budget.models import (
    BudgetExpense,
    BudgetLine,
    FinancialPlan,
    FinancialPlanLine,
    FinancialPlanQuarter,
    PartnerContributionExecution,
    YearlyBudget,
)


class BudgetExpenseInline(admin.TabularInline):
    model = BudgetExpense
    extra = 0


class ChildLineInline(admin.TabularInline):
    model = BudgetLine
    fk_name = "parent"
    extra = 0
    fields = ["code", "order", "name", "is_header", "fin_mode", "amount", "result", "activity"]
    show_change_link = True


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "fin_mode", "amount", "is_header", "result"]
    list_editable = ["amount"]
    list_filter = ["programme", "fin_mode", "is_header", "result__code"]
    search_fields = ["code", "name"]
    list_select_related = ["result"]
    inlines = [BudgetExpenseInline, ChildLineInline]


@admin.register(YearlyBudget)
class YearlyBudgetAdmin(admin.ModelAdmin):
    list_display = ["programme", "year", "budget", "spent"]
    list_editable = ["budget", "spent"]
    list_filter = ["programme"]


@admin.register(PartnerContributionExecution)
class PartnerContributionExecutionAdmin(admin.ModelAdmin):
    list_display = ["programme", "year", "executed"]
    list_filter = ["programme"]


class FinancialPlanLineInline(admin.TabularInline):
    model = FinancialPlanLine
    extra = 0
    fields = ["order", "label", "is_header", "fin_mode", "budget", "spent_to_previous_year", "later_years"]
    show_change_link = True


@admin.register(FinancialPlan)
class FinancialPlanAdmin(admin.ModelAdmin):
    list_display = ["programme", "version", "budget_version", "plan_year", "unit"]
    list_filter = ["programme"]
    inlines = [FinancialPlanLineInline]


class FinancialPlanQuarterInline(admin.TabularInline):
    model = FinancialPlanQuarter
    extra = 0


@admin.register(FinancialPlanLine)
class FinancialPlanLineAdmin(admin.ModelAdmin):
    list_display = ["label", "plan", "fin_mode", "budget", "spent_to_previous_year"]
    list_filter = ["plan"]
    search_fields = ["label"]
    inlines = [FinancialPlanQuarterInline]
