from django.apps import AppConfig


class CseMonitorConfig(AppConfig):
    name = "cse_monitor"
    verbose_name = "CSE Monitor"

    def ready(self) -> None:
        # Signal receivers: login throttling counters and the audit log.
        from cse_monitor import audit, throttle  # noqa: F401
