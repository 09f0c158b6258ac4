"""REST API: the programme's value chains, by id or slug (``papa-nativa``)."""

from django_filters import rest_framework as filters
from rest_framework import serializers

from chains.models import ValueChain
from cse_monitor.lib.api import SPARSE_FIELDS, ModelSerializer, ReadViewSet, UpdatedSinceFilter
from indicators.permissions import visible_programmes


class ValueChainSerializer(ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ValueChain
        fields = ["id", "programme", "slug", "name", "order", "updated_at"]


class ValueChainFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code", label="Programme code")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ValueChain
        fields = []


@SPARSE_FIELDS
class ValueChainViewSet(ReadViewSet):
    """Value chains (cadenas de valor); detail by id or slug, ``?programme=`` when a slug is shared."""

    serializer_class = ValueChainSerializer
    filterset_class = ValueChainFilter
    code_field = "slug"
    ordering_fields = ["order", "slug", "updated_at"]
    ordering = ["programme__code", "order"]

    def get_queryset(self):
        return ValueChain.objects.filter(programme__in=visible_programmes(self.request.user)).select_related(
            "programme"
        )
