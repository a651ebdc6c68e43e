"""A month's file of records keyed by their `id` (study tasks, meetings), found by id in O(1).

TinyDB finds a document by a field only by testing every document: a round asking about
each open study task of an agency (500 branches: 2,000 tasks a month) tested 880,000
documents, half a second on the event loop. The ids of a file are read once into a dict
(document id by record id); the store is the only writer, and it adds to the dict as it
inserts (records keyed so are never removed).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

from tinydb.table import Document, Table

from core.store.documents import converter
from core.store.meeting_records import Meeting
from core.store.records import StudyTask

Keyed = TypeVar("Keyed", StudyTask, Meeting)
Result = TypeVar("Result")


class KeyedTable:
    """One table of records keyed by `id`, with the index of its ids."""

    def __init__(self, table: Table, index: dict[str, int]) -> None:
        self._table = table
        self._index = index

    @staticmethod
    def index_of(table: Table) -> dict[str, int]:
        """Document id by record id, read from the table."""
        return {document["id"]: document.doc_id for document in table}

    def get(self, key: str) -> Document | None:
        """The document of the record keyed `key`."""
        doc_id = self._index.get(key)
        document = self._table.get(doc_id=doc_id) if doc_id is not None else None
        return document if isinstance(document, Document) else None

    def add_keeping(self, record: Keyed, cls: type[Keyed]) -> Keyed:
        """Insert a record, unless one is stored under its id already: then that one."""
        stored = self.get(record.id)
        if stored is not None:
            return converter.structure(stored, cls)
        self._index[record.id] = self._table.insert(converter.unstructure(record))
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
