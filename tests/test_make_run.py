"""``make run``'s supervisor (scripts/run.sh) end to end, as a developer uses it.

Starts web + worker + beat on a free port with a throwaway SQLite database and filesystem
broker, checks /healthz, that the worker and beat started and that a task sent through the
broker is executed, then presses "Ctrl-C" (SIGINT to the foreground process group) and checks
that every process it started is gone. About 10-15 s.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc"),
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="run.sh is tested on SQLite; the same test already ran in the SQLite pass",
    ),
    pytest.mark.skipif(not (BIN / "celery").exists(), reason="celery is not in this venv"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _processes_with(marker: str) -> list[int]:
    """Pids whose environment contains ``marker`` (everything run.sh started inherits it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ.split(b"\0"):
            pids.append(int(entry.name))
    return pids


def _healthz(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return dict(json.loads(response.read()))
    except (OSError, ValueError):
        return None


def _default_sigint() -> None:
    # Ctrl-C must reach run.sh even if this test runs with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def test_run_serves_runs_worker_and_beat_and_stops_them_all_on_ctrl_c(tmp_path: Path) -> None:
    var = tmp_path / "var"
    port = _free_port()
    marker = f"ERP_PORTAL_VAR_DIR={var}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_URL", "PYTEST_"))
    }
    env |= {
        "ERP_PORTAL_VAR_DIR": str(var),
        "PORT": str(port),
        "VENV_BIN": str(BIN),
        "SEED_DEMO": "0",
        "STOP_TIMEOUT": "20",
    }
    output = tmp_path / "run.out"
    with output.open("wb") as sink:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a shell's foreground job
            preexec_fn=_default_sigint,
        )
    logs = var / "log"

    def log(name: str) -> str:
        path = logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def context() -> str:
        return f"--- run.sh output ---\n{output.read_text(errors='replace')[-6000:]}"

    try:
        _wait_for(
            lambda: proc.poll() is not None or "Demo logins" in output.read_text(),
            timeout=120,
            what="run.sh to report it is up",
        )
        assert proc.poll() is None, context()

        health = _healthz(f"http://127.0.0.1:{port}/healthz")
        assert health is not None, context()
        assert health["status"] == "ok", health

        _wait_for(lambda: "ready." in log("worker"), 60, "the worker to be ready")
        _wait_for(lambda: "beat: Starting" in log("beat"), 60, "beat to start")

        # A task through the filesystem broker reaches the worker.
        sent = subprocess.run(
            [str(BIN / "celery"), "-A", "erp_portal", "call", "celery.backend_cleanup"],
            cwd=ROOT,
            env=env | {"DJANGO_DEBUG": "1"},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        task_id = sent.stdout.strip()
        _wait_for(lambda: f"[{task_id}] succeeded" in log("worker"), 30, f"task {task_id} to run")

        # Ctrl-C: the terminal sends SIGINT to the whole foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=45) == 0, context()
        out = output.read_text()
        assert "did not stop in time" not in out, context()
        assert "Warm shutdown" in log("worker")

        _wait_for(lambda: not _processes_with(marker), 10, "every started process to exit")
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, "the port is still open"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in _processes_with(marker):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
