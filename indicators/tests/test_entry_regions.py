"""Region rows of the quarter form: derived regions, the permission matrix by region, the form, review and history."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from indicators.entry import errors, services, workflow
from indicators.entry.rows import RowKey, ValueInput, allowed_rows, programme_regions
from indicators.entry.selectors import entry_page, review_queue
from indicators.models import IndicatorValue, QuarterState
from indicators.periods import Period
from indicators.permissions import scope_for
from indicators.tests.entry_world import REGIONS, add_regions, build_world

pytestmark = pytest.mark.django_db

Q1 = Period(2012, 1)
IN_Q1 = date(2012, 2, 15)
AYACUCHO, APURIMAC, HUANCAVELICA = "05", "03", "09"


@pytest.fixture
def rw():
    return add_regions(build_world(period=Q1))


def save(rw, user, *inputs):
    return services.quarter_values_save(user=user, programme=rw.world.programme, period=Q1, inputs=inputs, today=IN_Q1)


def region_input(indicator, region, value):
    return ValueInput(key=RowKey(indicator.pk, region=region), value=D(value))


def stored(indicator, region=""):
    return IndicatorValue.objects.get(indicator=indicator, year=2012, quarter=1, chain=None, sex="", region=region)


# --- the programme's regions ---------------------------------------------------------------------


def test_regions_are_the_departments_of_the_beneficiary_districts(rw):
    assert programme_regions(rw.world.programme) == REGIONS


def test_per0601011_regions_are_apurimac_ayacucho_huancavelica(per0601011):
    assert programme_regions(per0601011) == {"03": "Apurímac", "05": "Ayacucho", "09": "Huancavelica"}


def test_a_programme_without_beneficiary_districts_has_no_region_rows():
    world = build_world(period=Q1)
    world.count.disaggregated_by_region = True
    world.count.save()
    assert programme_regions(world.programme) == {}
    assert all(not key.region for key in allowed_rows(world.count, [world.chain1.pk], []))


def test_region_rows_only_for_flagged_indicators(rw):
    regions = list(programme_regions(rw.world.programme))
    assert allowed_rows(rw.by_region, [], regions) == [
        RowKey(rw.by_region.pk),
        RowKey(rw.by_region.pk, region=APURIMAC),
        RowKey(rw.by_region.pk, region=AYACUCHO),
        RowKey(rw.by_region.pk, region=HUANCAVELICA),
    ]
    assert allowed_rows(rw.world.money, [], regions) == [RowKey(rw.world.money.pk)]


@pytest.mark.parametrize(
    "key",
    [RowKey(7, None, "", "05"), RowKey(7), RowKey(7, 3, "F"), RowKey(7, None, "M", "09"), RowKey(12, 4, "", "")],
)
def test_row_key_round_trips_through_its_text(key):
    assert RowKey.parse(str(key)) == key


def test_row_keys_without_a_region_keep_their_form_names():
    assert str(RowKey(7, None, "F")) == "7-0-F" and str(RowKey(7, region="05")) == "7-0-T-05"


# --- the permission matrix with regions ----------------------------------------------------------

ROLES = ["staff_ayacucho", "staff_apurimac", "staff", "staff_all", "reviewer", "emcl", "admin", "outsider"]
EDITS = {
    "Ayacucho row": lambda rw: RowKey(rw.by_region.pk, region=AYACUCHO),
    "Apurímac row": lambda rw: RowKey(rw.by_region.pk, region=APURIMAC),
    "total": lambda rw: RowKey(rw.by_region.pk),
}
#                   ayacucho apurimac staff(R1) all   reviewer emcl   admin  outsider
EXPECTED = {
    "Ayacucho row": (True, False, False, True, False, False, True, False),
    "Apurímac row": (False, True, False, True, False, False, True, False),
    "total": (False, False, False, True, False, False, True, False),
}
MATRIX = [(edit, role, ok) for edit, row in EXPECTED.items() for role, ok in zip(ROLES, row, strict=True)]


def user_of(rw, role):
    return getattr(rw, role, None) or getattr(rw.world, role)


@pytest.mark.parametrize(("edit", "role", "allowed"), MATRIX)
def test_region_permission_matrix_in_the_service(rw, edit, role, allowed):
    key = EDITS[edit](rw)
    try:
        save(rw, user_of(rw, role), ValueInput(key=key, value=D("3")))
    except PermissionDenied:
        refused = True
    else:
        refused = False
    assert refused is not allowed
    assert IndicatorValue.objects.filter(region=key.region).exists() is allowed


def test_staff_of_r2_edit_every_region_of_its_indicators(rw):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="staff_r2")
    MembershipFactory(user=user, programme=rw.world.programme, results=[rw.world.r2])
    save(rw, user, region_input(rw.by_region, HUANCAVELICA, "4"))
    assert stored(rw.by_region, HUANCAVELICA).value == D("4")


def test_a_refused_region_row_writes_nothing_of_the_batch(rw):
    with pytest.raises(PermissionDenied):
        save(
            rw, rw.staff_ayacucho, region_input(rw.by_region, AYACUCHO, "2"), region_input(rw.by_region, APURIMAC, "3")
        )
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    "key",
    [
        lambda rw: RowKey(rw.by_region.pk, region="07"),  # Callao: no beneficiary district there
        lambda rw: RowKey(rw.world.money.pk, region=AYACUCHO),  # not disaggregated by region
        lambda rw: RowKey(rw.by_region.pk, rw.world.chain1.pk, "", AYACUCHO),  # breakdowns are never crossed
    ],
)
def test_region_rows_outside_the_form_are_refused(rw, key):
    with pytest.raises(errors.EntryValidationError) as info:
        save(rw, rw.world.admin, ValueInput(key=key(rw), value=D("1")))
    assert list(info.value.errors.values()) == [[services.MSG_UNKNOWN_ROW]]
    assert not IndicatorValue.objects.exists()


def test_region_staff_submit_only_their_region(rw):
    save(rw, rw.staff_ayacucho, region_input(rw.by_region, AYACUCHO, "2"))
    save(rw, rw.staff_apurimac, region_input(rw.by_region, APURIMAC, "3"))
    assert workflow.quarter_submit(user=rw.staff_ayacucho, programme=rw.world.programme, period=Q1, today=IN_Q1) == 1
    assert stored(rw.by_region, AYACUCHO).status == "submitted"
    assert stored(rw.by_region, APURIMAC).status == "draft"
    assert review_queue(programmes=[rw.world.programme])[0]["submitted"] == 1
    assert review_queue(programmes=[rw.world.programme])[0]["pending"] == 1


# --- the entry page ------------------------------------------------------------------------------


def test_region_staff_see_region_indicators_with_only_their_row_editable(rw):
    scope = scope_for(rw.staff_ayacucho, rw.world.programme)
    page = entry_page(programme=rw.world.programme, period=Q1, scope=scope, today=IN_Q1)
    shown = {item.indicator.code: item for group in page.groups for item in group.indicators}
    assert set(shown) == {"R2.3", "R2.4"}  # nothing else is theirs
    rows = {row.label: row.editable for row in shown["R2.3"].rows}
    assert rows == {"Total": False, "Apurímac": False, "Ayacucho": True, "Huancavelica": False}
    assert [row.part for row in shown["R2.3"].rows] == ["total", "region", "region", "region"]


def test_staff_without_regions_do_not_see_region_indicators_of_other_results(rw):
    page = entry_page(programme=rw.world.programme, period=Q1, scope=scope_for(rw.world.staff, rw.world.programme))
    codes = {item.indicator.code for group in page.groups for item in group.indicators}
    assert codes == {"R1.1", "R1.2"}


@pytest.fixture
def open_rw(rw):
    QuarterState.objects.create(programme=rw.world.programme, year=2012, quarter=1, reopened=True, reason="tests")
    return rw


def form_url(rw, name="entry"):
    return reverse(f"indicators:{name}", args=[rw.world.programme.code, "2012Q1"])


def test_form_shows_region_rows_by_department_name_other_regions_read_only(client, open_rw):
    rw = open_rw
    IndicatorValue.objects.create(indicator=rw.by_region, year=2012, quarter=1, region=APURIMAC, value=D("6"))
    client.force_login(rw.staff_ayacucho)
    html = client.get(form_url(rw)).content.decode()
    article = html[html.index(f'id="ind-{rw.by_region.pk}"') :]
    article = article[: article.index("</article>")]
    for name in ("Apurímac", "Ayacucho", "Huancavelica"):
        assert f">{name}</th>" in article  # the row's label
    assert f'name="r{rw.by_region.pk}-0-T-05-value"' in article  # their row: an input
    assert f'name="r{rw.by_region.pk}-0-T-03-value"' not in article  # another region: read only
    assert f'name="r{rw.by_region.pk}-0-T-value"' not in article  # the total: read only
    assert f'id="row-{rw.by_region.pk}-0-T-03"' in article and 'data-part="region"' in article


def test_region_staff_post_saves_their_region_and_ignores_the_others(client, open_rw):
    rw = open_rw
    client.force_login(rw.staff_ayacucho)
    response = client.post(
        form_url(rw),
        {
            f"r{rw.by_region.pk}-0-T-05-value": "1.234",
            f"r{rw.by_region.pk}-0-T-05-value_mark": ",",  # comma decimals: 1.234 is 1234
            f"r{rw.by_region.pk}-0-T-03-value": "9",
            f"r{rw.by_region.pk}-0-T-value": "9",
        },
    )
    assert response.status_code == 302
    assert list(IndicatorValue.objects.values_list("region", "value")) == [(AYACUCHO, D("1234"))]
    assert stored(rw.by_region, AYACUCHO).entered_by == rw.staff_ayacucho


def test_region_mismatch_is_flagged_on_the_form_and_the_total_kept(client, open_rw):
    rw = open_rw
    save(
        rw,
        rw.world.staff_all,
        ValueInput(key=RowKey(rw.by_region.pk), value=D("10")),
        region_input(rw.by_region, APURIMAC, "3"),
        region_input(rw.by_region, AYACUCHO, "4"),
        region_input(rw.by_region, HUANCAVELICA, "5"),
    )
    client.force_login(rw.world.staff_all)
    html = client.get(form_url(rw), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    article = html[html.index(f'id="ind-{rw.by_region.pk}"') :][:3000]
    assert "Incomplete disaggregation: the parts add up to 12, the total is 10." in article
    assert stored(rw.by_region).value == D("10")  # never replaced by the sum


def test_a_missing_region_is_flagged_as_incomplete(client, open_rw):
    rw = open_rw
    save(rw, rw.world.staff_all, ValueInput(key=RowKey(rw.by_region.pk), value=D("7")))
    save(rw, rw.world.staff_all, region_input(rw.by_region, APURIMAC, "3"), region_input(rw.by_region, AYACUCHO, "4"))
    client.force_login(rw.world.reviewer)
    html = client.get(form_url(rw), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    article = html[html.index(f'id="ind-{rw.by_region.pk}"') :][:3000]
    assert "Incomplete disaggregation: parts missing." in article


def test_review_and_history_pages_name_the_region(client, open_rw):
    rw = open_rw
    save(rw, rw.staff_ayacucho, region_input(rw.by_region, AYACUCHO, "2"))
    save(
        rw,
        rw.staff_ayacucho,
        ValueInput(key=RowKey(rw.by_region.pk, region=AYACUCHO), value=D("3"), expected_version=1),
    )
    workflow.quarter_submit(user=rw.staff_ayacucho, programme=rw.world.programme, period=Q1, today=IN_Q1)
    value = stored(rw.by_region, AYACUCHO)
    client.force_login(rw.world.reviewer)
    review = client.get(form_url(rw, "review")).content.decode()
    row = review[review.index(f'id="review-{value.pk}"') :][:800]
    assert "R2.3" in row and "Ayacucho" in row and 'name="return-' in row
    history = client.get(reverse("indicators:value_history", args=[value.pk])).content.decode()
    assert "R2.3 · 2012Q1 · Ayacucho" in history
    assert f"#row-{rw.by_region.pk}-0-T-05" in history
    assert history.count('class="history-step"') == 3  # created, edited, submitted
    # A return reaches the person who entered it, with a link to their row.
    workflow.values_return(user=rw.world.reviewer, programme=rw.world.programme, period=Q1, comments={value.pk: "acta"})
    assert rw.staff_ayacucho.notifications.get().link.endswith(f"#row-{rw.by_region.pk}-0-T-05")
