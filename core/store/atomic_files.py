"""A TinyDB storage that never leaves a half-written file behind.

TinyDB's own JSONStorage rewrites its file in place: a crash during the write
leaves it truncated (sometimes as valid JSON with records missing). Here every
write goes to a temporary file in the same directory, is fsynced, and then
atomically replaces the old file with `os.replace`; the directory is fsynced so
the rename itself survives a power cut. A reader therefore always sees either
the previous or the new state, never a mix.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from core.errors import DataFileError

TEMP_SUFFIX = ".tmp"


def write_atomically(path: Path, text: str | bytes, *, durable: bool = True) -> None:
    """Replace `path` with `text` so that a crash leaves either the old or the new content.

    `durable=False` skips the fsyncs (about two thirds of the cost): the new content then
    survives the process dying, which the kernel's page cache outlives, but maybe not a
    power cut, after which the file may hold the old content or be empty.
    """
    temp = path.with_name(path.name + TEMP_SUFFIX)
    content = text.encode("utf-8") if isinstance(text, str) else text
    with open(temp, "wb") as handle:
        handle.write(content)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(temp, path)
    if durable:
        fsync_path(path.parent)


def fsync_path(path: Path) -> None:
    """fsync a file or a directory (a directory: so the renames in it are durable)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_json_file(path: Path) -> Any:
    """Parse a data file, raising `DataFileError` (never repairing) when it is unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataFileError(str(path), "not UTF-8 text") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(str(path), f"not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise DataFileError(str(path), "top level is not a JSON object")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage with atomic replace-on-write and an in-memory copy of the last state.

    The store is the only writer, so the file is read once and then served from
    memory. TinyDB mutates the dict it read before handing it back to `write`;
    if that write fails the copy is dropped and the next read goes to disk,
    which still holds the last acknowledged state.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._data: dict[str, Any] | None = None

    def read(self) -> dict[str, Any] | None:
        if self._data is None and self._path.exists():
            self._data = read_json_file(self._path)
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        try:
            write_atomically(self._path, text)
        except BaseException:
            self._data = None
            raise
        self._data = data

    def close(self) -> None:
        self._data = None


class ReadOnlyJSONStorage(AtomicJSONStorage):
    """The same files for a process that must never change them (`python bot.py export`)."""

    def write(self, data: dict[str, Any]) -> None:
        raise PermissionError(f"{self._path}: the store was opened read-only")
