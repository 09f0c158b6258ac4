"""The entry service: every rule of saving, submitting, returning, approving, reopening, flagging."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from indicators.entry import errors, quarters, rules, services, workflow
from indicators.entry.rows import RowKey, ValueInput
from indicators.models import IndicatorValue, Notification, QuarterState, ValueReview
from indicators.periods import Period
from indicators.tests.entry_world import build_world

Q1 = Period(2012, 1)
IN_Q1 = date(2012, 2, 15)
AFTER_CLOSE = date(2012, 6, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(period=Q1)


def save(world, user, *inputs, today=IN_Q1):
    return services.quarter_values_save(user=user, programme=world.programme, period=Q1, inputs=inputs, today=today)


def total(indicator, **kwargs):
    return ValueInput(key=RowKey(indicator.pk), **kwargs)


def stored(indicator, chain=None, sex=""):
    return IndicatorValue.objects.get(indicator=indicator, year=2012, quarter=1, chain=chain, sex=sex)


# --- saving -----------------------------------------------------------------------------------


def test_save_creates_a_draft_with_version_history_and_who(world):
    result = save(world, world.staff, total(world.count, value=D("40"), comment="first"))
    value = stored(world.count)
    assert (result.created, result.updated) == (1, 0)
    assert (value.value, value.status, value.version, value.entered_by) == (D("40"), "draft", 1, world.staff)
    record = value.history.get()
    assert record.history_user == world.staff and record.value == D("40")


def test_saving_unchanged_rows_writes_nothing(world):
    save(world, world.staff, total(world.count, value=D("40")))
    result = save(world, world.staff, total(world.count, value=D("40.0000"), expected_version=1))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert stored(world.count).version == 1
    assert stored(world.count).history.count() == 1


def test_sin_dato_needs_a_reason_and_stores_no_number(world):
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff, total(world.count, no_data=True))
    assert info.value.errors[RowKey(world.count.pk)] == [rules.MSG_NO_DATA_REASON]
    save(world, world.staff, total(world.count, no_data=True, no_data_reason="encuesta no realizada"))
    value = stored(world.count)
    assert value.no_data and value.value is None and value.no_data_reason == "encuesta no realizada"


def test_invalid_row_saves_nothing_at_all(world):
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff_all, total(world.money, value=D("5")), total(world.count, value=D("12.5")))
    assert info.value.errors == {RowKey(world.count.pk): [rules.MSG_NOT_WHOLE]}
    assert not IndicatorValue.objects.exists()


def test_count_with_share_must_match_its_women_part(world):
    women = ValueInput(key=RowKey(world.people.pk, None, "F"), value=D("400"))
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff, total(world.people, value=D("927"), share=D("35")), women)
    assert "does not match" in info.value.errors[RowKey(world.people.pk)][0]
    save(
        world,
        world.staff,
        total(world.people, value=D("927"), share=D("35")),
        women.__class__(**{**women.__dict__, "value": D("324")}),
    )
    assert stored(world.people).share == D("35")


def test_outlier_needs_a_comment_then_saves_with_a_warning(world):
    IndicatorValue.objects.create(indicator=world.money, year=2011, quarter=4, value=D("100"))
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff_all, total(world.money, value=D("1234.5")))
    assert "×2" in info.value.errors[RowKey(world.money.pk)][0]
    result = save(world, world.staff_all, total(world.money, value=D("1234.5"), comment="feria anual"))
    assert "×2" in result.warnings[RowKey(world.money.pk)][0]
    assert stored(world.money).value == D("1234.5")


def test_out_of_expected_range_warns_without_blocking(world):
    result = save(world, world.staff_all, total(world.rate, value=D("95")))
    assert result.warnings[RowKey(world.rate.pk)] == [rules.MSG_OUT_OF_RANGE.format(low=D("10"), high=D("90"))]
    assert stored(world.rate).value == D("95")


def test_rows_outside_the_form_are_refused(world):
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff_all, ValueInput(key=RowKey(world.money.pk, world.chain1.pk), value=D("1")))
    assert info.value.errors[RowKey(world.money.pk, world.chain1.pk)] == [services.MSG_UNKNOWN_ROW]


def test_year_period_is_not_a_quarter(world):
    with pytest.raises(errors.EntryError, match="per quarter"):
        services.quarter_values_save(user=world.staff, programme=world.programme, period=Period(2012), inputs=[])


# --- optimistic locking ------------------------------------------------------------------------


def test_second_save_of_the_same_version_is_refused_with_both_values(world):
    save(world, world.staff, total(world.count, value=D("40")))
    save(world, world.staff_all, total(world.count, value=D("41"), expected_version=1))
    with pytest.raises(errors.ConflictError) as info:
        save(
            world,
            world.staff,
            total(world.count, value=D("42"), expected_version=1),
            total(world.people, value=D("5"), share=D("40")),
        )
    conflict = info.value.conflicts[0]
    assert (conflict.yours.value, conflict.theirs.value, conflict.theirs_by) == (D("42"), D("41"), "staff_all")
    assert stored(world.count).value == D("41")
    assert not IndicatorValue.objects.filter(indicator=world.people).exists()  # nothing of the refused save
    save(world, world.staff, total(world.count, value=D("42"), expected_version=conflict.theirs.version))
    assert [r.value for r in stored(world.count).history.order_by("history_date")] == [D("40"), D("41"), D("42")]


def test_creating_a_row_someone_else_created_meanwhile_is_a_conflict(world):
    save(world, world.staff_all, total(world.count, value=D("7")))
    with pytest.raises(errors.ConflictError):
        save(world, world.staff, total(world.count, value=D("8"), expected_version=None))


# --- the window and the lock ------------------------------------------------------------------


def test_quarter_does_not_accept_entry_before_its_opening_date(world):
    QuarterState.objects.create(programme=world.programme, year=2012, quarter=1, opens_on=date(2012, 4, 1))
    with pytest.raises(errors.QuarterNotOpen, match="opens for entry on 2012-04-01"):
        save(world, world.staff, total(world.count, value=D("1")), today=date(2012, 3, 31))
    save(world, world.staff, total(world.count, value=D("1")), today=date(2012, 4, 1))


def test_closed_quarter_refuses_edits_until_a_reviewer_reopens_it(world, settings):
    settings.ENTRY_CLOSE_AFTER_DAYS = 30
    with pytest.raises(errors.QuarterNotOpen, match="closed for entry on 2012-04-30"):
        save(world, world.staff, total(world.count, value=D("1")), today=AFTER_CLOSE)
    with pytest.raises(PermissionDenied):
        workflow.quarter_reopen(user=world.staff, programme=world.programme, period=Q1, reason="late data")
    with pytest.raises(errors.EntryError, match="needs a reason"):
        workflow.quarter_reopen(user=world.reviewer, programme=world.programme, period=Q1, reason=" ")
    workflow.quarter_reopen(user=world.reviewer, programme=world.programme, period=Q1, reason="late data")
    save(world, world.staff, total(world.count, value=D("1")), today=AFTER_CLOSE)


def _submitted_quarter(world):
    save(world, world.staff, total(world.count, value=D("40")), total(world.people, no_data=True, no_data_reason="x"))
    save(world, world.staff_all, total(world.money, value=D("10")))
    for user in (world.staff, world.staff_all):  # each submits the rows they entered
        workflow.quarter_submit(user=user, programme=world.programme, period=Q1, today=IN_Q1)


def seen(world) -> dict[int, int]:
    """Every value of the quarter at the version the reviewer has in front of them."""
    return dict(IndicatorValue.objects.filter(year=2012, quarter=1).values_list("pk", "version"))


def approve(world, user):
    return workflow.quarter_approve(user=user, programme=world.programme, period=Q1, seen=seen(world))


def test_submit_marks_the_users_values_submitted_and_the_quarter_when_nothing_is_left(world):
    save(world, world.staff, total(world.count, value=D("40")))
    save(world, world.staff_all, total(world.money, value=D("10")))
    assert workflow.quarter_submit(user=world.staff, programme=world.programme, period=Q1, today=IN_Q1) == 1
    assert stored(world.money).status == "draft"  # not in staff's results
    assert quarters.quarter_state(world.programme, Q1).status == QuarterState.Status.OPEN
    assert workflow.quarter_submit(user=world.staff_all, programme=world.programme, period=Q1, today=IN_Q1) == 1
    assert quarters.quarter_state(world.programme, Q1).status == QuarterState.Status.SUBMITTED
    with pytest.raises(errors.WorkflowError, match="nothing to submit"):
        workflow.quarter_submit(user=world.staff_all, programme=world.programme, period=Q1, today=IN_Q1)


def test_changing_a_submitted_value_needs_a_reason(world):
    _submitted_quarter(world)
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff, total(world.count, value=D("41"), expected_version=2))
    assert "give a reason" in info.value.errors[RowKey(world.count.pk)][0]
    save(world, world.staff, total(world.count, value=D("41"), expected_version=2, reason="typo in the survey"))
    assert stored(world.count).history.latest().history_change_reason == "typo in the survey"


def test_return_needs_a_comment_notifies_and_mails_who_entered(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _submitted_quarter(world)
    value = stored(world.count)
    with pytest.raises(errors.WorkflowError, match="needs a comment"):
        workflow.values_return(user=world.reviewer, programme=world.programme, period=Q1, comments={value.pk: ""})
    with pytest.raises(PermissionDenied):
        workflow.values_return(user=world.staff, programme=world.programme, period=Q1, comments={value.pk: "x"})
    with pytest.raises(PermissionDenied):
        workflow.values_return(user=world.emcl, programme=world.programme, period=Q1, comments={value.pk: "x"})
    with django_capture_on_commit_callbacks(execute=True):
        workflow.values_return(
            user=world.reviewer, programme=world.programme, period=Q1, comments={value.pk: "revisar acta"}
        )
    value.refresh_from_db()
    assert value.status == "returned"
    assert ValueReview.objects.get(value=value).comment == "revisar acta"
    note = Notification.objects.get(user=world.staff)
    assert "revisar acta" in note.text and f"/entry/{world.programme.code}/2012Q1/" in note.link
    assert [m.to for m in mail.outbox] == [[world.staff.email]]
    assert value.history.latest().history_change_reason == "revisar acta"
    assert quarters.quarter_state(world.programme, Q1).status == QuarterState.Status.OPEN


def test_approval_is_refused_while_values_are_pending_then_locks_the_quarter(world):
    _submitted_quarter(world)
    workflow.values_return(
        user=world.reviewer, programme=world.programme, period=Q1, comments={stored(world.count).pk: "?"}
    )
    with pytest.raises(errors.WorkflowError, match="1 value"):
        approve(world, world.reviewer)
    save(world, world.staff, total(world.count, value=D("39"), expected_version=3))
    assert stored(world.count).status == "draft"
    workflow.quarter_submit(user=world.staff, programme=world.programme, period=Q1, today=IN_Q1)
    with pytest.raises(PermissionDenied):
        approve(world, world.staff)
    assert approve(world, world.reviewer) == 3
    assert set(IndicatorValue.objects.values_list("status", flat=True)) == {"approved"}
    with pytest.raises(errors.QuarterNotOpen, match="approved and locked"):
        save(world, world.staff, total(world.count, value=D("1"), expected_version=5, reason="x"))
    with pytest.raises(errors.QuarterNotOpen):
        workflow.quarter_submit(user=world.staff, programme=world.programme, period=Q1, today=IN_Q1)


def test_correcting_an_approved_value_goes_through_reopening_with_a_reason(world):
    _submitted_quarter(world)
    approve(world, world.reviewer)
    workflow.quarter_reopen(user=world.reviewer, programme=world.programme, period=Q1, reason="error in R1.1")
    version = stored(world.count).version
    with pytest.raises(errors.EntryValidationError):
        save(world, world.staff, total(world.count, value=D("44"), expected_version=version))
    save(world, world.staff, total(world.count, value=D("44"), expected_version=version, reason="acta corregida"))
    assert stored(world.count).status == "draft"
    state = quarters.quarter_state(world.programme, Q1)
    assert state.status == QuarterState.Status.OPEN and state.reopened
    reasons = list(state.history.values_list("history_change_reason", flat=True))
    assert "error in R1.1" in reasons
    assert Notification.objects.filter(user=world.staff, text__contains="error in R1.1").exists()


def test_follow_up_flag_by_any_role_with_access_except_emcl_even_when_locked(world):
    _submitted_quarter(world)
    approve(world, world.reviewer)
    value = stored(world.count)
    for user in (world.staff, world.reviewer, world.admin, world.staff_chain2):
        workflow.value_follow_up_set(user=user, value=value, flagged=True)
    with pytest.raises(PermissionDenied):
        workflow.value_follow_up_set(user=world.emcl, value=value, flagged=True)
    with pytest.raises(PermissionDenied):
        workflow.value_follow_up_set(user=world.outsider, value=value, flagged=True)
    assert stored(world.count).follow_up and stored(world.count).status == "approved"


# --- evidence -----------------------------------------------------------------------------------


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("acta.pdf", b"%PDF-1.4\n%...", True),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, True),
        ("tabla.xlsx", None, True),
        ("virus.pdf", b"MZ\x90\x00 not a pdf", False),
        ("acta.exe", b"%PDF-1.4\n", False),
        ("page.html", b"<html></html>", False),
    ],
)
def test_evidence_is_checked_by_content_and_extension(world, settings, tmp_path, name, content, accepted):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile(name, content if content is not None else _xlsx())
    row = total(world.count, value=D("3"), evidence=upload)
    if accepted:
        save(world, world.staff, row)
        stored_name = stored(world.count).evidence.name
        assert stored_name.startswith("evidence/") and (tmp_path / stored_name).exists()
    else:
        with pytest.raises(errors.EntryValidationError) as info:
            save(world, world.staff, row)
        assert info.value.errors[RowKey(world.count.pk)] == [rules.MSG_EVIDENCE_TYPE]


def test_evidence_over_the_size_limit_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCE_MAX_BYTES = 100
    upload = SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n" + b"0" * 200)
    with pytest.raises(errors.EntryValidationError, match="attention") as info:
        save(world, world.staff, total(world.count, value=D("3"), evidence=upload))
    assert "limit is 100 bytes" in info.value.errors[RowKey(world.count.pk)][0]
    assert not list(tmp_path.rglob("*.pdf"))


def test_evidence_name_cannot_escape_the_upload_folder(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile("../../../outside.pdf", b"%PDF-1.4\n")
    save(world, world.staff, total(world.count, value=D("3"), evidence=upload))
    assert stored(world.count).evidence.name.startswith("evidence/")
    assert not (tmp_path / "outside.pdf").exists()


def test_row_created_by_someone_else_between_read_and_write_is_a_conflict_not_an_error(world, monkeypatch):
    save(world, world.staff_all, total(world.count, value=D("7")))
    real = services.quarter_values
    calls = []

    def racing(programme, period):
        calls.append(period)
        # The first read (the rows to lock) misses the row, as if it were committed just after it.
        return IndicatorValue.objects.none() if len(calls) == 1 else real(programme, period)

    monkeypatch.setattr(services, "quarter_values", racing)
    with pytest.raises(errors.ConflictError) as info:
        save(world, world.staff, total(world.count, value=D("8")))
    assert (info.value.conflicts[0].yours.value, info.value.conflicts[0].theirs.value) == (D("8"), D("7"))
    assert stored(world.count).value == D("7")


def test_a_new_draft_in_a_submitted_quarter_opens_it_again(world):
    _submitted_quarter(world)
    assert quarters.quarter_state(world.programme, Q1).status == QuarterState.Status.SUBMITTED
    save(world, world.staff_all, total(world.rate, value=D("50")))
    assert quarters.quarter_state(world.programme, Q1).status == QuarterState.Status.OPEN


def test_too_many_decimals_are_refused_not_rounded(world):
    with pytest.raises(errors.EntryValidationError) as info:
        save(world, world.staff_all, total(world.money, value=D("10.12345")))
    assert info.value.errors[RowKey(world.money.pk)] == [rules.MSG_TOO_PRECISE.format(places=4)]
