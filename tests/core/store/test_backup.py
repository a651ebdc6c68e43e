"""Backups: a snapshot between two store operations, restored only into an empty folder."""

from __future__ import annotations

import fcntl
import io
import tarfile
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.errors import DataFileError, UserError
from core.store.backup import restore_backup, write_backup
from core.store.database import Store
from core.store.records import Binding, Event, Membership, Person
from core.store.store_lock import SNAPSHOT_LOCK_FILE, StoreLock
from tests.botprocess import run_cli
from tests.conftest import SHANGHAI, FakeClock

AT = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def filled_store(folder: Path, clock: FakeClock) -> Store:
    store = Store(folder, SHANGHAI, clock=clock)
    store.bind(Binding("office", -100, "办公室群", AT))
    person = Person(7, "张三", None, "张三", True).with_membership(Membership("office", True, AT))
    store.save_person(person)
    store.record_event(Event("member_joined", "office", AT, 7, {}))
    store.set_last_tick(AT)
    return store


def test_a_backup_restores_to_the_same_store(tmp_path: Path, clock: FakeClock) -> None:
    store = filled_store(tmp_path / "data", clock)
    archive = tmp_path / "backup.tar.gz"
    summary = write_backup(tmp_path / "data", archive)
    store.close()
    assert summary.files >= 3 and summary.size > 0
    assert not (tmp_path / "data" / ".backup-snapshot").exists()

    restored = restore_backup(archive, tmp_path / "restored")
    assert restored.files == summary.files
    again = Store(tmp_path / "restored", SHANGHAI, clock=clock)
    assert again.bindings() == [Binding("office", -100, "办公室群", AT)]
    assert again.person(7) is not None and again.last_tick() == AT
    assert [e.user_id for e in again.events("office", "2026-11")] == [7]
    again.close()


def test_a_backup_waits_for_the_store_operation_in_progress(
    tmp_path: Path, clock: FakeClock
) -> None:
    filled_store(tmp_path / "data", clock).close()
    inside = StoreLock(tmp_path / "data" / SNAPSHOT_LOCK_FILE)  # as a running bot's store
    finished = threading.Event()

    def back_up() -> None:
        write_backup(tmp_path / "data", tmp_path / "backup.tar.gz")
        finished.set()

    with inside:
        worker = threading.Thread(target=back_up)
        worker.start()
        assert not finished.wait(0.3)  # the snapshot waits for the operation to end
    assert finished.wait(10)
    worker.join()
    inside.close()


def test_restore_refuses_a_folder_that_is_not_empty(tmp_path: Path, clock: FakeClock) -> None:
    store = filled_store(tmp_path / "data", clock)
    write_backup(tmp_path / "data", tmp_path / "backup.tar.gz")
    store.close()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="不是空目录"):
        restore_backup(tmp_path / "backup.tar.gz", tmp_path / "busy")
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["notes.txt"]


def archive_of(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as packed:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            packed.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../outside.json": b"{}"}, "不该有的路径"),
        ({"/etc/cron.d/x": b""}, "不该有的路径"),
        ({"state.json": b"{}", "pushes/2026-11.json": b'{"_default": {'}, "已损坏"),
    ],
)
def test_a_bad_archive_changes_nothing(
    tmp_path: Path, files: dict[str, bytes], message: str
) -> None:
    archive = archive_of(tmp_path / "bad.tar.gz", files)
    with pytest.raises(UserError, match=message):
        restore_backup(archive, tmp_path / "restored")
    assert not (tmp_path / "restored").exists() or not any((tmp_path / "restored").iterdir())


def test_a_file_that_is_no_archive_is_refused(tmp_path: Path) -> None:
    (tmp_path / "backup.tar.gz").write_text("not a backup")
    with pytest.raises(UserError, match="不是可用的备份文件"):
        restore_backup(tmp_path / "backup.tar.gz", tmp_path / "restored")


def test_a_folder_that_holds_no_store_is_not_backed_up(tmp_path: Path) -> None:
    (tmp_path / "typo").mkdir()
    with pytest.raises(DataFileError, match="不是机器人的数据目录"):
        write_backup(tmp_path / "typo", tmp_path / "backup.tar.gz")
    assert not (tmp_path / "backup.tar.gz").exists()


def test_health_reads_the_last_round(tmp_path: Path, clock: FakeClock) -> None:
    filled_store(tmp_path / "data", clock).close()  # its last round: AT
    now = tmp_path / "now"
    env = {"DATA_DIR": str(tmp_path / "data"), "BOT_FAKE_CLOCK_FILE": str(now)}
    now.write_text((AT + timedelta(seconds=40)).isoformat())
    healthy = run_cli("health", **env)
    assert healthy.returncode == 0 and "40 秒前" in healthy.stdout
    now.write_text((AT + timedelta(minutes=6)).isoformat())
    late = run_cli("health", **env)
    assert late.returncode == 1 and "360 秒前，超过 300 秒" in late.stderr
    assert run_cli("health", "--max-age", "600", **env).returncode == 0
    nowhere = run_cli("health", **{**env, "DATA_DIR": str(tmp_path / "none")})
    assert nowhere.returncode == 1 and "没有这个目录" in nowhere.stderr


def test_a_backup_inside_the_data_folder_or_beside_another_is_refused(
    tmp_path: Path, clock: FakeClock
) -> None:
    filled_store(tmp_path / "data", clock).close()
    with pytest.raises(UserError, match="不能放在数据目录"):
        write_backup(tmp_path / "data", tmp_path / "data" / "backup.tar.gz")
    with open(tmp_path / "data" / ".backup.lock", "ab") as running:  # another backup's
        fcntl.flock(running, fcntl.LOCK_EX)
        with pytest.raises(UserError, match="另一个备份正在进行"):
            write_backup(tmp_path / "data", tmp_path / "backup.tar.gz")
    assert write_backup(tmp_path / "data", tmp_path / "backup.tar.gz").files >= 3


def test_what_an_interrupted_restore_left_is_cleared_by_the_next(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = filled_store(tmp_path / "data", clock)
    write_backup(tmp_path / "data", tmp_path / "backup.tar.gz")
    store.close()
    left = tmp_path / "restored"
    (left / ".restoring" / "events").mkdir(parents=True)  # killed mid-unpack
    (left / ".restoring" / "state.json").write_text('{"_def')
    (left / ".lock").touch()
    restore_backup(tmp_path / "backup.tar.gz", left)
    assert not (left / ".restoring").exists()
    again = Store(left, SHANGHAI, clock=clock)
    assert again.person(7) is not None
    again.close()


def test_no_restore_into_a_folder_a_bot_is_using(tmp_path: Path, clock: FakeClock) -> None:
    store = filled_store(tmp_path / "data", clock)
    write_backup(tmp_path / "data", tmp_path / "backup.tar.gz")
    store.close()
    running = Store(tmp_path / "fresh", SHANGHAI, clock=clock)  # nothing recorded yet
    before = sorted(p.name for p in (tmp_path / "fresh").iterdir())
    with pytest.raises(UserError, match="不是空目录"):
        restore_backup(tmp_path / "backup.tar.gz", tmp_path / "fresh")
    running.close()
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == before
