"""Waits that end on progress, never on a guess of how fast the machine is.

A test waits for a child process or a server for as long as it is alive (and, where it prints as it
goes, for as long as it keeps printing): a slow machine makes a test slow, never red. Only a hang
ends a wait early, and CAP_SECONDS bounds any single wait so that a child that neither finishes nor
dies cannot hold the run forever. The cap is far beyond any slowness seen: collectstatic, the slowest
child of the suite, takes about 5 s on an idle machine and once passed 120 s on a busy one; an hour
is thirty times that.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable

import pytest

CAP_SECONDS = 3600.0
# A child that reports each step (collectstatic -v2 prints every file) and has printed nothing for this
# long is stuck, not slow: no single step of theirs takes more than seconds on an idle machine.
STALL_SECONDS = 900.0
# The socket timeout of a test's own HTTP request to a server it started: it only guards against a
# server that accepted the connection and hung; a slow answer is waited for.
REQUEST_SECONDS = 600.0


def run_to_end(
    args: list[str],
    *,
    cwd=None,
    env: dict[str, str] | None = None,
    stall: float | None = None,
    cap: float = CAP_SECONDS,
) -> subprocess.CompletedProcess:
    """``subprocess.run(args, capture_output=True, text=True)``, waiting while the child is alive.

    With ``stall`` (seconds) the child must also keep printing, on stdout or stderr; past ``cap`` or a
    stall it is killed and the test fails, showing the end of what it printed.
    """
    child = subprocess.Popen(  # noqa: S603 - the tests' own commands, fixed arguments
        args,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    out: list[str] = []
    err: list[str] = []
    last_output = [time.monotonic()]

    def read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line)
            last_output[0] = time.monotonic()

    readers = [
        threading.Thread(target=read, args=(child.stdout, out), daemon=True),
        threading.Thread(target=read, args=(child.stderr, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    while child.poll() is None:
        now = time.monotonic()
        stuck = stall is not None and now - last_output[0] > stall
        if stuck or now - started > cap:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            why = f"printed nothing for {stall:.0f} s" if stuck else f"still running after {cap:.0f} s"
            pytest.fail(f"{' '.join(args)}: {why}\n" + "".join(out)[-2000:] + "".join(err)[-2000:])
        time.sleep(0.1)
    for reader in readers:
        reader.join()
    return subprocess.CompletedProcess(args, child.returncode, "".join(out), "".join(err))


def wait_until(
    done: Callable[[], bool],
    *,
    alive: Callable[[], bool],
    what: str,
    report: Callable[[], str] = str,
    cap: float = CAP_SECONDS,
    every: float = 0.1,
) -> None:
    """Poll ``done`` while ``alive()`` holds (the server runs, the clients still work); fail when it no
    longer does, or after ``cap`` seconds. ``report`` tells what was seen, for the failure message."""
    started = time.monotonic()
    while not done():
        if not alive():
            pytest.fail(f"gave up waiting for {what}: what it waited on has stopped\n{report()}")
        if time.monotonic() - started > cap:
            pytest.fail(f"gave up waiting for {what} after {cap:.0f} s\n{report()}")
        time.sleep(every)
