"""django-import-export resource for beneficiary lists: the annex 7.4 layout, for the admin's Export button.

Imports do not go through this resource: they go through `municipalities.services`, the one
implementation the admin, the command and the tests share (see municipalities/admin.py).
"""

from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from cse_monitor.lib.spreadsheets import XLSX_CONTENT_TYPE
from municipalities.models import BeneficiaryDistrict

# Column headers exactly as annex 7.4 prints them (with "Dominio" spelled correctly).
ANNEX_HEADERS = (
    "Ubigeo",
    "País",
    "Departamento",
    "Provincia",
    "Distrito",
    "% intervención",
    "N° de Población objetivo",
    "% Mujeres/total",
    "Dominio",
)
SHARE_COLUMNS = (6, 8)  # 1-based: % intervención, % Mujeres/total


class BeneficiaryResource(resources.ModelResource):
    ubigeo = fields.Field(attribute="district__ubigeo", column_name=ANNEX_HEADERS[0])
    country = fields.Field(attribute="country", column_name=ANNEX_HEADERS[1])
    department = fields.Field(attribute="department_label", column_name=ANNEX_HEADERS[2])
    province = fields.Field(attribute="province_label", column_name=ANNEX_HEADERS[3])
    district = fields.Field(attribute="district_label", column_name=ANNEX_HEADERS[4])
    intervention = fields.Field(
        attribute="intervention_share", column_name=ANNEX_HEADERS[5], widget=widgets.DecimalWidget()
    )
    population = fields.Field(
        attribute="target_population", column_name=ANNEX_HEADERS[6], widget=widgets.IntegerWidget()
    )
    women = fields.Field(attribute="women_share", column_name=ANNEX_HEADERS[7], widget=widgets.DecimalWidget())
    domain = fields.Field(attribute="domain", column_name=ANNEX_HEADERS[8])

    class Meta:
        model = BeneficiaryDistrict
        fields = (
            "ubigeo",
            "country",
            "department",
            "province",
            "district",
            "intervention",
            "population",
            "women",
            "domain",
        )
        export_order = fields

    def get_queryset(self):
        return BeneficiaryDistrict.objects.select_related("district", "programme").order_by("programme", "pk")


class SafeXLSX(XLSX):
    """XLSX export through `municipalities.exports.dataset_workbook`: formula text neutralised, shares in %."""

    CONTENT_TYPE = XLSX_CONTENT_TYPE

    def can_import(self):
        return False

    def export_data(self, dataset, **kwargs):
        from municipalities.exports import dataset_workbook

        return dataset_workbook(dataset)
