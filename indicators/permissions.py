"""Who may do what in a programme: the ``access_*`` and ``can_*`` functions every view and API call uses.

Roles come from ``Membership``:

- **staff** enter values for the results, value chains and regions assigned to them (or all of
  them with ``all_scope``), submit them, and raise follow-up flags on what they may see;
- **reviewer** (UGCP) reads everything, returns or approves submitted values, reopens a
  quarter, raises follow-up flags; a reviewer does not enter values (who enters does not
  approve);
- **emcl** reads, writes nothing (not even a follow-up flag);
- **admin** does everything, including reading the audit log. A Django superuser counts as
  admin of every programme.

``access_*`` raise ``PermissionDenied`` (a 403 in pages and in the REST API) with a message constant,
translated where it is shown (the 403 page, the API's error handler); ``can_*`` answer yes or no.
Both read one precomputed :class:`Scope`, so a page of 40 indicators costs no
query per indicator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from cse_monitor.lib.messages import gettext_noop
from indicators.models import Membership, Programme

Role = Membership.Role

MSG_NOT_A_MEMBER = gettext_noop("You have no role in this programme.")
MSG_CANNOT_EDIT = gettext_noop("You may not enter values for this indicator.")
MSG_CANNOT_REVIEW = gettext_noop("Only a reviewer may do this.")
MSG_CANNOT_WRITE = gettext_noop("Your role reads this programme and writes nothing.")
MSG_ADMIN_ONLY = gettext_noop("Only an administrator may see this.")


@dataclass(frozen=True)
class Scope:
    """A user's role in one programme and, for staff, what they may enter."""

    programme_id: int
    role: str | None
    all_scope: bool = False
    result_ids: frozenset[int] = frozenset()
    chain_ids: frozenset[int] = frozenset()
    regions: frozenset[str] = frozenset()

    @property
    def is_member(self) -> bool:
        return self.role is not None


def scope_for(user, programme: Programme) -> Scope:
    """The user's scope in ``programme`` (three queries at most)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(programme.pk, None)
    if user.is_superuser:
        return Scope(programme.pk, Role.ADMIN, all_scope=True)
    membership = Membership.objects.filter(user=user, programme=programme).first()
    if membership is None:
        return Scope(programme.pk, None)
    if membership.role != Role.STAFF:
        return Scope(programme.pk, membership.role, all_scope=membership.role == Role.ADMIN)
    regions = frozenset(code.strip() for code in membership.regions.split(",") if code.strip())
    return Scope(
        programme.pk,
        membership.role,
        all_scope=membership.all_scope,
        result_ids=frozenset(membership.results.values_list("pk", flat=True)),
        chain_ids=frozenset(membership.chains.values_list("pk", flat=True)),
        regions=regions,
    )


# ---------------------------------------------------------------------------------------------
# Questions


def can_view(scope: Scope) -> bool:
    """Every role reads the programme's values, series and reports."""
    return scope.is_member


def can_edit_value(scope: Scope, *, result_id: int, chain_id: int | None = None, region: str = "") -> bool:
    """Staff within their assigned results, chains or regions (or all_scope), and admins."""
    if scope.role == Role.ADMIN:
        return True
    if scope.role != Role.STAFF:
        return False
    if scope.all_scope or result_id in scope.result_ids:
        return True
    if chain_id is not None and chain_id in scope.chain_ids:
        return True
    return bool(region) and region in scope.regions


def can_see_in_entry(
    scope: Scope, *, result_id: int, disaggregated_by_chain: bool, regions: frozenset[str] = frozenset()
) -> bool:
    """Whether an indicator appears on the staff member's entry form (some row of it is theirs).

    ``regions``: the department codes the indicator has rows for (empty unless disaggregated by region).
    """
    if scope.role != Role.STAFF:
        return scope.role in (Role.ADMIN, Role.REVIEWER, Role.EMCL)
    return (
        scope.all_scope
        or result_id in scope.result_ids
        or (disaggregated_by_chain and bool(scope.chain_ids))
        or bool(scope.regions & regions)
    )


def can_submit(scope: Scope) -> bool:
    return scope.role in (Role.STAFF, Role.ADMIN)


def can_review(scope: Scope) -> bool:
    """Return, approve, reopen: reviewers and admins."""
    return scope.role in (Role.REVIEWER, Role.ADMIN)


def can_flag(scope: Scope) -> bool:
    """Raise or clear a follow-up flag: every role with access except EMCL, which writes nothing."""
    return scope.role in (Role.STAFF, Role.REVIEWER, Role.ADMIN)


def can_view_audit_log(user) -> bool:
    """Admins only: superusers, or users with the admin role in some programme."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.ADMIN).exists()


# ---------------------------------------------------------------------------------------------
# Guards


def access_programme(user, programme: Programme) -> Scope:
    """The user's scope; PermissionDenied when they have no role in the programme."""
    scope = scope_for(user, programme)
    if not can_view(scope):
        raise PermissionDenied(MSG_NOT_A_MEMBER)
    return scope


def visible_programmes(user, *, roles: Iterable[str] | None = None) -> QuerySet[Programme]:
    """The programmes ``user`` may read, by code: those of their memberships (with one of ``roles`` when given),
    every programme for an active superuser, none for an anonymous or inactive user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Programme.objects.none()
    programmes = Programme.objects.order_by("code")
    if user.is_superuser:
        return programmes
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return programmes.filter(pk__in=memberships.values("programme_id"))


def access_programme_code(user, code: str) -> Programme:
    """The programme ``code`` when the user has a role in it; Http404 for an unknown code, PermissionDenied else."""
    programme = get_object_or_404(Programme, code=code)
    access_programme(user, programme)
    return programme


def programme_year(programme: Programme, year: int) -> int:
    """``year`` when it is a year of the programme's life (``Programme.years``); Http404 otherwise."""
    if year not in programme.years:
        raise Http404(f"{programme.code} has no year {year}")
    return year


def access_value_edit(scope: Scope, *, result_id: int, chain_id: int | None = None, region: str = "") -> None:
    if not can_edit_value(scope, result_id=result_id, chain_id=chain_id, region=region):
        raise PermissionDenied(MSG_CANNOT_WRITE if scope.role == Role.EMCL else MSG_CANNOT_EDIT)


def access_review(scope: Scope) -> None:
    if not can_review(scope):
        raise PermissionDenied(MSG_CANNOT_REVIEW)


def access_submit(scope: Scope) -> None:
    if not can_submit(scope):
        raise PermissionDenied(MSG_CANNOT_WRITE)


def access_flag(scope: Scope) -> None:
    if not can_flag(scope):
        raise PermissionDenied(MSG_CANNOT_WRITE)


def access_audit_log(user) -> None:
    if not can_view_audit_log(user):
        raise PermissionDenied(MSG_ADMIN_ONLY)
