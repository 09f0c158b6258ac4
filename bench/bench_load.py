"""Load benchmark: gunicorn on 127.0.0.1, a mixed load driven from a second process, for a bounded time.

    .venv/bin/python bench/bench_load.py [--duration 20] [--concurrency 8] [--workers 4] [--threads 1]
                                         [--database sqlite|postgres]

1. Builds a fresh database (a SQLite file, or a new PostgreSQL database on 127.0.0.1 that is dropped
   afterwards), migrates it, loads PER0601011 and the demo users.
2. Starts gunicorn (deploy/gunicorn.conf.py: the container's configuration) on a free local port,
   with DEBUG off, the database cache, JSON logs (to a file) and the 2008-2011 quarters open for entry.
3. Starts the load driver in a second process: `--concurrency` threads, each logged in with its own
   session, first hitting a trivial view (/healthz) for half the duration (the baseline), then
   running the mixed load for the full duration:
     report   GET  the 2011 annual report page                       (weight 2)
     series   GET  /api/v1/series/ for the programme (36 indicators)  (weight 4)
     save     GET  a quarter's entry form, then POST it with changed values and a reason (weight 3);
              each thread saves its own quarter, so no save conflicts with another thread's.
4. Prints throughput, p50/p95/p99 latency per kind and overall, the error count (any unexpected status
   or connection error; must be 0) and the ratio of the mixed throughput to the trivial view's.
   Exit status 1 when there was any error.
"""

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROGRAMME = "PER0601011"
PASSWORD = "cse-demo-2011"  # noqa: S105 - the documented demo password
QUARTERS = [f"{year}Q{q}" for year in range(2008, 2012) for q in range(1, 5)]


# --------------------------------------------------------------------------------------------- driver side


