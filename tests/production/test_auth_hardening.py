"""Login throttling, session expiry, admin action logging."""

import logging
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone, translation
from django.utils.translation import gettext

PASSWORD = "Ayacucho-Huanta-2011"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("maria", password=PASSWORD)


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_works_with_the_right_password(client, user):
    response = login(client, "maria", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_login_is_refused_with_429_after_repeated_failures_even_with_the_right_password(client, settings, user):
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        assert login(client, "maria", "wrong").status_code == 200
    response = login(client, "maria", PASSWORD)
    assert response.status_code == 429
    with translation.override("es"):
        throttled = gettext("Too many failed login attempts. Please wait %(minutes)d minutes and try again.")
    assert throttled.split("%(minutes)d")[0] in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttle_is_per_username_and_address(client, settings, user):
    other = get_user_model().objects.create_user("jose", password=PASSWORD)
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        login(client, "maria", "wrong")
    assert login(client, other.username, PASSWORD).status_code == 302
    client.logout()
    assert login(client, "maria", PASSWORD, ip="10.0.0.2").status_code == 302


def test_address_is_throttled_across_usernames_against_password_spraying(client, settings, user):
    settings.LOGIN_THROTTLE_IP_FAILURES = 6
    for index in range(6):
        login(client, f"guess{index}", "wrong")
    assert login(client, "maria", PASSWORD).status_code == 429


def test_throttle_also_guards_the_admin_login(client, settings, user):
    user.is_staff = True
    user.save()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        client.post("/admin/login/", {"username": "maria", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    client.post("/admin/login/?next=/admin/", {"username": "maria", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert "_auth_user_id" not in client.session


def test_success_resets_the_failure_count(client, settings, user):
    for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1):
        login(client, "maria", "wrong")
    assert login(client, "maria", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1):
        login(client, "maria", "wrong")
    assert login(client, "maria", PASSWORD).status_code == 302


def test_lock_ends_after_the_window(client, settings, user, monkeypatch):
    settings.LOGIN_THROTTLE_WINDOW = 60
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        login(client, "maria", "wrong")
    assert login(client, "maria", PASSWORD).status_code == 429
    later = timezone.now().timestamp() + 61
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later)
    assert login(client, "maria", PASSWORD).status_code == 302


def test_failed_logins_are_logged_for_audit(client, user, caplog):
    with caplog.at_level(logging.WARNING, logger="cse_monitor.audit"):
        login(client, "maria", "wrong")
    (record,) = [r for r in caplog.records if r.name == "cse_monitor.audit"]
    assert record.event == "login_failed" and record.username == "maria" and record.ip == "10.0.0.1"


def test_sessions_are_stored_in_the_database_and_expire(client, settings, user):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    login(client, "maria", PASSWORD)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)


def test_admin_actions_are_recorded_and_logged(client, caplog, db):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    target = get_user_model().objects.create_user("someone", password=PASSWORD)
    client.force_login(admin)
    with caplog.at_level(logging.INFO, logger="cse_monitor.audit"):
        response = client.post(f"/admin/auth/user/{target.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.object_repr, entry.action_flag) == (admin.pk, "someone", 3)
    audit = [r for r in caplog.records if getattr(r, "event", None) == "admin_action"]
    assert len(audit) == 1
    assert (audit[0].action, audit[0].object_repr, audit[0].user_id) == ("delete", "someone", admin.pk)
