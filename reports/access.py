"""Who may do what with a report, on top of ``indicators.permissions``.

Every member of the programme (staff, reviewer, EMCL, admin) reads its reports, drafts
included: staff write them, the EMCL approves them, reviewers check them. Staff and admins
edit narratives; EMCL members and admins approve, and the same roles reopen an approved report
(reopening undoes an approval, so it takes the right to approve). Anonymous users read nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from cse_monitor.lib.messages import gettext_noop
from indicators.models import Membership
from indicators.permissions import Scope, access_programme

Role = Membership.Role

MSG_CANNOT_EDIT_NARRATIVE = gettext_noop("Only programme staff and administrators edit the report's narratives.")
MSG_CANNOT_APPROVE = gettext_noop("Only EMCL members and administrators approve the report.")
MSG_CANNOT_REOPEN = gettext_noop("Only EMCL members and administrators reopen an approved report.")


def can_edit_narratives(scope: Scope) -> bool:
    return scope.role in (Role.STAFF, Role.ADMIN)


def can_approve(scope: Scope) -> bool:
    return scope.role in (Role.EMCL, Role.ADMIN)


def can_reopen(scope: Scope) -> bool:
    return can_approve(scope)


def access_report(user, programme) -> Scope:
    """The reader's scope; PermissionDenied for users without a role in the programme."""
    return access_programme(user, programme)


def access_narrative_edit(scope: Scope) -> None:
    if not can_edit_narratives(scope):
        raise PermissionDenied(MSG_CANNOT_EDIT_NARRATIVE)


def access_approve(scope: Scope) -> None:
    if not can_approve(scope):
        raise PermissionDenied(MSG_CANNOT_APPROVE)


def access_reopen(scope: Scope) -> None:
    if not can_reopen(scope):
        raise PermissionDenied(MSG_CANNOT_REOPEN)