class FormReader(HTMLParser):
    """The fields of the form that holds `button_id`, as a browser would submit them."""

    def __init__(self, button_id: str):
        super().__init__()
        self.button_id = button_id
        self.forms: list[dict] = []
        self._current: dict | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {"action": a.get("action") or "", "fields": [], "has_button": False}
            self.forms.append(self._current)
        elif self._current is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if not a.get("name") or kind in {"file", "submit", "button", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._current["fields"].append([a["name"], a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._current["fields"].append([a["name"], ""])
        elif tag == "button" and a.get("id") == self.button_id:
            self._current["has_button"] = True
            self._current["button"] = (a.get("name"), a.get("value", ""))

    def handle_data(self, data):
        if self._textarea and self._current:
            self._current["fields"][-1][1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._current = None

    def form(self) -> dict:
        for form in self.forms:
            if form["has_button"]:
                return form
        raise RuntimeError(f"no form with button #{self.button_id}")


# A socket timeout that only ends a hung server: a slow answer is measured (the bench) or waited for (the fault
# tests), never turned into a failure because the machine is busy.
REQUEST_TIMEOUT_SECONDS = 600


class Session:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_SECONDS)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, OSError):
                # A keep-alive connection the server closed (worker recycled): one fresh retry, like a browser.
                self.conn.close()
                self.conn = HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_SECONDS)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, data

    def post_form(self, path: str, fields: list, referer: str):
        body = urllib.parse.urlencode([tuple(field) for field in fields]).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": referer}
        return self.request("POST", path, body, headers)

    def login(self, username: str) -> None:
        status, _, _ = self.request("GET", "/accounts/login/")
        assert status == 200, status
        fields = [("csrfmiddlewaretoken", self.cookies["csrftoken"]), ("username", username), ("password", PASSWORD)]
        status, headers, _ = self.post_form(
            "/accounts/login/", fields, f"http://{self.host}:{self.port}/accounts/login/"
        )
        if status != 302:
            raise RuntimeError(f"login of {username} failed with {status}")


NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def filled_entry_form(html: str, flip: bool) -> tuple[str, list[list[str]], dict[str, str]]:
    """The entry form as a browser would post it, with up to 4 values set or moved by +-1, and a reason.

    Returns (action, fields, {field name: new value}).
    """
    reader = FormReader("save-button")
    reader.feed(html)
    form = reader.form()
    fields, changed = [], {}
    for name, value in form["fields"]:
        if name.endswith("-value") and len(changed) < 4 and (NUMBER.match(value.strip()) or not value.strip()):
            # An empty quarter gets small whole numbers (valid for counts and percentages alike).
            number = int(float(value.replace(",", "."))) if value.strip() else 10
            value = str(number + (1 if flip else -1) if number > 1 else number + 1)
            changed[name] = value
        fields.append([name, value])
    for field in fields:
        if field[0].endswith("-reason") and not field[1]:
            field[1] = "load test"
    button = form.get("button")
    if button and button[0]:
        fields.append(list(button))
    return form["action"], fields, changed


def entry_values(html: str) -> dict[str, str]:
    """The value fields of an entry form as shown: {field name: text}."""
    reader = FormReader("save-button")
    reader.feed(html)
    return {name: value for name, value in reader.form()["fields"] if name.endswith("-value")}


def save_quarter(session: Session, quarter: str, flip: bool) -> tuple[int, int, float, float, str]:
    """GET the entry form, change its numeric values by +-1 with a reason, POST it. (get, post) statuses/latencies."""
    path = f"/entry/{PROGRAMME}/{quarter}/"
    started = time.perf_counter()
    status, _, body = session.request("GET", path)
    get_latency = time.perf_counter() - started
    if status != 200:
        return status, 0, get_latency, 0.0, f"GET {path} -> {status}"
    action, fields, _changed = filled_entry_form(body.decode(), flip)
    started = time.perf_counter()
    status, _, body = session.post_form(action or path, fields, f"http://{session.host}:{session.port}{path}")
    post_latency = time.perf_counter() - started
    detail = (
        ""
        if status == 302
        else f"POST {path} -> {status}: "
        + " | ".join(re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{1,160})', body.decode(errors="replace"))[:3])
    )
    return 200, status, get_latency, post_latency, detail


def drive(config: dict) -> dict:
    host, port = "127.0.0.1", config["port"]
    report_path = config["report_path"]
    series_path = f"/api/v1/series/?programme={PROGRAMME}&page_size=50"
    records: dict[str, list] = {"trivial": [], "report": [], "series": [], "entry_form": [], "save": []}
    errors: list[str] = []
    lock = threading.Lock()
    sessions = []
    for _ in range(config["concurrency"]):
        session = Session(host, port)
        session.login("staff")
        sessions.append(session)

    def record(kind: str, ok: bool, latency: float, detail: str = "") -> None:
        with lock:
            records[kind].append(latency)
            if not ok:
                errors.append(f"{kind}: {detail}")

    def trivial_worker(session: Session, deadline: float) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _, _ = session.request("GET", "/healthz")
            except OSError as exc:
                record("trivial", False, time.perf_counter() - started, repr(exc))
                continue
            record("trivial", status == 200, time.perf_counter() - started, str(status))

    def mixed_worker(index: int, session: Session, deadline: float) -> None:
        rng = random.Random(index)
        quarter = QUARTERS[index % len(QUARTERS)]
        flip = False
        while time.perf_counter() < deadline:
            kind = rng.choices(["report", "series", "save"], weights=[2, 4, 3])[0]
            started = time.perf_counter()
            try:
                if kind == "save":
                    flip = not flip
                    get_status, post_status, get_lat, post_lat, detail = save_quarter(session, quarter, flip)
                    record("entry_form", get_status == 200, get_lat, detail)
                    if get_status == 200:
                        record("save", post_status == 302, post_lat, detail)
                    continue
                status, _, _ = session.request("GET", report_path if kind == "report" else series_path)
                record(kind, status == 200, time.perf_counter() - started, f"{kind} -> {status}")
            except Exception as exc:  # any failure of the client side is an error to report
                record(kind, False, time.perf_counter() - started, repr(exc))

    def run_phase(target, seconds: float, with_index: bool) -> float:
        deadline = time.perf_counter() + seconds
        threads = [
            threading.Thread(target=target, args=((i, s, deadline) if with_index else (s, deadline)))
            for i, s in enumerate(sessions)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    trivial_elapsed = run_phase(trivial_worker, config["duration"] / 2, with_index=False)
    mixed_elapsed = run_phase(mixed_worker, config["duration"], with_index=True)
    return {"records": records, "errors": errors, "trivial_elapsed": trivial_elapsed, "mixed_elapsed": mixed_elapsed}


# --------------------------------------------------------------------------------------------- orchestrator side


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def print_results(result: dict, args) -> int:
    records, errors = result["records"], result["errors"]
    mixed_kinds = ["report", "series", "entry_form", "save"]
    trivial_rps = len(records["trivial"]) / result["trivial_elapsed"]
    mixed_count = sum(len(records[k]) for k in mixed_kinds)
    mixed_rps = mixed_count / result["mixed_elapsed"]
    print(
        f"\nCSE Monitor load benchmark: gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.concurrency} client threads, database {args.database}"
    )
    print(f"trivial phase {result['trivial_elapsed']:.1f} s, mixed phase {result['mixed_elapsed']:.1f} s\n")
    print(f"{'kind':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    rows = [("trivial", records["trivial"], result["trivial_elapsed"])]
    rows += [(k, records[k], result["mixed_elapsed"]) for k in mixed_kinds]
    rows.append(("mixed (all)", [v for k in mixed_kinds for v in records[k]], result["mixed_elapsed"]))
    for name, values, elapsed in rows:
        print(
            f"{name:<12}{len(values):>10}{len(values) / elapsed:>10.1f}"
            f"{percentile(values, 50) * 1000:>10.1f}{percentile(values, 95) * 1000:>10.1f}"
            f"{percentile(values, 99) * 1000:>10.1f}"
        )
    print(f"\nthroughput: mixed {mixed_rps:.1f} req/s, trivial view {trivial_rps:.1f} req/s")
    print(f"ratio mixed / trivial throughput: {mixed_rps / trivial_rps:.3f}")
    if records["save"]:
        print(f"quarter saves per second: {len(records['save']) / result['mixed_elapsed']:.1f}")
    print(f"errors: {len(errors)}")
    for line in sorted(set(errors))[:10]:
        print(f"  {line}")
    return 1 if errors else 0


PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def fresh_database(kind: str, workdir: Path):
    """A new, empty database URL: a SQLite file in workdir, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'app.sqlite3'}"
        return
    import psycopg2

    name = f"cse_live_{uuid.uuid4().hex[:10]}"
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}"')
    conn.close()
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        conn = psycopg2.connect(PG_ADMIN_URL)
        conn.autocommit = True
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def server_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """Environment of the server under test: DEBUG off, database cache, JSON logs, 2008-2011 quarters open."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ENV" and not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="cse_monitor.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CACHE_BACKEND="db",
        MEDIA_ROOT=str(workdir / "media"),
        LOG_FORMAT="json",
        ENTRY_CLOSE_AFTER_DAYS="100000",  # the 2008-2011 quarters stay open for the save load
        LOGIN_THROTTLE_IP_FAILURES="1000000",
    )
    env.update(extra)
    return env


def prepare_database(env: dict) -> None:
    """Migrate, cache table, the PER0601011 programme and the demo users."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "load_programme", str(ROOT / "fixtures" / "per0601011" / "programme.json"))
    manage(env, "create_demo_users")


READY_CAP_SECONDS = 3600


@contextlib.contextmanager
def gunicorn(env: dict, log_path: Path, workers: int = 2, threads: int = 1):
    """gunicorn with the container's config on a free 127.0.0.1 port; yields (port, process) once /readyz is 200."""
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--max-requests",
                "0",
                "cse_monitor.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        try:
            # Waited for while gunicorn runs (it exits with its reason in the log otherwise): starting is as
            # slow as the machine is busy. The cap only ends a hang (seconds when idle; an hour is a hang).
            deadline = time.monotonic() + READY_CAP_SECONDS
            while True:
                try:
                    probe = HTTPConnection("127.0.0.1", port, timeout=2)
                    probe.request("GET", "/readyz")
                    if probe.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"gunicorn did not become ready:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield port, server
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:  # a busy machine: stop it without its graceful shutdown
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of mixed load (trivial: half)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    default_db = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    parser.add_argument("--database", choices=["sqlite", "postgres"], default=default_db)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        json.dump(drive(json.loads(args.drive)), sys.stdout)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="cse-bench-"))
    try:
        with fresh_database(args.database, workdir) as database_url:
            env = server_env(database_url, workdir)
            prepare_database(env)
            log_path = workdir / "server.log"
            with gunicorn(env, log_path, workers=args.workers, threads=args.threads) as (port, _server):
                config = {
                    "port": port,
                    "concurrency": args.concurrency,
                    "duration": args.duration,
                    "report_path": f"/reports/{PROGRAMME}/2011/",
                }
                driver = subprocess.run(
                    [PYTHON, __file__, "--drive", json.dumps(config)],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=args.duration * 3 + 120,
                )
                if driver.returncode != 0:
                    server_log = log_path.read_text()[-4000:]
                    raise SystemExit(f"load driver failed:\n{driver.stderr[-3000:]}\nserver log:\n{server_log}")
                return print_results(json.loads(driver.stdout), args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
