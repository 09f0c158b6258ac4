"""REST API: budget lines (annex 7.3) with their execution, by id or code (``A/01/01``)."""

from decimal import Decimal

from django.db.models import Sum
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budget.execution import execution
from budget.models import BudgetLine, FinMode
from cse_monitor.lib.api import SPARSE_FIELDS, ModelSerializer, ReadViewSet, UpdatedSinceFilter
from indicators.permissions import visible_programmes


class BudgetLineSerializer(ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    level = serializers.SlugRelatedField(source="result", slug_field="code", read_only=True, allow_null=True)
    spent = serializers.SerializerMethodField(help_text="Σ of the line's expenses (money)")
    balance = serializers.SerializerMethodField(help_text="amount − spent (money); null for a header")
    execution_rate = serializers.SerializerMethodField(help_text="Ratio spent ÷ amount; null without an amount")

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "programme",
            "code",
            "parent",
            "order",
            "name",
            "is_header",
            "fin_mode",
            "level",
            "amount",
            "spent",
            "balance",
            "execution_rate",
            "budget_version",
            "updated_at",
        ]

    def _execution(self, obj):
        return execution(obj.amount, obj.spent_total or Decimal("0"))

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_spent(self, obj) -> str:
        return f"{(obj.spent_total or Decimal('0')):.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_balance(self, obj):
        return None if obj.amount is None else f"{self._execution(obj).balance:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True))
    def get_execution_rate(self, obj):
        rate = self._execution(obj).rate
        return None if rate is None else f"{rate:.6f}"


class BudgetLineFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code", label="Programme code")
    level = filters.CharFilter(field_name="result__code", label="Logframe level: R1 … R4")
    fin_mode = filters.ChoiceFilter(choices=FinMode.choices)
    is_header = filters.BooleanFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = BudgetLine
        fields = []


@SPARSE_FIELDS
class BudgetLineViewSet(ReadViewSet):
    """Budget lines with spent (Σ expenses), balance and execution rate; detail by id or code."""

    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    ordering_fields = ["order", "code", "amount", "updated_at"]
    ordering = ["programme__code", "order"]
    lookup_value_regex = ".+?"

    def get_queryset(self):
        return (
            BudgetLine.objects.filter(programme__in=visible_programmes(self.request.user))
            .select_related("programme", "parent", "result")
            .annotate(spent_total=Sum("expenses__amount"))
        )
