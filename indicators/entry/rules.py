"""The rules of quarterly entry as pure functions over Decimals, dates and bytes. Imports nothing from Django.

The services (``indicators.entry.services`` and ``.workflow``) call these; so do the tests, through
parametrized tables. Messages follow ``cse_monitor.lib.messages``: constants marked with ``gettext_noop``,
a :class:`~cse_monitor.lib.messages.Message` when they carry values, translated where they are shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from cse_monitor.lib.messages import Message, gettext_noop
from indicators.precision import Precision


def plain_number(number: Decimal | None) -> str:
    """A number as entered: no grouping, no trailing zeros (10.50 → "10.5"); "—" for None, as the pages show it.

    The one way a number is written plainly, in messages and (through the template filter) on the entry pages.
    """
    return "—" if number is None else format(number.normalize(), "f")


ZERO = Decimal("0")
HUNDRED = Decimal("100")
DEFAULT_OUTLIER_FACTOR = Decimal("2")
# A share derived from the parts may differ from the typed one by rounding only.
SHARE_TOLERANCE_POINTS = Decimal("1")

MSG_NOT_WHOLE = gettext_noop("A count is a whole number.")
MSG_TOO_PRECISE = gettext_noop("Use at most {places} decimals.")
MSG_TOO_LARGE = gettext_noop("This number is too large: the largest accepted is {largest}.")
MSG_BELOW_ALLOWED = gettext_noop("This indicator accepts values of at least {low}.")
MSG_ABOVE_ALLOWED = gettext_noop("This indicator accepts values of at most {high}.")
MSG_OUTSIDE_ALLOWED = gettext_noop("This indicator accepts values from {low} to {high}.")
MSG_NEGATIVE = gettext_noop("This indicator cannot be negative.")
MSG_SHARE_RANGE = gettext_noop("A share is between 0 and 100.")
MSG_COUNT_SHARE_BOTH = gettext_noop("Enter both the count and its share (%), or mark the value “sin dato”.")
MSG_SHARE_INCONSISTENT = gettext_noop("The share ({share} %) does not match women ÷ total ({derived} %).")
MSG_NO_DATA_REASON = gettext_noop("Give the reason why there is no data.")
MSG_NO_DATA_WITH_NUMBER = gettext_noop(
    "A value marked “sin dato” carries no number: clear the number or untick “sin dato”."
)
MSG_EMPTY_VALUE = gettext_noop("Enter a value or mark it “sin dato” with a reason.")
MSG_OUTLIER = gettext_noop(
    "The value moved more than ×{factor} from last period ({previous}): explain it in the comment."
)
MSG_OUT_OF_RANGE = gettext_noop("Outside the expected range {low} – {high}: check it.")
MSG_BELOW_EXPECTED = gettext_noop("Below the expected minimum {low}: check it.")
MSG_ABOVE_EXPECTED = gettext_noop("Above the expected maximum {high}: check it.")
MSG_DISAGGREGATION_INCOMPLETE = gettext_noop("Incomplete disaggregation: parts missing.")
MSG_DISAGGREGATION_MISMATCH = gettext_noop(
    "Incomplete disaggregation: the parts add up to {parts}, the total is {total}."
)
MSG_DISAGGREGATION_MISMATCH_NUMERATOR = gettext_noop(
    "Incomplete disaggregation: the parts' numerators add up to {parts}, the total's is {total}."
)
MSG_DISAGGREGATION_MISMATCH_DENOMINATOR = gettext_noop(
    "Incomplete disaggregation: the parts' denominators add up to {parts}, the total's is {total}."
)
MSG_RATIO_BOTH = gettext_noop("Enter both the numerator and the denominator, or mark the value “sin dato”.")
MSG_DENOMINATOR_NOT_POSITIVE = gettext_noop("The denominator must be greater than zero.")
MSG_NUMERATOR_NEGATIVE = gettext_noop("The numerator cannot be negative.")
MSG_RATIO_NOT_WHOLE = gettext_noop("The numerator and the denominator of a count are whole numbers.")
MSG_RATIO_VALUE_TYPED = gettext_noop(
    "This indicator is a ratio: enter its numerator and denominator; its percentage is computed."
)
MSG_NOT_A_RATIO = gettext_noop("This indicator takes a value, not a numerator and a denominator.")
MSG_EVIDENCE_TYPE = gettext_noop(
    "The means of verification must be a PDF, an image (PNG, JPEG, GIF, WebP) or a spreadsheet."
)
MSG_EVIDENCE_SIZE = gettext_noop("The file is {size} bytes; the limit is {limit} bytes.")
MSG_EVIDENCE_EMPTY = gettext_noop("The file is empty.")


class UnitKind(StrEnum):
    """Same values as ``Indicator.UnitKind``."""

    COUNT = "count"
    MONEY = "money"
    PERCENTAGE = "percentage"
    AREA = "area"
    COUNT_SHARE = "count_share"
    QUALITATIVE = "qualitative"


class WindowState(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"
    APPROVED = "approved"


# ---------------------------------------------------------------------------------------------
# The entry window


def entry_window(
    *,
    today: date,
    quarter_start: date,
    quarter_end: date,
    opens_on: date | None,
    close_after_days: int,
    approved: bool,
    reopened: bool,
) -> WindowState:
    """Whether a quarter accepts entry today: approved locks; a reviewer's reopening lifts the dates."""
    if approved:
        return WindowState.APPROVED
    if reopened:
        return WindowState.OPEN
    if today < (opens_on or quarter_start):
        return WindowState.NOT_YET_OPEN
    if today > closes_on(quarter_end, close_after_days):
        return WindowState.CLOSED
    return WindowState.OPEN


