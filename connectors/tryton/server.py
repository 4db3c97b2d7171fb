"""A local Tryton server for tests, benchmarks and the demo (``make tryton``).

Tryton runs from a virtualenv of its own (the portal never imports trytond: the connector talks
JSON-RPC over HTTP), on SQLite. Both the virtualenv and a *template* database with the books set
up are cached outside the repository, under ``$ERP_PORTAL_TRYTON_CACHE`` (default
``~/.cache/erp-portal/tryton``):

* ``venv-<hash>/``: trytond and its modules at the pinned versions (:data:`PINS`), keyed by
  the pins and the Python version; built once (about 15-25 s with a warm pip cache);
* ``books-<hash>.sqlite``: a database with the modules activated and
  :mod:`bootstrap_books` run, keyed by the venv's key, a hash of ``bootstrap_books.py`` and the
  calendar year (its fiscal years are last, this and next year); built once (about 40 s).

Starting a server copies the template into a data directory (milliseconds), picks a free port
and waits until it answers (1-2 s). It is stopped by its pid, nothing else::

    server = start(tmp_path)          # or: with running(tmp_path) as server:
    server.settings()                 # the connector settings for it
    server.stop()

From the command line (``make tryton``)::

    python -m connectors.tryton.server [--port 8010] [--data var/tryton] [--fresh]
    python -m connectors.tryton.server --prepare     # build the caches only (CI warm-up)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess  # nosec B404  # runs the local test server's own commands
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BOOTSTRAP = HERE / "bootstrap_books.py"

PINS: tuple[str, ...] = (
    "trytond==8.2.1",
    "proteus==8.2.0",
    "trytond-account-invoice==8.2.0",
    "trytond-purchase==8.2.0",
    "trytond-analytic-invoice==8.2.0",
    "trytond-analytic-purchase==8.2.0",
)
MODULES: tuple[str, ...] = ("account_invoice", "purchase", "analytic_invoice", "analytic_purchase")
DATABASE = "erp"
USER = "admin"
PASSWORD = "admin"  # nosec B105  # a throwaway local server's admin; never a real one's
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class TrytonUnavailable(RuntimeError):
    """Tryton cannot be installed here (no Python venv, no package index): tests skip."""


class TrytonSetupFailed(RuntimeError):
    """Tryton is installed but the books or the server failed: a real failure (tests fail)."""


def cache_root() -> Path:
    configured = os.environ.get("ERP_PORTAL_TRYTON_CACHE")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "erp-portal" / "tryton"


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def python_for_venv() -> str:
    """The interpreter the Tryton virtualenv is built from (``ERP_PORTAL_TRYTON_PYTHON``)."""
    return os.environ.get("ERP_PORTAL_TRYTON_PYTHON") or sys.executable


def _python_version(python: str) -> str:
    out = subprocess.run(  # nosec B603  # a fixed command, no shell
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


@dataclass(frozen=True)
class Installation:
    """The cached virtualenv and template database."""

    venv: Path
    template: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def script(self, name: str) -> list[str]:
        """Run a console script with the venv's Python (immune to shebang length limits)."""
        return [str(self.python), str(self.venv / "bin" / name)]


def keys(python: str | None = None) -> tuple[str, str]:
    """(venv key, template key) for the pins, the Python version, bootstrap_books.py and the
    calendar year."""
    python = python or python_for_venv()
    venv_key = _digest(*PINS, _python_version(python))
    year = str(datetime.date.today().year)
    books_key = _digest(venv_key, *MODULES, BOOTSTRAP.read_bytes(), year)
    return venv_key, books_key


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One builder at a time (two test runs starting together share the cache)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(
    cmd: list[str],
    *,
    what: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    error: type[RuntimeError] = TrytonUnavailable,
) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, check=False)  # nosec B603  # the harness's own commands, no shell
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-3000:]
        raise error(f"{what} failed (exit {done.returncode}):\n{tail}")


def _write_config(path: Path, data_dir: Path, port: int) -> None:
    path.write_text(
        "[database]\n"
        "uri = sqlite://\n"
        f"path = {data_dir}\n"
        "[web]\n"
        f"listen = 127.0.0.1:{port}\n"
        "[session]\n"
        # Tests log in with refused credentials on purpose; do not rate-limit the machine.
        "max_attempt_ip_network = 1000000\n"
    )


