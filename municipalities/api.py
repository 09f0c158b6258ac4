"""REST API: the district register (by id or ubigeo ``050101``) and the beneficiary districts (annex 7.4)."""

from django_filters import rest_framework as filters
from rest_framework import serializers

from cse_monitor.lib.api import SPARSE_FIELDS, ModelSerializer, ReadViewSet, UpdatedSinceFilter
from indicators.permissions import visible_programmes
from municipalities.models import BeneficiaryDistrict, District


class DistrictSerializer(ModelSerializer):
    department_code = serializers.CharField(read_only=True)

    class Meta:
        model = District
        fields = ["id", "ubigeo", "ubigeo_reniec", "ubigeo_sunat", "department_code", "department", "province", "name"]


class DistrictFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="ubigeo", lookup_expr="startswith", label="Department code (05 = Ayacucho)")
    department = filters.CharFilter(field_name="department", lookup_expr="iexact", label="Department name")
    province = filters.CharFilter(field_name="province", lookup_expr="iexact", label="Province name")

    class Meta:
        model = District
        fields = []


@SPARSE_FIELDS
class DistrictViewSet(ReadViewSet):
    """Peru's district register (INEI ubigeo with RENIEC and SUNAT codes); detail by ubigeo or id.

    A six-digit value is read as an ubigeo, anything else numeric as an id.
    """

    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter
    code_field = "ubigeo"
    ordering_fields = ["ubigeo", "name"]
    ordering = ["ubigeo"]
    last_modified_field = None  # the register changes only through migrations

    def is_id(self, value: str) -> bool:
        return value.isdigit() and len(value) != 6

    def get_queryset(self):
        return District.objects.all()


class BeneficiaryDistrictSerializer(ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ubigeo = serializers.CharField(source="district.ubigeo", read_only=True)
    district = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = BeneficiaryDistrict
        fields = [
            "id",
            "programme",
            "ubigeo",
            "district",
            "department_label",
            "province_label",
            "district_label",
            "intervention_share",
            "target_population",
            "women_share",
            "domain",
            "updated_at",
        ]


class BeneficiaryDistrictFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code", label="Programme code")
    region = filters.CharFilter(
        field_name="district__ubigeo", lookup_expr="startswith", label="Department code (05 = Ayacucho)"
    )
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = BeneficiaryDistrict
        fields = []


@SPARSE_FIELDS
class BeneficiaryDistrictViewSet(ReadViewSet):
    """Districts of intervention with target population and share of women; detail by id or ubigeo."""

    serializer_class = BeneficiaryDistrictSerializer
    filterset_class = BeneficiaryDistrictFilter
    code_field = "district__ubigeo"
    ordering_fields = ["target_population", "updated_at", "id"]
    ordering = ["programme__code", "id"]

    def is_id(self, value: str) -> bool:
        return value.isdigit() and len(value) != 6

    def get_queryset(self):
        return BeneficiaryDistrict.objects.filter(programme__in=visible_programmes(self.request.user)).select_related(
            "programme", "district"
        )
