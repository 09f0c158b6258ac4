"""Importing beneficiary district lists: the one implementation the admin, the command and the tests share.

Reading and checking never write; `beneficiaries_import` applies a checked list in one transaction
(all or nothing by default) and logs every attempt, dry runs and refused files included.
"""

import datetime
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from indicators.models import Programme
from municipalities.models import BeneficiaryDistrict, BeneficiaryImport, District
from municipalities.normalise import (
    CellError,
    clean_label,
    district_name_agrees,
    fold,
    names_agree,
    parse_population,
    parse_share,
    parse_ubigeo,
    shares_are_fractions,
)
from municipalities.workbooks import Limits, SourceRow, Table, WorkbookRefused, read_table

Codes = BeneficiaryImport.Codes
Progress = Callable[[int, int], None]

FIELDS = (
    "country",
    "department_label",
    "province_label",
    "district_label",
    "intervention_share",
    "target_population",
    "women_share",
    "domain",
)
MAX_LENGTHS = {"department_label": 60, "province_label": 60, "district_label": 80, "domain": 60, "country": 60}
MSG_DEPARTMENT_MISSING = gettext_noop("The department name is missing.")
MSG_PROVINCE_MISSING = gettext_noop("The province name is missing.")
MSG_DISTRICT_MISSING = gettext_noop("The district name is missing.")
MSG_NOT_PERU = gettext_noop("The country '%(country)s' is not Perú; only Peruvian districts can be listed.")
MSG_INTERVENTION_PREFIX = gettext_noop("%% intervention: %(error)s")
MSG_WOMEN_PREFIX = gettext_noop("%% women: %(error)s")
MSG_TOO_LONG = gettext_noop("'%(value)s' is longer than %(limit)s characters.")
MSG_NOT_IN_REGISTER = gettext_noop("The ubigeo %(ubigeo)s does not exist in the district register (%(codes)s codes).")
MSG_AMBIGUOUS_CODE = gettext_noop("The %(codes)s code %(ubigeo)s belongs to several districts of the register.")
MSG_DEPARTMENT_MISMATCH = gettext_noop(
    "Department '%(listed)s' does not match the register: "
    "%(ubigeo)s is in %(department)s / %(province)s / %(district)s."
)
MSG_PROVINCE_MISMATCH = gettext_noop(
    "Province '%(listed)s' does not match the register: %(ubigeo)s is in %(department)s / %(province)s / %(district)s."
)
MSG_DISTRICT_NAME_DIFFERS = gettext_noop("Listed as '%(listed)s'; the register names %(ubigeo)s %(district)s.")
MSG_DUPLICATE = gettext_noop("The ubigeo %(ubigeo)s appears %(count)s times in the file (rows %(rows)s).")
MSG_NO_ROWS = gettext_noop("The table has headers but no rows.")
MSG_ROWS_REFUSED = gettext_noop("%(count)s row(s) refused; nothing was imported.")
MSG_CONCURRENT = gettext_noop("The list changed while this file was being imported; nothing was imported. Try again.")
MSG_CODES_CONFLICT = gettext_noop(
    "The file's ubigeo column declares %(declared)s codes but %(chosen)s codes were chosen; nothing was imported."
)
MSG_FILE_CHANGED = gettext_noop("The file changed since the preview; upload it again.")

CODE_FIELD = {Codes.INEI: "ubigeo", Codes.RENIEC: "ubigeo_reniec", Codes.SUNAT: "ubigeo_sunat"}


