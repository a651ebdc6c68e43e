"""What became of each planned push, in `data/pushes/2026-11/<branch>.json`, and in memory.

A push is claimed (`sending`) and confirmed (`sent`): two writes for each message of a
round. Filed by month and branch, each write rewrites one branch's month (a few dozen
records), not the agency's (500 groups late in a month: 15,000 records, rewritten twice a
push). A month's records are read once into memory, so that a round asking about every
planned push, and the digests asking for a status, read no file.

Releases before this layout kept a month in one file, `data/pushes/2026-11.json`: the
first use of that month moves its records to the branch files, and deletes the old file
only once every new one is written and fsynced (a read-only store reads the old file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from core.store.atomic_files import fsync_path
from core.store.documents import converter
from core.store.records import PushRecord

PUSHES_DIR = "pushes"
TABLE = "pushes"
KEPT_MONTHS = 3  # months held in memory: this one, and the two a round may still ask about


@dataclass
class _Month:
    """One month's records by key, and where each is filed (branch file, document id)."""

    records: dict[str, PushRecord] = field(default_factory=dict)
    places: dict[str, tuple[str, int]] = field(default_factory=dict)


class PushFiles:
    """The push records of one data folder; the caller holds the store's lock."""

    def __init__(
        self, data_dir: Path, storage: Callable[[str | Path], Storage], *, read_only: bool
    ) -> None:
        self._folder = data_dir / PUSHES_DIR
        self._storage = storage
        self._read_only = read_only
        self._months: dict[str, _Month] = {}

    def get(self, month: str, key: str) -> PushRecord | None:
        """The record of a planned push of `month` ("YYYY-MM"), if it was handled."""
        return self._month(month).records.get(key)

    def save(self, month: str, record: PushRecord) -> None:
        """Create or replace a record: one write, of its branch's file."""
        stored = self._month(month)
        document = converter.unstructure(record)
        place = stored.places.get(record.key)
        if place is not None and place[0] != record.branch_id:  # never so far: moved branch
            self.forget(month, record.key)
            place = None
        with self._file(month, record.branch_id) as file:
            table = file.table(TABLE)
            if place is None:
                doc_id = table.insert(document)
                stored.places[record.key] = (record.branch_id, doc_id)
            else:
                table.upsert(Document(document, doc_id=place[1]))
        stored.records[record.key] = record

    def forget(self, month: str, key: str) -> None:
        """Drop a record, so that the push is tried again."""
        stored = self._month(month)
        place = stored.places.pop(key, None)
        stored.records.pop(key, None)
        if place is not None:
            with self._file(month, place[0]) as file:
                file.table(TABLE).remove(doc_ids=[place[1]])

    def with_status(self, month: str, status: str) -> list[PushRecord]:
        """The month's records in `status`, by branch and then in the order first saved."""
        stored = self._month(month)
        keys = sorted(stored.places, key=lambda key: stored.places[key])
        return [stored.records[key] for key in keys if stored.records[key].status == status]

    def close(self) -> None:
        """Forget what was read (the files are closed after each use)."""
        self._months.clear()

    def _month(self, month: str) -> _Month:
        found = self._months.get(month)
        if found is None:
            legacy = self._folder / f"{month}.json"
            if legacy.exists() and not self._read_only:
                self._migrate(month, legacy)
            found = self._read(month)
            if legacy.exists() and self._read_only:
                self._read_legacy(legacy, found)
            self._months[month] = found
            while len(self._months) > KEPT_MONTHS:
                self._drop(min(self._months))
        return found

    def _drop(self, month: str) -> None:
        del self._months[month]

    def _read(self, month: str) -> _Month:
        stored = _Month()
        folder = self._folder / month
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            with self._file(month, path.stem) as file:
                for document in file.table(TABLE).all():
                    record = converter.structure(document, PushRecord)
                    stored.records[record.key] = record
                    stored.places[record.key] = (path.stem, document.doc_id)
        return stored

    def _read_legacy(self, legacy: Path, stored: _Month) -> None:
        old = TinyDB(legacy, storage=self._storage)
        for document in old.table(TABLE).all():
            record = converter.structure(document, PushRecord)
            if record.key not in stored.records:
                stored.records[record.key] = record
                stored.places[record.key] = (record.branch_id, -document.doc_id)
        old.close()

    def _migrate(self, month: str, legacy: Path) -> None:
        old = TinyDB(legacy, storage=self._storage)
        by_branch: dict[str, dict[str, dict[str, object]]] = {}
        for document in old.table(TABLE).all():
            branch = by_branch.setdefault(document["branch_id"], {})
            branch[str(len(branch) + 1)] = dict(document)
        old.close()
        for branch_id, documents in sorted(by_branch.items()):
            with self._file(month, branch_id) as file:
                file.storage.write({TABLE: documents})
        legacy.unlink()  # every branch file above is written and fsynced
        fsync_path(self._folder)

    def _file(self, month: str, branch_id: str) -> TinyDB:
        # Opened for one read or write and closed after (`with`): the records are kept,
        # not their files' JSON as well.
        folder = self._folder / month
        if not self._read_only:
            folder.mkdir(parents=True, exist_ok=True)
        return TinyDB(folder / f"{branch_id}.json", storage=self._storage)