def closes_on(quarter_end: date, close_after_days: int) -> date:
    """Last day of entry: ``close_after_days`` after the quarter's last day."""
    return quarter_end + timedelta(days=close_after_days)


# ---------------------------------------------------------------------------------------------
# One value


def unit_errors(
    unit_kind: str, value: Decimal | None, share: Decimal | None, *, count_with_share: bool = True
) -> list[str]:
    """Errors that block saving: wrong sign, a fractional count, a share outside 0–100.

    A percentage *value* is bounded by its indicator's allowed range (:func:`range_errors`: 0–100
    unless declared; the seed prints 116 % profitability growth and 133 % plan compliance).
    ``count_with_share=False`` lets a count-with-share carry one of the two, as a report may print it.
    """
    kind = UnitKind(unit_kind)
    errors: list[str] = []
    if value is not None:
        if kind in (UnitKind.COUNT, UnitKind.COUNT_SHARE, UnitKind.MONEY, UnitKind.AREA) and value < 0:
            errors.append(MSG_NEGATIVE)
        if kind in (UnitKind.COUNT, UnitKind.COUNT_SHARE) and value != value.to_integral_value():
            errors.append(MSG_NOT_WHOLE)
    if share is not None and not ZERO <= share <= HUNDRED:
        errors.append(MSG_SHARE_RANGE)
    if count_with_share and kind is UnitKind.COUNT_SHARE and (value is None) != (share is None):
        errors.append(MSG_COUNT_SHARE_BOTH)
    return errors


def precision_errors(number: Decimal | None, precision: Precision) -> list[str]:
    """A number its column would round or refuse (``precision`` is the field's, from ``indicators.models``)."""
    if number is None:
        return []
    if precision.too_large(number):
        return [Message(MSG_TOO_LARGE, largest=plain_number(precision.largest))]
    if precision.too_precise(number):
        return [Message(MSG_TOO_PRECISE, places=precision.places)]
    return []