class Action(StrEnum):
    """What an import does with one row of the file."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class RowOutcome:
    line: int
    raw: dict[str, object]
    ubigeo: str = ""
    district: District | None = None
    values: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    action: Action = Action.REFUSED


@dataclass
class ImportReport:
    log: BeneficiaryImport
    rows: list[RowOutcome] = field(default_factory=list)
    file_error: str = ""
    skipped_header_lines: list[int] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(row.action for row in self.rows)

    @property
    def refused_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action == Action.REFUSED]

    @property
    def applied(self) -> bool:
        return self.log.outcome == BeneficiaryImport.Outcome.APPLIED


def import_limits() -> Limits:
    return Limits(
        max_bytes=getattr(settings, "BENEFICIARY_IMPORT_MAX_BYTES", Limits.max_bytes),
        max_rows=getattr(settings, "BENEFICIARY_IMPORT_MAX_ROWS", Limits.max_rows),
    )


def _register(codes: str) -> dict[str, District]:
    """Code -> district for the chosen code system; a code shared by two districts maps to None."""
    code_field = CODE_FIELD[Codes(codes)]
    by_code: dict[str, District] = {}
    ambiguous: set[str] = set()
    for district in District.objects.all():
        code = getattr(district, code_field)
        if not code:
            continue
        if code in by_code:
            ambiguous.add(code)
        by_code[code] = district
    for code in ambiguous:
        by_code[code] = None
    return by_code


def _check_row(source: SourceRow, register: dict[str, District], fractions: dict[str, bool], codes: str) -> RowOutcome:
    raw = source.values
    row = RowOutcome(line=source.line, raw=raw)
    errors = row.errors
    try:
        row.ubigeo = parse_ubigeo(raw.get("ubigeo"))
    except CellError as error:
        errors.append(error.translated(_))
    labels = {}
    for column, label_field, missing in (
        ("department", "department_label", MSG_DEPARTMENT_MISSING),
        ("province", "province_label", MSG_PROVINCE_MISSING),
        ("district", "district_label", MSG_DISTRICT_MISSING),
    ):
        labels[label_field] = clean_label(raw.get(column))
        if not labels[label_field]:
            errors.append(_(missing))
    country = clean_label(raw.get("country")) or "Perú"
    if fold(country) != "PERU":
        errors.append(_(MSG_NOT_PERU) % {"country": country})
    values: dict[str, object] = {"country": country, **labels, "domain": clean_label(raw.get("domain"))}
    try:
        values["target_population"] = parse_population(raw.get("population"))
    except CellError as error:
        errors.append(error.translated(_))
    for column, share_field in (("intervention", "intervention_share"), ("women", "women_share")):
        try:
            values[share_field] = parse_share(
                raw.get(column), fraction=fractions[column], percent_format=source.percent_format.get(column, False)
            )
        except CellError as error:
            prefix = MSG_INTERVENTION_PREFIX if column == "intervention" else MSG_WOMEN_PREFIX
            errors.append(_(prefix) % {"error": error.translated(_)})
    for name, limit in MAX_LENGTHS.items():
        if len(str(values.get(name, ""))) > limit:
            errors.append(_(MSG_TOO_LONG) % {"value": values[name], "limit": limit})
    row.values = values
    if row.ubigeo:
        if row.ubigeo not in register:
            errors.append(_(MSG_NOT_IN_REGISTER) % {"ubigeo": row.ubigeo, "codes": codes.upper()})
        elif register[row.ubigeo] is None:
            errors.append(_(MSG_AMBIGUOUS_CODE) % {"ubigeo": row.ubigeo, "codes": codes.upper()})
        else:
            district = row.district = register[row.ubigeo]
            where = {
                "ubigeo": row.ubigeo,
                "department": district.department,
                "province": district.province,
                "district": district.name,
            }
            if labels["department_label"] and not names_agree(labels["department_label"], district.department):
                errors.append(_(MSG_DEPARTMENT_MISMATCH) % {"listed": labels["department_label"], **where})
            if labels["province_label"] and not names_agree(labels["province_label"], district.province):
                errors.append(_(MSG_PROVINCE_MISMATCH) % {"listed": labels["province_label"], **where})
            if labels["district_label"] and not district_name_agrees(
                labels["district_label"], district.name, district.province
            ):
                row.notes.append(_(MSG_DISTRICT_NAME_DIFFERS) % {"listed": labels["district_label"], **where})
    return row


def _mark_duplicates(rows: list[RowOutcome]) -> None:
    lines_by_ubigeo: dict[str, list[int]] = {}
    for row in rows:
        if row.ubigeo:
            lines_by_ubigeo.setdefault(row.ubigeo, []).append(row.line)
    for row in rows:
        lines = lines_by_ubigeo.get(row.ubigeo, [])
        if len(lines) > 1:
            row.errors.append(
                _(MSG_DUPLICATE) % {"ubigeo": row.ubigeo, "count": len(lines), "rows": ", ".join(map(str, lines))}
            )


def _display(value: object) -> str:
    return "" if value is None else str(value)


def _plan(rows: list[RowOutcome], existing: dict[int, BeneficiaryDistrict]) -> None:
    for row in rows:
        if row.errors:
            row.action = Action.REFUSED
            continue
        current = existing.get(row.district.pk)
        if current is None:
            row.action = Action.CREATE
            continue
        for name in FIELDS:
            old, new = getattr(current, name), row.values[name]
            if isinstance(old, Decimal) and isinstance(new, Decimal):
                same = old == new
            else:
                same = _display(old) == _display(new)
            if not same:
                row.changes.append(f"{name}: {_display(old) or '—'} → {_display(new) or '—'}")
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED


def check_table(
    table: Table, *, programme: Programme, codes: str = Codes.INEI, progress: Progress | None = None
) -> list[RowOutcome]:
    """What importing the table would do, row by row. Reads only."""
    register = _register(codes)
    fractions = {
        column: shares_are_fractions([row.values.get(column) for row in table.rows])
        for column in ("intervention", "women")
    }
    rows = []
    total = len(table.rows)
    for index, source in enumerate(table.rows, start=1):
        rows.append(_check_row(source, register, fractions, codes))
        if progress:
            progress(index, total)
    _mark_duplicates(rows)
    existing = {b.district_id: b for b in BeneficiaryDistrict.objects.filter(programme=programme)}
    _plan(rows, existing)
    return rows


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _apply(programme: Programme, rows: list[RowOutcome]) -> None:
    existing = {b.district_id: b for b in BeneficiaryDistrict.objects.filter(programme=programme)}
    new = []
    for row in rows:
        if row.action == Action.CREATE:
            new.append(BeneficiaryDistrict(programme=programme, district=row.district, **row.values))
        elif row.action == Action.UPDATE:
            beneficiary = existing[row.district.pk]
            for name in FIELDS:
                setattr(beneficiary, name, row.values[name])
            beneficiary.save()
    BeneficiaryDistrict.objects.bulk_create(new, batch_size=500)


def beneficiaries_import(
    *,
    programme: Programme,
    content: bytes,
    file_name: str,
    user: AbstractBaseUser | None = None,
    codes: str | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Check a workbook and, unless dry_run or a row is refused (all_or_nothing), write it. Always logged.

    ``codes`` None: the code system the ubigeo header declares ("Ubigeo RENIEC"), INEI when it says none.
    """
    chosen = Codes(codes) if codes else None
    log = BeneficiaryImport(
        programme=programme,
        user=user if user is not None and user.is_authenticated else None,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        codes=chosen or Codes.INEI,
        dry_run=dry_run,
    )
    report = ImportReport(log=log)
    try:
        table = read_table(content, file_name, import_limits())
    except WorkbookRefused as error:
        report.file_error = log.message = error.translated(_)
        log.outcome = BeneficiaryImport.Outcome.REFUSED_FILE
        log.save()
        return report
    declared = Codes(table.declared_codes) if table.declared_codes else None
    if chosen and declared and chosen != declared:
        report.file_error = log.message = _(MSG_CODES_CONFLICT) % {
            "declared": declared.label,
            "chosen": chosen.label,
        }
        log.outcome = BeneficiaryImport.Outcome.REFUSED_FILE
        log.save()
        return report
    log.codes = chosen or declared or Codes.INEI
    report.skipped_header_lines = table.repeated_headers
    report.rows = check_table(table, programme=programme, codes=log.codes, progress=progress)
    counts = report.counts
    refused = report.refused_rows
    log.rows_read = len(report.rows)
    log.created, log.updated = counts[Action.CREATE], counts[Action.UPDATE]
    log.unchanged, log.refused = counts[Action.UNCHANGED], counts[Action.REFUSED]
    log.refused_rows = [
        {"line": row.line, "values": {k: _jsonable(v) for k, v in row.raw.items()}, "errors": row.errors}
        for row in refused
    ]
    if not report.rows:
        log.outcome = BeneficiaryImport.Outcome.REFUSED_ROWS
        log.message = _(MSG_NO_ROWS)
    elif refused and all_or_nothing:
        log.outcome = BeneficiaryImport.Outcome.REFUSED_ROWS
        log.message = _(MSG_ROWS_REFUSED) % {"count": len(refused)}
    elif dry_run:
        log.outcome = BeneficiaryImport.Outcome.PREVIEW
    else:
        try:
            with transaction.atomic():
                _apply(programme, report.rows)
                log.outcome = BeneficiaryImport.Outcome.APPLIED
                log.save()
            return report
        except IntegrityError:
            # Another import wrote the same districts between our check and our write: nothing of ours stays.
            log.pk = None
            log.outcome = BeneficiaryImport.Outcome.REFUSED_ROWS
            log.message = _(MSG_CONCURRENT)
    log.save()
    return report


def beneficiaries_import_from_log(*, log: BeneficiaryImport, content: bytes, user) -> ImportReport:
    """Apply a previewed file: only when its checksum is the one the preview logged."""
    if hashlib.sha256(content).hexdigest() != log.sha256:
        raise WorkbookRefused(MSG_FILE_CHANGED)
    return beneficiaries_import(
        programme=log.programme, content=content, file_name=log.file_name, user=user, codes=log.codes
    )
