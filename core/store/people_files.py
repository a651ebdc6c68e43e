"""Everyone the bot has seen, in `data/people/NN.json`, and in memory once read.

A person is written to the file named by the last two digits of their user id, so one
save rewrites about a hundredth of the agency (10,000 members: about 100 people, 20 KB),
however large it grows; `state.json` held everyone and one save rewrote 1.9 MB. The
files are read once, at start, into Person records indexed by id and by branch: /branches
asks each branch for its people, which must not mean reading everyone for every branch.

Releases before this layout kept everyone in `state.json`'s `people` table: `migrate`
moves them here, and only after every new file is written and fsynced does the caller
drop the old table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from core.store.documents import converter
from core.store.keyed_table import put
from core.store.records import Person

PEOPLE_DIR = "people"
BUCKETS = 100  # a person's file: the last two digits of the user id
TABLE = "people"


class PeopleFiles:
    """The people files of one data folder; the caller holds the store's lock."""

    def __init__(
        self, data_dir: Path, storage: Callable[[str | Path], Storage], *, read_only: bool
    ) -> None:
        self._folder = data_dir / PEOPLE_DIR
        self._storage = storage
        self._read_only = read_only
        self._people: dict[int, Person] = {}
        self._by_branch: dict[str, set[int]] = {}
        self._loaded = False

    def person(self, user_id: int) -> Person | None:
        """A person by user id."""
        return self._index().get(user_id)

    def people(self) -> list[Person]:
        """Everyone, by user id."""
        index = self._index()
        return [index[user_id] for user_id in sorted(index)]

    def of_branch(self, branch_id: str) -> list[Person]:
        """Everyone with a membership of the branch, active or not, by user id."""
        index = self._index()
        return [index[user_id] for user_id in sorted(self._by_branch.get(branch_id, ()))]

    def save(self, person: Person) -> None:
        """Write one person's document to its file, unless it is unchanged."""
        document = converter.unstructure(person)
        if self._index().get(person.user_id) == person:
            return
        with self._file(person.user_id) as file:
            put(file.table(TABLE), person.user_id, document)
        self._remember(_person(person.user_id, document))

    def load(self, legacy: Iterable[Document] = ()) -> None:
        """Read every file (and, read-only on a folder not yet migrated, the old table)."""
        self._people.clear()
        self._by_branch.clear()
        for document in legacy:
            self._remember(_person(document.doc_id, document))
        if self._folder.is_dir():
            for path in sorted(self._folder.glob("*.json")):
                if path.stem.isdigit():
                    with self._file(int(path.stem)) as file:
                        for document in file.table(TABLE).all():
                            self._remember(_person(document.doc_id, document))
        self._loaded = True

    def migrate(self, legacy: Iterable[Document]) -> None:
        """Write the old table's people to their files, each file written and fsynced."""
        by_file: dict[int, dict[str, Any]] = {}
        for document in legacy:
            by_file.setdefault(document.doc_id % BUCKETS, {})[str(document.doc_id)] = dict(
                document
            )
        for bucket, documents in sorted(by_file.items()):
            with self._file(bucket) as file:
                stored = file.storage.read() or {}
                file.storage.write({**stored, TABLE: {**stored.get(TABLE, {}), **documents}})
        self._loaded = False  # the next read takes in what was written

    def _index(self) -> dict[int, Person]:
        if not self._loaded:
            self.load()
        return self._people

    def _remember(self, person: Person) -> None:
        earlier = self._people.get(person.user_id)
        for membership in earlier.memberships if earlier else ():
            self._by_branch.get(membership.branch_id, set()).discard(person.user_id)
        self._people[person.user_id] = person
        for membership in person.memberships:
            self._by_branch.setdefault(membership.branch_id, set()).add(person.user_id)

    def _file(self, user_id_or_bucket: int) -> TinyDB:
        # Opened for one read or write and closed after (`with`): the people are kept as
        # records; their files' JSON kept too would be as much again (10,000: 15 MB).
        if not self._read_only:
            self._folder.mkdir(parents=True, exist_ok=True)
        name = f"{user_id_or_bucket % BUCKETS:02d}.json"
        return TinyDB(self._folder / name, storage=self._storage)

    def close(self) -> None:
        """Forget what was read (the files are closed after each use)."""
        self._people.clear()
        self._by_branch.clear()
        self._loaded = False


def _person(user_id: int, document: dict[str, Any]) -> Person:
    # A person's document is stored under their user id, and does not repeat it.
    return converter.structure({**document, "user_id": user_id}, Person)
