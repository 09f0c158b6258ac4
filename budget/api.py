"""REST API: budget lines (annex 7.3) with their execution, by id or code (``A/01/01``)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budget.models import BudgetLine, FinMode
from budget.selectors import spending_to_date
from cse_monitor.lib.api import SPARSE_FIELDS, ModelSerializer, ReadViewSet, UpdatedSinceFilter
from indicators.permissions import visible_programmes


class BudgetLineSerializer(ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    level = serializers.SlugRelatedField(source="result", slug_field="code", read_only=True, allow_null=True)
    spent = serializers.SerializerMethodField(
        help_text="Spent to date (money), as the latest FIT extract records it: annex 7.3's Total; null when no "
        "extract is recorded"
    )
    balance = serializers.SerializerMethodField(help_text="amount − spent (money); null for a header or unknown")
    execution_rate = serializers.SerializerMethodField(help_text="Ratio spent ÷ amount; null without an amount")
    spent_as_of = serializers.SerializerMethodField(help_text="The report year of the extract the spending is from")

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
            "spent_as_of",
            "budget_version",
            "updated_at",
        ]

    def _annex(self, obj):
        """Annex 7.3 of the line's programme at its latest extract, read once per programme and request."""
        annexes = self.context.setdefault("annexes", {})
        if obj.programme_id not in annexes:
            annexes[obj.programme_id] = spending_to_date(obj.programme)
        return annexes[obj.programme_id]

    def _row(self, obj):
        annex = self._annex(obj)
        return None if annex is None else next((r for r in annex.rows if r.line_id == obj.pk), None)

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_spent(self, obj):
        row = self._row(obj)
        return None if row is None or row.total is None else f"{row.total:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_balance(self, obj):
        row = self._row(obj)
        return None if row is None or row.balance is None or obj.is_header else f"{row.balance:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True))
    def get_execution_rate(self, obj):
        row = self._row(obj)
        return None if row is None or row.rate is None or obj.is_header else f"{row.rate:.6f}"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_spent_as_of(self, obj):
        annex = self._annex(obj)
        return None if annex is None else annex.year


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
    """Budget lines with their spending to date, balance and execution rate (annex 7.3's); detail by id or code."""

    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    ordering_fields = ["order", "code", "amount", "updated_at"]
    ordering = ["programme__code", "order"]
    lookup_value_regex = ".+?"

    def get_queryset(self):
        return BudgetLine.objects.filter(programme__in=visible_programmes(self.request.user)).select_related(
            "programme", "parent", "result"
        )
