"""Infrastructure faults for the reliability tests: a Redis server of the test's own (killed,
hung and brought back while the shared one serves everybody else), the recovery clocks the
worker runs on, a web process that dies between an accept's commit and its publish, and
PostgreSQL dropping every connection of the test database."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections

from tests.reliability.harness import ROOT, redis_answers, wait_for

REDIS_SERVER = "redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """``redis-server`` on a free port, without persistence: killing it loses every message, as
    a crashed Redis without an append-only file does. Stopped (SIGSTOP) it keeps its sockets
    open and answers nothing, as a Redis behind a dead network path does."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.proc is None, "this Redis is already running"
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for(lambda: redis_answers(self.url), 10, f"redis-server on port {self.port}")

    def kill(self) -> None:
        """A crash: the port refuses connections until :meth:`start`."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)  # a stopped process dies only once continued
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc = None

    def hang(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None:
            self.kill()


@dataclass(frozen=True)
class Clocks:
    """The recovery clocks of the worker's settings, in seconds."""

    lease: float
    stale_accepted: float
    sweep: float


_CLOCKS = """
import json, django
django.setup()
from django.conf import settings
from approvals import leases
print(json.dumps({
    "lease": leases.lease().total_seconds(),
    "stale_accepted": leases.stale_after().total_seconds(),
    "sweep": float(settings.CELERY_BEAT_SCHEDULE["sweep-exports"]["schedule"]),
}))
"""


def worker_clocks(env: dict[str, str]) -> Clocks:
    """Read in a process started like the worker (its settings module and environment)."""
    out = subprocess.run(
        [sys.executable, "-c", _CLOCKS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return Clocks(**json.loads(out.stdout.strip().splitlines()[-1]))


# A web process that accepts, commits, and is killed in the accept's on-commit hook, just before
# the export would be published.
_DIES_BEFORE_PUBLISH = """
import os, signal, sys, django
django.setup()
from django.contrib.auth import get_user_model
from approvals import export_tasks
from approvals.services import export_accept
from tenancy.models import Account

def killed(*args, **kwargs):
    sys.stdout.write("publishing\\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)

export_tasks.export_request.apply_async = killed
account = Account.objects.get(pk=int(sys.argv[1]))
approver = get_user_model().objects.get(username=sys.argv[2])
ids = [int(pk) for pk in sys.argv[3].split(",")]
export_accept(account=account, request_ids=ids, actor=approver)
sys.stdout.write("survived\\n")
"""


def accept_then_die_before_publishing(
    env: dict[str, str], *, account_id: int, username: str, request_ids: Sequence[int]
) -> subprocess.CompletedProcess[str]:
    """Run the accept service in a process of its own that is SIGKILLed inside the on-commit
    hook, before anything reaches the broker."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            _DIES_BEFORE_PUBLISH,
            str(account_id),
            username,
            ",".join(map(str, request_ids)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def terminate_other_backends() -> int:
    """What a PostgreSQL restart does to every other client of the test database: their
    connections are cut. This process's own connection is spared (it runs the test)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM ("
            " SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ") terminated WHERE done"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def within(seconds: float, call: Callable[[], Any], what: str) -> tuple[Any, float]:
    """``call()``'s result and how long it took; fails when it has not returned within
    ``seconds`` (a hang: the call is left to finish in a daemon thread)."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        except BaseException as exc:
            result["error"] = exc
        finally:
            connections.close_all()  # this thread's own connection

    started = time.monotonic()
    thread = threading.Thread(target=run, name="timed-call", daemon=True)
    thread.start()
    thread.join(seconds)
    took = time.monotonic() - started
    if thread.is_alive():
        raise AssertionError(f"{what} did not answer within {seconds:.0f}s")
    if "error" in result:
        raise result["error"]
    return result["value"], took
