"""A month's file of records keyed by their `id` (study tasks, meetings), found by id in O(1).

TinyDB finds a document by a field only by testing every document: a round asking about
each open study task of an agency (500 branches: 2,000 tasks a month) tested 880,000
documents, half a second on the event loop. The ids of a file are read once into a dict
(document id by record id), and the document ids of each branch's records beside it (the
ranking of all branches asks for each branch's month of tasks); the store is the only
writer, and it adds to both as it inserts (records keyed so are never removed, and never
change branch).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar

from tinydb.table import Document, Table

from core.store.documents import converter
from core.store.meeting_records import Meeting
from core.store.records import StudyTask

Keyed = TypeVar("Keyed", StudyTask, Meeting)
Result = TypeVar("Result")


@dataclass(frozen=True)
class FileIndex:
    """Where a file's records are: document id by record id, document ids by branch."""

    by_id: dict[str, int]
    by_branch: dict[str, list[int]]


class KeyedTable:
    """One table of records keyed by `id`, with the index of its ids."""

    def __init__(self, table: Table, index: FileIndex) -> None:
        self._table = table
        self._index = index

    @staticmethod
    def index_of(table: Table) -> FileIndex:
        """The table's index, read from it."""
        index = FileIndex({}, {})
        for document in table:
            index.by_id[document["id"]] = document.doc_id
            index.by_branch.setdefault(document["branch_id"], []).append(document.doc_id)
        return index

    def get(self, key: str) -> Document | None:
        """The document of the record keyed `key`."""
        doc_id = self._index.by_id.get(key)
        document = self._table.get(doc_id=doc_id) if doc_id is not None else None
        return document if isinstance(document, Document) else None

    def of_branch(self, branch_id: str) -> list[Document]:
        """The documents of one branch's records, oldest first."""
        found = [self._table.get(doc_id=i) for i in self._index.by_branch.get(branch_id, [])]
        return [document for document in found if isinstance(document, Document)]

    def add_keeping(self, record: Keyed, cls: type[Keyed]) -> Keyed:
        """Insert a record, unless one is stored under its id already: then that one."""
        stored = self.get(record.id)
        if stored is not None:
            return converter.structure(stored, cls)
        doc_id = self._table.insert(converter.unstructure(record))
        self._index.by_id[record.id] = doc_id
        self._index.by_branch.setdefault(record.branch_id, []).append(doc_id)
        return record

    def change_one(
        self, key: str, cls: type[Keyed], change: Callable[[Keyed], tuple[Keyed | None, Result]]
    ) -> Result | None:
        """Read the record keyed `key`, let `change` say what to write, write it; one step
        under the caller's lock. None if there is no such record."""
        stored = self.get(key)
        if stored is None:
            return None
        changed, result = change(converter.structure(stored, cls))
        if changed is not None:
            put(self._table, stored.doc_id, converter.unstructure(changed))
        return result


def put(table: Table, doc_id: int, doc: dict[str, Any]) -> None:
    """Insert or wholly replace one document: a single write to disk either way."""
    if table.contains(doc_id=doc_id):

        def replace_fields(existing: MutableMapping[str, Any]) -> None:
            existing.clear()
            existing.update(doc)

        table.update(replace_fields, doc_ids=[doc_id])
    else:
        table.insert(Document(doc, doc_id=doc_id))