def range_errors(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> list[str]:
    """A value outside the indicator's allowed range (hard bounds; None is no bound). Blocks saving."""
    if value is None or not ((low is not None and value < low) or (high is not None and value > high)):
        return []
    if low is None:
        return [Message(MSG_ABOVE_ALLOWED, high=plain_number(high))]
    if high is None:
        return [Message(MSG_BELOW_ALLOWED, low=plain_number(low))]
    return [Message(MSG_OUTSIDE_ALLOWED, low=plain_number(low), high=plain_number(high))]


def ratio_errors(unit_kind: str, numerator: Decimal | None, denominator: Decimal | None) -> list[str]:
    """Errors of a numerator/denominator pair: both or neither, numerator ≥ 0, denominator > 0, whole for counts."""
    if numerator is None and denominator is None:
        return []
    if numerator is None or denominator is None:
        return [MSG_RATIO_BOTH]
    errors = []
    if numerator < 0:
        errors.append(MSG_NUMERATOR_NEGATIVE)
    if denominator <= 0:
        errors.append(MSG_DENOMINATOR_NOT_POSITIVE)
    whole = all(n == n.to_integral_value() for n in (numerator, denominator))
    if UnitKind(unit_kind) in (UnitKind.COUNT, UnitKind.COUNT_SHARE) and not whole:
        errors.append(MSG_RATIO_NOT_WHOLE)
    return errors


RATIO_PLACES = Decimal("0.0001")


def ratio_percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """100 × numerator ÷ denominator in percent, to 4 decimals (the row's own share); None when it cannot be told.

    Only a display of one row: the scores engine sums numerators and denominators, never these.
    """
    if numerator is None or denominator is None or denominator <= 0:
        return None
    try:
        return (HUNDRED * numerator / denominator).quantize(RATIO_PLACES)
    except InvalidOperation:  # beyond what a Decimal context holds: precision_errors refuses such inputs
        return None


def no_data_errors(*, no_data: bool, reason: str, value: Decimal | None, share: Decimal | None) -> list[str]:
    """A "sin dato" needs a reason and no number; a value that is neither is an error."""
    if no_data:
        errors = [] if reason.strip() else [MSG_NO_DATA_REASON]
        if value is not None or share is not None:
            errors.append(MSG_NO_DATA_WITH_NUMBER)
        return errors
    if value is None and share is None:
        return [MSG_EMPTY_VALUE]
    return []


def is_outlier(value: Decimal | None, previous: Decimal | None, factor: Decimal = DEFAULT_OUTLIER_FACTOR) -> bool:
    """True when ``value`` is more than ``factor`` times, or less than 1/``factor`` of, the previous value.

    No previous value or a previous zero cannot be judged by a ratio: never an outlier. A drop to
    zero or a change of sign is one.
    """
    if value is None or previous is None or previous == 0 or factor <= 1:
        return False
    ratio = value / previous
    return ratio > factor or ratio < 1 / factor


def out_of_range(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> bool:
    """True when the value lies outside the indicator's expected range (a warning, never a block)."""
    if value is None:
        return False
    return (low is not None and value < low) or (high is not None and value > high)


def expected_range_warning(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> str | None:
    """The warning of a value outside the expected range, naming the bound it crosses; None inside it."""
    if not out_of_range(value, low, high):
        return None
    if low is None:
        return Message(MSG_ABOVE_EXPECTED, high=plain_number(high))
    if high is None:
        return Message(MSG_BELOW_EXPECTED, low=plain_number(low))
    return Message(MSG_OUT_OF_RANGE, low=plain_number(low), high=plain_number(high))


def share_consistency_error(share: Decimal | None, total: Decimal | None, women: Decimal | None) -> str | None:
    """A count-with-share whose women part is entered must carry women ÷ total as its share (±1 point)."""
    if share is None or total is None or women is None or total == 0:
        return None
    derived = HUNDRED * women / total
    if abs(derived - share) > SHARE_TOLERANCE_POINTS:
        return Message(MSG_SHARE_INCONSISTENT, share=share, derived=derived.quantize(Decimal("0.1")))
    return None


@dataclass(frozen=True)
class DisaggregationCheck:
    complete: bool
    parts_sum: Decimal | None
    matches: bool | None  # None when it cannot be told (missing total or parts)

    @property
    def flagged(self) -> bool:
        return not self.complete or self.matches is False


def check_disaggregation(total: Decimal | None, parts: Sequence[Decimal | None]) -> DisaggregationCheck:
    """Compare a total with its parts: missing parts or a sum that differs flag "incomplete disaggregation".

    Never fills the total with the sum: a flag is shown, nothing is computed in its place.
    """
    present = [p for p in parts if p is not None]
    complete = bool(parts) and len(present) == len(parts)
    parts_sum = sum(present, ZERO) if present else None
    if total is None or not complete:
        return DisaggregationCheck(complete=complete, parts_sum=parts_sum, matches=None)
    return DisaggregationCheck(complete=True, parts_sum=parts_sum, matches=parts_sum == total)


def disaggregation_message(
    check: DisaggregationCheck, total: Decimal | None, mismatch: str = MSG_DISAGGREGATION_MISMATCH
) -> str | None:
    """The flag of one check; ``mismatch`` names what differs (the value, or a ratio's numerator or denominator)."""
    if not check.complete:
        return MSG_DISAGGREGATION_INCOMPLETE
    if check.matches is False:
        return Message(mismatch, parts=plain_number(check.parts_sum), total=plain_number(total))
    return None


@dataclass(frozen=True)
class Figures:
    """What a row's disaggregation is checked on: its value, or a ratio's numerator and denominator.

    ``entered`` is False for a row never saved (a "sin dato" row is entered, with no number).
    """

    entered: bool
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def disaggregation_messages(*, ratio: bool, total: Figures, groups: Sequence[Sequence[Figures]]) -> list[str]:
    """The "incomplete disaggregation" flags of a total against each group of its parts (chains, regions, sexes).

    A group is judged once its total or one of its parts is entered. A ratio compares numerators and
    denominators (percentages do not add up); nothing is summed into the total.
    """
    messages: list[str] = []
    for parts in groups:
        if not parts or not (total.entered or any(p.entered for p in parts)):
            continue
        if ratio:
            checks = [
                (total.numerator, [p.numerator for p in parts], MSG_DISAGGREGATION_MISMATCH_NUMERATOR),
                (total.denominator, [p.denominator for p in parts], MSG_DISAGGREGATION_MISMATCH_DENOMINATOR),
            ]
        else:
            checks = [(total.value, [p.value for p in parts], MSG_DISAGGREGATION_MISMATCH)]
        for whole, numbers, mismatch in checks:
            message = disaggregation_message(check_disaggregation(whole, numbers), whole, mismatch)
            if message and message not in messages:
                messages.append(message)
    return messages


def departments(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Department code → name from (ubigeo, department as the programme lists it, register name), by code.

    The programme's own spelling wins ("Apurímac"; the register prints "APURIMAC"); the most frequent
    one when its lists disagree.
    """
    labels: dict[str, Counter[str]] = {}
    for ubigeo, listed, registered in rows:
        ubigeo = (ubigeo or "").strip()
        if len(ubigeo) != 6 or not (ubigeo.isascii() and ubigeo.isdigit()):
            continue
        code = ubigeo[:2]
        counter = labels.setdefault(code, Counter())
        name = (listed or "").strip()
        if name:
            counter[name] += 2  # a listed name outweighs the register's
        elif registered:
            counter[registered.strip().title()] += 1
    return {code: (counter.most_common(1)[0][0] if counter else code) for code, counter in sorted(labels.items())}


# ---------------------------------------------------------------------------------------------
# Evidence files


class EvidenceKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    WEBP = "webp"
    XLSX = "xlsx"  # also .ods: both are ZIP containers; see below
    XLS = "xls"
    CSV = "csv"


_EXTENSIONS = {
    EvidenceKind.PDF: {".pdf"},
    EvidenceKind.PNG: {".png"},
    EvidenceKind.JPEG: {".jpg", ".jpeg"},
    EvidenceKind.GIF: {".gif"},
    EvidenceKind.WEBP: {".webp"},
    EvidenceKind.XLSX: {".xlsx", ".ods"},
    EvidenceKind.XLS: {".xls"},
    EvidenceKind.CSV: {".csv"},
}


def sniff_evidence(head: bytes, *, zip_names: Sequence[str] = ()) -> EvidenceKind | None:
    """The kind of file its first bytes show; None when not an accepted kind.

    ``zip_names`` are the member names of a ZIP container (an .xlsx holds ``xl/workbook.xml``,
    an .ods a ``mimetype`` of OpenDocument spreadsheet); any other ZIP is refused.
    """
    if head.startswith(b"%PDF-"):
        return EvidenceKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return EvidenceKind.JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return EvidenceKind.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return EvidenceKind.WEBP
    if head.startswith(b"PK\x03\x04"):
        names = set(zip_names)
        if "xl/workbook.xml" in names or "mimetype" in names and "content.xml" in names:
            return EvidenceKind.XLSX
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return EvidenceKind.XLS
    if _looks_like_csv(head):
        return EvidenceKind.CSV
    return None


def _looks_like_csv(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            return False
    stripped = text.lstrip()
    if stripped.startswith("<") or stripped.startswith("#!"):
        return False
    first_line = text.splitlines()[0] if text.splitlines() else ""
    return any(sep in first_line for sep in (",", ";", "\t"))


def extension_matches(filename: str, kind: EvidenceKind) -> bool:
    """The name's extension agrees with the content (a PDF named .xlsx is refused)."""
    lower = filename.lower()
    return any(lower.endswith(ext) for ext in _EXTENSIONS[kind])


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(filename: str, *, max_length: int = 80) -> str:
    """A file name without directories, accents, spaces or leading dots; never empty."""
    base = re.split(r"[\\/]", filename or "")[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("_", ascii_name).strip("._") or "evidence"
    stem, dot, ext = cleaned.rpartition(".")
    if not dot:
        return cleaned[:max_length]
    ext = ext[:10]
    return f"{stem[: max_length - len(ext) - 1]}.{ext}"
