"""One writer per Tryton database among this machine's processes."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def one_writer(url: str, database: str) -> Iterator[None]:
    """One export at a time per Tryton database from this machine's processes (a file lock).

    Posting takes Tryton's strict invoice sequence; two posting batches at once do not go
    faster (on PostgreSQL the second waits for the first; on SQLite it fails on the
    database lock, answers 503 and starts over), so the workers take turns instead."""
    name = hashlib.sha256(str((url, database)).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "erp-portal-tryton-locks"
    folder.mkdir(exist_ok=True)
    with open(folder / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
