"""How records become the JSON documents in `data/`, and back: one cattrs converter.

Values are written the one way everywhere: times as ISO 8601 with their offset (read
back only with one), days as ISO dates, sets as sorted lists, tuples as lists, and
mappings keyed by user id with the id as text (JSON's keys are text, and the store's
in-memory copy of a file should equal what reading the file gives). A record module
declares beside its classes what differs from their fields (`declare`): a field stored
under another name, one the document leaves out because the file or key already holds
it, a field with a shape of its own.

The format is fixed by `tests/fixtures/data_v1/`: every change here must still read that
folder and write it again byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import datetime
from typing import Any, get_args, get_origin

from cattrs.gen import (
    AttributeOverride,
    make_dict_structure_fn,
    make_dict_unstructure_fn,
    override,
)
from cattrs.preconf.json import make_converter

__all__ = ["converter", "declare"]

converter = make_converter(
    detailed_validation=False,  # a damaged file raises the plain KeyError or ValueError
    unstruct_collection_overrides={Set: sorted, Sequence: list},
)


def _aware(text: str, _: type) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without time zone: {text!r}")
    return moment


def _keyed_by_int(cls: Any) -> bool:
    origin = get_origin(cls)
    keys = get_args(cls)[:1]
    return isinstance(origin, type) and issubclass(origin, Mapping) and keys == (int,)


def _text(key: int, _: Any = None) -> str:
    return str(key)


converter.register_structure_hook(datetime, _aware)
converter.register_unstructure_hook_factory(
    _keyed_by_int, lambda cls: converter.gen_unstructure_mapping(cls, key_handler=_text)
)


def declare(cls: type, *, unwritten: Iterable[str] = (), **fields: AttributeOverride) -> None:
    """Register the document of `cls`: `fields` rename a field or give it hooks (both
    ways); the `unwritten` fields are left out of the document, and whoever structures
    it adds them from where the document is kept (its file's name, its key, its event)."""
    written: dict[str, Any] = fields | {name: override(omit=True) for name in unwritten}
    read: dict[str, Any] = fields
    converter.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, converter, **written))
    converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **read))
