"""`python bot.py backup` and `restore`: a consistent copy of data/ while the bot runs.

Every data file is replaced whole (written to a temp file, then renamed), never changed
in place, so a hard link to a file is a frozen copy of it. The backup takes the store's
snapshot lock exclusively (core/store/store_lock.py), links every file into a snapshot
folder inside data/ (milliseconds: no data is copied), releases the lock and only then
packs the links into a .tar.gz. The bot waits for the linking, never for the packing, and
the snapshot falls between two store operations: an answer moved from a member's outbox
to the month's record is in one of them, never in neither.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import UserError
from core.store.answer_log import SUFFIX as APPENDED
from core.store.atomic_files import TEMP_SUFFIX, fsync_path
from core.store.database import LOCK_FILE, acquire_process_lock, check_holds_store
from core.store.store_lock import SNAPSHOT_LOCK_FILE

SNAPSHOT_DIR = ".backup-snapshot"
RESTORING_DIR = ".restoring"
BACKUP_LOCK_FILE = ".backup.lock"
#: Files of the running processes, not of the data: never backed up or restored.
PROCESS_FILES = {LOCK_FILE, SNAPSHOT_LOCK_FILE, BACKUP_LOCK_FILE}
#: What an interrupted restore leaves in a folder that was empty.
LEFT_BY_A_RESTORE = {LOCK_FILE, RESTORING_DIR}


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds (or a restore wrote)."""

    files: int
    size: int  # bytes of data, before compression


def write_backup(data_dir: Path, out: Path) -> BackupSummary:
    """Snapshot `data_dir` into the archive `out` (written whole, or not at all)."""
    check_holds_store(data_dir)
    if out.resolve().is_relative_to(data_dir.resolve()):
        # It would be packed into the next backup, and the bot deletes temp files at start.
        raise UserError(f"备份文件不能放在数据目录 {data_dir} 里面，请换一个位置。")
    with _one_backup_at_a_time(data_dir):
        snapshot = data_dir / SNAPSHOT_DIR
        shutil.rmtree(snapshot, ignore_errors=True)  # left by a backup that was killed
        try:
            with _snapshot_lock(data_dir):
                files = _link_files(data_dir, snapshot)
            size = _pack(snapshot, files, out)
        finally:
            shutil.rmtree(snapshot, ignore_errors=True)
    return BackupSummary(len(files), size)


def restore_backup(archive: Path, data_dir: Path) -> BackupSummary:
    """Unpack `archive` into `data_dir`, which must be empty or missing.

    It holds the folder's process lock meanwhile (no bot starts on half a store), unpacks
    into a staging folder inside it, checks and fsyncs every file, and only then moves
    them in. Raises UserError, with the folder left empty, if anything fails; what an
    interrupted restore left (the lock file, the staging folder) counts as empty.
    """
    if data_dir.exists() and any(p.name not in LEFT_BY_A_RESTORE for p in data_dir.iterdir()):
        raise UserError(f"{data_dir} 不是空目录：只能恢复到空的数据目录，以免覆盖现有数据。")
    try:
        packed = tarfile.open(archive, "r:gz")  # noqa: SIM115 - closed below
        members = [m for m in packed.getmembers() if m.isfile()]
    except (OSError, tarfile.TarError, EOFError) as error:
        raise UserError(f"{archive} 不是可用的备份文件（{error}）。") from error
    with packed:
        for member in members:
            _check_member(archive, member)
        data_dir.mkdir(parents=True, exist_ok=True)
        lock = acquire_process_lock(data_dir / LOCK_FILE)
        try:
            _unpack(archive, packed, members, data_dir)
        except BaseException:
            clear_folder(data_dir)
            raise
        finally:
            lock.close()
    return BackupSummary(len(members), sum(m.size for m in members))


def _unpack(
    archive: Path, packed: tarfile.TarFile, members: list[tarfile.TarInfo], data_dir: Path
) -> None:
    staging = data_dir / RESTORING_DIR
    shutil.rmtree(staging, ignore_errors=True)
    try:
        packed.extractall(staging, members=members, filter="data")
        _check_json(archive, staging, members)
        for member in members:
            fsync_path(staging / member.name)
        for entry in staging.iterdir():
            os.replace(entry, data_dir / entry.name)
        staging.rmdir()
        fsync_path(data_dir)
    except (OSError, tarfile.TarError, EOFError) as error:
        raise UserError(f"没能恢复到 {data_dir}（{error}），已撤回，目录仍是空的。") from error


@contextmanager
def _one_backup_at_a_time(data_dir: Path) -> Iterator[None]:
    """A second backup (cron and a manual one) is refused, not tangled with the first."""
    with open(data_dir / BACKUP_LOCK_FILE, "ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError("另一个备份正在进行，请等它完成后再试。") from None
        yield


def _link_files(data_dir: Path, snapshot: Path) -> list[str]:
    """Hard-link every data file under `snapshot` (files are replaced whole, never changed in
    place, so a link keeps the content of this moment); their paths relative to data_dir."""
    files = []
    for folder, subfolders, names in os.walk(data_dir):
        subfolders[:] = sorted(d for d in subfolders if d not in (SNAPSHOT_DIR, RESTORING_DIR))
        kept = [n for n in sorted(names) if n not in PROCESS_FILES and not n.endswith(TEMP_SUFFIX)]
        if not kept:
            continue
        place = Path(folder).relative_to(data_dir)
        (snapshot / place).mkdir(parents=True, exist_ok=True)  # once a folder: under the lock
        for name in kept:
            if name.endswith(APPENDED):  # appended to in place: a link would grow with it
                shutil.copyfile(Path(folder, name), snapshot / place / name)
            else:
                os.link(Path(folder, name), snapshot / place / name)
            files.append((place / name).as_posix())
    return files


def _pack(snapshot: Path, files: list[str], out: Path) -> int:
    """Write the archive to a temp file, fsync it, then rename it to `out`."""
    temp = out.with_name(out.name + TEMP_SUFFIX)
    size = 0
    try:
        with open(temp, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as packed:
                for relative in files:
                    packed.add(snapshot / relative, arcname=relative, recursive=False)
                    size += (snapshot / relative).stat().st_size
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return size


@contextmanager
def _snapshot_lock(data_dir: Path) -> Iterator[None]:
    """Exclusive: the bot's next store operation waits until the files are linked."""
    with open(data_dir / SNAPSHOT_LOCK_FILE, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_json(archive: Path, data_dir: Path, members: list[tarfile.TarInfo]) -> None:
    """Every JSON file restored parses (the bot checks only this month's at start)."""
    for member in members:
        if member.name.endswith(".json"):
            try:
                json.loads((data_dir / member.name).read_bytes())
            except ValueError as error:
                broken = f"{archive} 里的 {member.name} 已损坏（{error}），未恢复。"
                raise UserError(broken) from error


def _check_member(archive: Path, member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts or path.name in PROCESS_FILES:
        raise UserError(f"{archive} 里有不该有的路径 {member.name}，不是本机器人的备份。")


def clear_folder(folder: Path) -> None:
    """Remove what a restore wrote: the folder is left empty, as it was."""
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