def ensure_installed(*, log: Any = None) -> Installation:
    """Build the virtualenv and the template database if they are not cached yet."""
    root = cache_root()
    python = python_for_venv()
    venv_key, books_key = keys(python)
    venv = root / f"venv-{venv_key}"
    template = root / f"books-{books_key}.sqlite"
    install = Installation(venv=venv, template=template)
    say = log or (lambda message: None)
    with _locked(root):
        if not (venv / ".complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            say(f"Installing Tryton ({', '.join(PINS)}) into {venv}")
            _run([python, "-m", "venv", str(venv)], what="python -m venv")
            _run(
                [
                    str(install.python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    *PINS,
                ],
                what="pip install trytond",
            )
            (venv / ".complete").write_text(" ".join(PINS) + "\n")
        if not template.exists():
            say(f"Building the Tryton template database {template.name} (about 40 s)")
            _build_template(install)
    return install


def _build_template(install: Installation) -> None:
    with tempfile.TemporaryDirectory(prefix="tryton-books-") as tmp:
        work = Path(tmp)
        config = work / "trytond.conf"
        _write_config(config, work, _free_port())
        (work / f"{DATABASE}.sqlite").touch()  # trytond-admin refuses a missing SQLite file
        password_file = work / "adminpass"
        password_file.write_text(PASSWORD)
        env = {**os.environ, "TRYTONPASSFILE": str(password_file)}
        env.pop("TRYTOND_CONFIG", None)
        _run(
            [
                *install.script("trytond-admin"),
                "-c",
                str(config),
                "-d",
                DATABASE,
                "-u",
                *MODULES,
                "--activate-dependencies",
                "--email",
                "admin@example.com",
            ],
            what="trytond-admin",
            env=env,
            error=TrytonSetupFailed,
        )
        _run(
            [str(install.python), str(BOOTSTRAP), DATABASE, str(config)],
            what="bootstrap_books.py",
            env=env,
            cwd=work,
            error=TrytonSetupFailed,
        )
        database = work / f"{DATABASE}.sqlite"
        _settle(database)
        partial = install.template.with_suffix(".partial")
        shutil.copyfile(database, partial)
        partial.replace(install.template)


def _settle(database: Path) -> None:
    """Fold SQLite's write-ahead log into the database file (trytond runs SQLite in WAL mode:
    recent writes live in ``-wal`` until a checkpoint), so a copy of the file is complete."""
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()


def _remove_sidecars(database: Path) -> None:
    """A stale write-ahead log next to a fresh copy would be replayed into it (corrupting it)."""
    for suffix in ("-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answers(base_url: str, timeout: float = 2.0) -> bool:
    """True when a Tryton server answers ``common.server.version`` at ``base_url``."""
    body = json.dumps({"id": 0, "method": "common.server.version", "params": []}).encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + "/rpc/", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310  # the local server's http URL
            return bool(json.loads(response.read()).get("result"))
    except (OSError, ValueError):
        return False


@dataclass
class TrytonServer:
    """A running trytond this process started."""

    url: str  # http://127.0.0.1:PORT (the connector's "url" setting)
    pid: int
    data_dir: Path
    log: Path
    database: str = DATABASE
    user: str = USER
    password: str = PASSWORD
    started_in: float = 0.0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def settings(self) -> dict[str, str]:
        """Connector settings for this server."""
        return {
            "url": self.url,
            "database": self.database,
            "user": self.user,
            "password": self.password,
        }

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return True

    def log_tail(self, size: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to our trytond (by its pid), SIGKILL if it lingers."""
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.1)
            else:
                time.sleep(0.1)
            if not self.alive():
                return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=STOP_TIMEOUT)


def start(
    data_dir: Path,
    *,
    port: int | None = None,
    fresh: bool = True,
    install: Installation | None = None,
) -> TrytonServer:
    """Start trytond on a copy of the template database in ``data_dir`` (kept when ``fresh`` is
    False and a database is there already) and wait until it answers."""
    started = time.monotonic()
    install = install or ensure_installed()
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / f"{DATABASE}.sqlite"
    if fresh or not database.exists():
        _remove_sidecars(database)
        shutil.copyfile(install.template, database)
    port = port or _free_port()
    config = data_dir / "trytond.conf"
    _write_config(config, data_dir, port)
    log = data_dir / "trytond.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRYTOND_")}
    with open(log, "ab") as out:
        process = subprocess.Popen(  # nosec B603  # trytond from its venv, no shell
            [*install.script("trytond"), "-c", str(config), "-d", DATABASE],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=data_dir,
            start_new_session=True,  # Ctrl-C in a test run does not reach it; stop() does
        )
    (data_dir / "trytond.pid").write_text(f"{process.pid}\n")
    server = TrytonServer(
        url=f"http://127.0.0.1:{port}",
        pid=process.pid,
        data_dir=data_dir,
        log=log,
        process=process,
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while not answers(server.url, timeout=1.0):
        if not server.alive():
            raise TrytonSetupFailed(f"trytond exited at start:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            server.stop()
            raise TrytonSetupFailed(
                f"trytond did not answer within {READY_TIMEOUT:.0f} s:\n{server.log_tail()}"
            )
        time.sleep(0.1)
    server.started_in = time.monotonic() - started
    return server


@contextlib.contextmanager
def running(data_dir: Path, **kwargs: Any) -> Iterator[TrytonServer]:
    server = start(data_dir, **kwargs)
    try:
        yield server
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.tryton.server",
        description="Run a local Tryton 8.2 (SQLite) with books ready for the ERP Portal.",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("TRYTON_PORT", 8010)))
    parser.add_argument("--data", type=Path, default=Path("var/tryton"))
    parser.add_argument("--fresh", action="store_true", help="start again from the template")
    parser.add_argument("--prepare", action="store_true", help="build the caches, then exit")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, flush=True)

    try:
        install = ensure_installed(log=say)
        if args.prepare:
            say(f"Tryton cache ready: {install.venv} and {install.template}")
            return 0
        server = start(args.data, port=args.port, fresh=args.fresh, install=install)
    except (TrytonUnavailable, TrytonSetupFailed) as exc:
        print(f"Tryton could not start: {exc}", file=sys.stderr)
        return 1
    settings = server.settings()
    say(f"Tryton 8.2 is up at {server.url} (database {server.database}, pid {server.pid}).")
    say("Connect the portal: Settings > ERP connection > Tryton, with these settings:")
    say(json.dumps(settings, indent=2))
    say(f"Data and log: {server.data_dir}. Ctrl-C stops it.")

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while server.alive():
            time.sleep(0.5)
        print(f"trytond exited:\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        server.stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
