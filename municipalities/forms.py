"""Forms of the beneficiary import in the admin: upload (preview) and confirm."""

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Programme
from municipalities.models import BeneficiaryImport


class BeneficiaryUploadForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.order_by("code"))
    codes = forms.ChoiceField(
        label=_("Codes in the list"),
        choices=[
            ("", _("as the ubigeo header declares (INEI when it does not say)")),
            *BeneficiaryImport.Codes.choices,
        ],
        required=False,
        help_text=_("RENIEC and SUNAT codes differ from INEI's (Callao is 07 for INEI, 24 for RENIEC)."),
    )
    import_file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_(
            "Annex 7.4 layout: Ubigeo, País, Departamento, Provincia, Distrito, % intervención, "
            "N° de Población objetivo, % Mujeres/total, Dominio."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class BeneficiaryConfirmForm(forms.Form):
    log = forms.ModelChoiceField(
        queryset=BeneficiaryImport.objects.filter(outcome=BeneficiaryImport.Outcome.PREVIEW), widget=forms.HiddenInput
    )
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
