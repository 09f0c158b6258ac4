"""The errors the entry services raise.

Each error carries a message constant of the module that raises it (an English msgid marked with
``gettext_noop``) and its values; the view or API that shows it calls
``cse_monitor.lib.messages.translated``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cse_monitor.lib.messages import Message, gettext_noop
from indicators.entry.rows import RowKey, ValueInput
from indicators.models import IndicatorValue

MSG_CONFLICT = gettext_noop("Someone else saved some of these values while you were editing. Nothing was saved.")
MSG_INVALID = gettext_noop("Some values need attention. Nothing was saved.")


class EntryError(Exception):
    """Base of the errors the entry services raise; ``message`` is a message constant with its values."""

    def __init__(self, template: str, **params):
        self.template = template  # the msgid: translate it, then .format(**params)
        self.params = params
        self.message = Message(template, **params)  # the English text; translated() localises it
        super().__init__(self.message)


class QuarterNotOpen(EntryError):
    """The quarter does not accept entry (not yet open, closed, or approved)."""


class WorkflowError(EntryError):
    """The action does not fit the values' state (nothing to submit, pending values on approval …)."""


class SelfApprovalError(EntryError):
    """Who enters does not approve: the approver entered some of the values, whatever their role."""


class LoadError(EntryError):
    """Rows of a programme file break the rules; ``problems`` name each row's indicator, period and field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class EntryValidationError(EntryError):
    """Some rows are invalid; ``errors`` maps each row to its messages. Nothing was saved."""

    def __init__(self, errors: dict[RowKey, list[str]]):
        super().__init__(MSG_INVALID)
        self.errors = errors


@dataclass(frozen=True)
class Conflict:
    """A row someone else saved since it was read: both versions, so that the user can choose."""

    key: RowKey
    yours: ValueInput
    theirs: IndicatorValue | None  # None: the row was deleted meanwhile
    theirs_by: str


class ConflictError(EntryError):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(MSG_CONFLICT)
        self.conflicts = conflicts
