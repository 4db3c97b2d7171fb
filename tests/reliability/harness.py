"""The reliability tests' harness: a real ``celery worker`` in a subprocess, bounded waits, and
the checks that PostgreSQL and Redis are there."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import connection

from erp_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
# A Redis db of this suite's own: flushed before and after every test.
REDIS_URL = os.environ.get("RELIABILITY_REDIS_URL", "redis://127.0.0.1:6379/5")
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
WORKER_READY_TIMEOUT = 60.0
WORKER_STOP_TIMEOUT = 20.0


def wait_for(
    condition: Callable[[], object],
    timeout: float,
    what: str,
    *,
    every: float = 0.25,
    detail: Callable[[], object] | None = None,
):
    """Poll ``condition`` until it is truthy (returned), or fail after ``timeout`` seconds
    (saying what ``detail()`` says about the state it was left in)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            found = f": {detail()}" if detail is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{found}")
        time.sleep(every)


def redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def flush(url: str) -> None:
    with celery_app.connection_for_write(url) as conn:
        conn.default_channel.client.flushdb()


def queue_depth(url: str) -> dict[str, int]:
    """Messages waiting in the broker, and delivered but not acknowledged (for failure reports)."""
    with celery_app.connection_for_write(url) as conn:
        client = conn.default_channel.client
        return {"queued": int(client.llen("celery")), "unacked": int(client.hlen("unacked"))}


def database_url() -> str:
    """The database the test runs on (pytest-django's test database), as a URL for the worker."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def reset_producer_pools() -> None:
    """Forget the pools made for the previous broker URL (as Celery does after a fork). Not
    closed: kombu keeps one pool per URL and hands the same one out again."""
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


class Worker:
    """``celery worker`` in a process group of its own (so a crash can take all of it)."""

    ready_line = " ready."
    what = "the Celery worker"

    def command(self) -> list[str]:
        return [
            str(CELERY),
            "-A",
            "erp_portal",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
            "-P",
            "prefork",
            "-I",
            "approvals.export_tasks",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"reliability-{os.getpid()}-{self.starts}@%h",
        ]

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        assert self.proc is None, "the worker is already running"
        self.starts += 1
        marker = f"--- start {self.starts} ---\n"
        with self.log.open("a") as text:
            text.write(marker)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

        def ready() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.what} exited ({self.proc.returncode}):\n{self.tail()}")
            return self.ready_line in self.log.read_text().split(marker, 1)[-1]

        wait_for(ready, WORKER_READY_TIMEOUT, f"{self.what} to start")

    def kill(self) -> None:
        """SIGKILL the whole worker (parent and pool processes): a crash, mid-task."""
        assert self.proc is not None
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=WORKER_STOP_TIMEOUT)
        self.proc = None

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL for whatever is left of the group."""
        if self.proc is None:
            return
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=WORKER_STOP_TIMEOUT)
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=WORKER_STOP_TIMEOUT)
        self.proc = None
        with self.log.open("a") as text:
            text.write(f"--- stopped in {time.monotonic() - started:.1f}s ---\n")

    def _signal_group(self, sig: int) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)  # the group this worker leads (start_new_session)

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Beat(Worker):
    """``celery beat`` on the database scheduler (the rows the schedules page writes)."""

    ready_line = "beat: Starting"
    what = "Celery beat"

    def command(self) -> list[str]:
        return [
            str(CELERY),
            "-A",
            "erp_portal",
            "beat",
            "-l",
            "debug",
            "-S",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval",
            "1",
            "--pidfile=",
            "--schedule",
            str(self.log.with_suffix(".schedule")),
        ]


def real_worker_marks(*, needs_redis: bool = True) -> list[pytest.MarkDecorator]:
    """The ``pytestmark`` of a module whose tests run a real worker: slow, on PostgreSQL (the
    worker shares the test's database), with Redis answering unless the tests bring their own,
    in a committed database restored after each test."""
    marks = [
        pytest.mark.slow,
        pytest.mark.skipif(
            not ON_POSTGRES,
            reason="a real worker shares the database with the test: needs PostgreSQL",
        ),
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ]
    if needs_redis:
        marks.append(
            pytest.mark.skipif(
                ON_POSTGRES and not redis_answers(REDIS_URL),
                reason=f"Redis does not answer at {REDIS_URL}",
            )
        )
    return marks
