"""Two gunicorn instances sharing one PostgreSQL behave as one application: a session opened on
one is valid on the other, a logout on one ends it everywhere, and login throttling counts across both."""

import os

import pytest

from bench.bench_load import PASSWORD, Session, fresh_database, gunicorn, prepare_database, server_env

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL shared by two servers"
    ),
    pytest.mark.slow,
]


def _with_cookies_of(session: Session, port: int) -> Session:
    other = Session("127.0.0.1", port)
    other.cookies = dict(session.cookies)
    return other


def test_two_instances_share_sessions_logout_and_login_throttle(tmp_path):
    with fresh_database("postgres", tmp_path) as url:
        env = server_env(url, tmp_path, LOGIN_THROTTLE_IP_FAILURES="50")
        prepare_database(env)
        with (
            gunicorn(env, tmp_path / "a.log", workers=1) as (port_a, _),
            gunicorn(env, tmp_path / "b.log", workers=1) as (port_b, _),
        ):
            on_a = Session("127.0.0.1", port_a)
            on_a.login("staff")
            assert on_a.request("GET", "/")[0] == 200
            on_b = _with_cookies_of(on_a, port_b)
            assert on_b.request("GET", "/")[0] == 200, "a session opened on A is not valid on B"

            fields = [("csrfmiddlewaretoken", on_b.cookies["csrftoken"])]
            assert on_b.post_form("/accounts/logout/", fields, f"http://127.0.0.1:{port_b}/")[0] == 302
            status, headers, _ = on_a.request("GET", "/")
            assert status == 302 and "/accounts/login/" in headers["Location"], "logout on B did not end A's session"

            attacker_a, attacker_b = Session("127.0.0.1", port_a), Session("127.0.0.1", port_b)
            for _ in range(5):
                attacker_a.request("GET", "/accounts/login/")
                token = [("csrfmiddlewaretoken", attacker_a.cookies["csrftoken"])]
                attacker_a.post_form("/accounts/login/", [*token, ("username", "emcl"), ("password", "wrong")], "")
            attacker_b.request("GET", "/accounts/login/")
            token = [("csrfmiddlewaretoken", attacker_b.cookies["csrftoken"])]
            status, _, _ = attacker_b.post_form(
                "/accounts/login/", [*token, ("username", "emcl"), ("password", PASSWORD)], ""
            )
            assert status == 429, "failures counted on A do not lock the login on B"
