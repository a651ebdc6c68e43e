"""The store's lock: one thread at a time, and no snapshot while anyone is inside.

Within the bot, a re-entrant thread lock serialises every read and write (the ledger
reads from a worker thread while the event loop writes). Across processes, the
outermost holder also takes a shared flock on `data/.snapshot.lock`; `python bot.py
backup` takes it exclusively while it hard-links the data files (core/store/backup.py),
so the snapshot falls between two store operations, never inside one.
"""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

SNAPSHOT_LOCK_FILE = ".snapshot.lock"


class StoreLock:
    """A context manager; `path` None (a read-only store) leaves the flock out."""

    def __init__(self, path: Path | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0
        self._file: IO[bytes] | None = open(path, "ab") if path else None  # noqa: SIM115

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._depth == 0 and self._file is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_SH)  # waits out a backup's linking
            except BaseException:
                self._threads.release()
                raise
        self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Release the file (the store is closing)."""
        if self._file is not None:
            self._file.close()
            self._file = None
