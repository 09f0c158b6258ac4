"""Forms of the quarter entry pages: HTTP input to typed ``ValueInput``s; every rule lives in the service."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cse_monitor.lib.messages import translated
from indicators.entry.rows import RowKey, ValueInput
from indicators.entry.rules import precision_errors
from indicators.models import MEASURE, SHARE
from indicators.numbers import AmbiguousNumber, InvalidNumber, parse_number

MARK_CHOICES = [("", "—"), (",", _("comma is the decimal mark")), (".", _("point is the decimal mark"))]


def format_for_input(number: Decimal | None) -> str:
    """A stored Decimal as the form shows it: point decimals, no grouping, never ambiguous when re-read."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    integer, dot, fraction = text.lstrip("-").partition(".")
    if dot and len(fraction) == 3 and 1 <= len(integer) <= 3 and not integer.startswith("0"):
        text += "0"  # "1.234" would read as ambiguous; "1.2340" cannot
    return text


class RowForm(forms.Form):
    """One row of the quarter form (an indicator's total or one of its parts)."""

    value = forms.CharField(label=_("Value"), required=False, max_length=40)
    value_mark = forms.ChoiceField(choices=MARK_CHOICES, required=False, widget=forms.HiddenInput)
    share = forms.CharField(label=_("Share (%)"), required=False, max_length=20)
    share_mark = forms.ChoiceField(choices=MARK_CHOICES, required=False, widget=forms.HiddenInput)
    numerator = forms.CharField(label=_("Numerator"), required=False, max_length=40)
    numerator_mark = forms.ChoiceField(choices=MARK_CHOICES, required=False, widget=forms.HiddenInput)
    denominator = forms.CharField(label=_("Denominator"), required=False, max_length=40)
    denominator_mark = forms.ChoiceField(choices=MARK_CHOICES, required=False, widget=forms.HiddenInput)
    no_data = forms.BooleanField(label=_("Sin dato"), required=False)
    no_data_reason = forms.CharField(label=_("Reason for no data"), required=False, max_length=300)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 1})
    )
    evidence = forms.FileField(label=_("Means of verification"), required=False)
    follow_up = forms.BooleanField(label=_("Follow up"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    def __init__(self, *args, key: RowKey, **kwargs):
        self.key = key
        self.ambiguous: dict[str, dict[str, Decimal]] = {}
        super().__init__(*args, prefix=f"r{key}", **kwargs)

    def _number(self, name: str) -> Decimal | None:
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        mark = self.data.get(self.add_prefix(f"{name}_mark")) or None
        if mark not in (None, ",", "."):
            mark = None
        try:
            number = parse_number(text, decimal_mark=mark)
        except AmbiguousNumber as exc:
            self.ambiguous[name] = exc.readings
            raise forms.ValidationError(
                _("“%(text)s” is ambiguous: did you mean %(thousands)s or %(decimal)s? Choose below."),
                code="ambiguous",
                params={
                    "text": text,
                    "thousands": exc.readings["." if "," in text else ","],
                    "decimal": exc.readings["," if "," in text else "."],
                },
            ) from exc
        except InvalidNumber as exc:
            raise forms.ValidationError(
                _("“%(text)s” is not a number."), code="invalid", params={"text": text}
            ) from exc
        # What the column cannot hold exactly is refused here, with the service's own message, never rounded.
        errors = precision_errors(number, SHARE if name == "share" else MEASURE)
        if errors:
            raise forms.ValidationError([translated(message) for message in errors], code="precision")
        return number

    def clean_value(self):
        return self._number("value")

    def clean_share(self):
        return self._number("share")

    def clean_numerator(self):
        return self._number("numerator")

    def clean_denominator(self):
        return self._number("denominator")

    def to_input(self) -> ValueInput:
        data = self.cleaned_data
        return ValueInput(
            key=self.key,
            value=data.get("value"),
            share=data.get("share"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            no_data=data.get("no_data", False),
            no_data_reason=data.get("no_data_reason", ""),
            comment=data.get("comment", ""),
            follow_up=data.get("follow_up", False),
            evidence=data.get("evidence") or None,
            expected_version=data.get("version"),
            reason=data.get("reason", ""),
        )


def initial_for(value) -> dict:
    """Initial data of a row from its stored value (None: a row not entered yet)."""
    if value is None:
        return {}
    return {
        "value": format_for_input(value.value),
        "share": format_for_input(value.share),
        "numerator": format_for_input(value.numerator),
        "denominator": format_for_input(value.denominator),
        "no_data": value.no_data,
        "no_data_reason": value.no_data_reason,
        "comment": value.comment,
        "follow_up": value.follow_up,
        "version": value.version,
    }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class FollowUpForm(forms.Form):
    flagged = forms.BooleanField(required=False)


class OpeningDateForm(forms.Form):
    opens_on = forms.DateField(label=_("Opens for entry on"), required=False, input_formats=["%Y-%m-%d"])
