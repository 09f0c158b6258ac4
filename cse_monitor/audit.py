"""Audit trail in the log: every admin action (Django's LogEntry) and logout, as a JSON line.

The admin already stores each add/change/delete as a LogEntry in the database; this
copies it to the log stream so it survives in the central log store too.
"""

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.auth import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

audit_log = logging.getLogger("cse_monitor.audit")

_ACTIONS = {1: "add", 2: "change", 3: "delete"}


@receiver(post_save, sender=LogEntry)
def _log_admin_action(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:  # raw: loaddata (a restore), not an admin action
        return
    audit_log.info(
        "admin %s %s",
        _ACTIONS.get(instance.action_flag, str(instance.action_flag)),
        instance.object_repr,
        extra={
            "event": "admin_action",
            "action": _ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "user_id": instance.user_id,
            "content_type": str(instance.content_type) if instance.content_type_id else None,
            "object_id": instance.object_id,
            "object_repr": instance.object_repr,
            "change_message": instance.get_change_message(),
        },
    )


@receiver(user_logged_out)
def _log_logout(sender, request, user, **kwargs) -> None:
    audit_log.info("logout", extra={"event": "logout", "user_id": getattr(user, "pk", None)})
